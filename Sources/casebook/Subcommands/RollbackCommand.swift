import ArgumentParser
import Casebook

/// `casebook rollback`: undo a session's latest writes as one new commit.
struct RollbackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback",
    abstract: "Undo a session's latest writes as a new commit (history is never rewritten).",
    discussion: """
      --last N undoes the session's last N writes; --to REV goes back to an earlier commit of the
      session. Refused when a write to undo is already merged into main or carries an approval.
      """)
  @OptionGroup var global: GlobalOptions
  @OptionGroup var request: RequestOption
  @OptionGroup var session: SessionOption
  @Option(help: "An earlier commit of the session to go back to.") var to: String?
  @Option(help: "How many of the session's latest writes to undo.") var last: Int?
  @Option(help: "Why, recorded in the commit.") var reason: String?
  @Option(help: "The exchange whose failure this rollback answers (its exchange_id).") var exchange: String?

  func run() throws {
    let project = try global.project()
    let result = try project.rollback(
      session: session.required("rollback"), to: to, last: last, reason: reason, exchange: exchange,
      request: request.id, by: global.actingUser(in: project))
    try global.output.emit(result) {
      (["rolled back \(result.undone.count) write(s) to \(result.restored.prefix(12))"]
        + result.undone.map { "  undid \($0.commit.prefix(12)) \($0.summary)" } + ["commit \(result.commit)"])
        .joined(separator: "\n")
    }
  }
}
