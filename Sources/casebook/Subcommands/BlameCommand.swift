import ArgumentParser
import Casebook

/// `casebook blame`: each line of a section, blamed on the write and the prompt behind it.
struct BlameCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "blame",
    abstract: "Show, for each line of a section, the revision, commit, author and time that last changed it,",
    discussion: """
      with that revision's prompts and feedback and the exchange (tool, prompt, response) whose
      tool call produced it (when the write named one with --exchange).
      """)
  @OptionGroup var global: GlobalOptions
  @OptionGroup var session: SessionOption
  @Argument var id: String
  @Option(help: "A git revision (commit, tag, branch) or a section revision number.") var at: String?

  struct Blamed: Encodable {
    let section: String
    let lines: [BlameLine]
  }

  func run() throws {
    let project = try global.project()
    let lines = try project.blame(id, session: session.resolved, at: at)
    try global.output.emit(Blamed(section: id, lines: lines)) {
      lines.map { line in
        let why =
          line.exchange.map { " \($0.tool) \($0.id)" } ?? (line.prompts.first.map { " prompt: \($0.prefix(40))" } ?? "")
        return "\(line.commit.prefix(10)) r\(line.revision.map(String.init) ?? "?") \(line.author) "
          + "\(line.time.prefix(10))\(why) \(line.line): \(line.text)"
      }.joined(separator: "\n")
    }
  }
}
