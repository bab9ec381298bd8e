import ArgumentParser
import Casebook

struct InputCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "input", abstract: "Add and read uploaded inputs.", subcommands: [Add.self, List.self, Show.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a file to a session (content-addressed).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Argument var file: String

    func run() throws {
      let project = try global.project()
      let result = try project.addInput(
        file: file, session: session.required("input add"), by: global.actingUser(in: project))
      try global.output.emit(result) {
        result.created ? "\(result.inputId)\ncommit \(result.commit ?? "")" : "\(result.inputId) (already there)"
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List inputs on main or in a session.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption

    func run() throws {
      let inputs = try global.project().inputs(session: session.resolved)
      try global.output.emit(Wrapped(key: "inputs", value: inputs)) {
        inputs.map { "\($0.inputId)  \($0.mediaType)  \($0.size) bytes  \($0.name)" }.joined(separator: "\n")
      }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an input's metadata and extracted text.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Argument var id: String

    func run() throws {
      let view = try global.project().input(id, session: session.resolved)
      try global.output.emit(view) {
        let r = view.record
        let head = """
          input     \(r.inputId)
          name      \(r.name)
          type      \(r.mediaType), \(r.size) bytes\(r.lines.map { ", \($0) lines" } ?? "")
          sha256    \(r.sha256)
          uploaded  \(r.uploadedAt) by \(r.uploadedBy) in session \(r.session)
          extracted \(r.extracted ? "yes" : "no")
          """
        return view.text.map { head + "\n\n" + $0 } ?? head
      }
    }
  }
}
