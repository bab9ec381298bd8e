import ArgumentParser
import Casebook

struct InputCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "input", abstract: "Add and read uploaded inputs.", subcommands: [Add.self, List.self, Show.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add", abstract: "Add a file to a session (content-addressed).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var file: String

    func run() throws {
      let project = try global.project()
      let result = try project.addInput(
        file: file, session: session.required("input add"), request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) {
        result.created ? "\(result.inputId)\ncommit \(result.commit ?? "")" : "\(result.inputId) (already there)"
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List inputs on main or in a session.")
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
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show an input's metadata and extracted text, or with --cited-by where it is cited.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Argument var id: String
    @Flag(help: "List the sections, revisions and commits that cite the input, instead of its text.")
    var citedBy = false

    func run() throws {
      let project = try global.project()
      if citedBy {
        let uses = try project.inputCitations(id, session: session.resolved)
        try global.output.emit(uses) { Self.describe(uses) }
        return
      }
      let view = try project.input(id, session: session.resolved)
      try global.output.emit(view) {
        let r = view.record
        var counts = [r.lines.map { "\($0) lines" }, r.pages.map { "\($0) pages" }]
        counts += [r.paragraphs.map { "\($0) paragraphs" }, r.headings.map { "\($0) headings" }]
        let head = """
          input     \(r.inputId)
          name      \(r.name)
          type      \(([r.mediaType, "\(r.size) bytes"] + counts.compactMap { $0 }).joined(separator: ", "))
          sha256    \(r.sha256)
          uploaded  \(r.uploadedAt) by \(r.uploadedBy) in session \(r.session)
          extracted \(r.extracted ? "yes" : "no")
          """
        var out = head
        if !view.locators.isEmpty { out += "\nlocators  " + view.locators.joined(separator: "\n          ") }
        return view.text.map { out + "\n\n" + $0 } ?? out
      }
    }

    static func describe(_ uses: InputCitations) -> String {
      var lines: [String] = []
      if uses.current.isEmpty { lines.append("no section cites \(uses.inputId) now") }
      for use in uses.current {
        let at = use.locators.isEmpty ? "" : " at " + use.locators.joined(separator: ", ")
        lines.append("\(use.sectionId)  revision \(use.revision) (\(use.status.rawValue))\(at) — \(use.title)")
      }
      if !uses.history.isEmpty {
        lines.append("")
        lines.append("history")
        for event in uses.history {
          let what = [event.action, event.sectionId, event.revision.map { "r\($0)" }, event.locator].compactMap { $0 }
          lines.append("  \(event.commit.prefix(12))  \(event.time)  \(event.user)  \(what.joined(separator: " "))")
        }
      }
      return lines.joined(separator: "\n")
    }
  }
}
