import ArgumentParser
import Casebook

/// `casebook context`: the assistant's memory of a session, as one system-message context
/// within a token budget.
struct ContextCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "context",
    abstract: "The session's memory as context for the assistant, within a token budget.",
    discussion: """
      Blocks in priority order: the latest exchange (short-term); the profile, the section and
      its cited sources (mid-term); the other sections, approvals and recent history (long-term).
      When the budget is short the lowest priority goes first, cut at a line with a marker; pass
      the marker's --cursor (or next_cursor from --json) to fetch the rest. The same commit and
      options always give the same bytes: record the hash with 'exchange record --context-hash'
      and rebuild the context later with --at.
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var session: SessionOption
  @Option(help: "The section being worked on (its text, state and cited sources).") var section: String?
  @Option(help: "The most tokens the context may have.") var budget: Int = 8_000
  @Option(help: "The encoding tokens are counted in: o200k_base or cl100k_base.") var encoding: String = "o200k_base"
  @Option(help: "Where a previous context left off (its next_cursor).") var cursor: String?
  @Option(help: "A commit of the session's branch to assemble from (default: its tip).") var at: String?

  func run() throws {
    let project = try global.project()
    let context = try project.context(
      ContextRequest(
        session: session.required("context"), section: section, budget: budget, cursor: cursor, at: at),
      encoding: encoding)
    if global.output.json {
      try global.output.emit(context) { "" }
    } else {
      System.writeOutput(Array(context.text.utf8))
    }
  }
}
