import ArgumentParser
import Casebook

struct LogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log", abstract: "The history of main or a session, optionally of one section.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var session: SessionOption
  @Option(help: "Only commits that change this section.") var section: String?
  @Option(help: "At most this many.") var limit: Int?

  func run() throws {
    let entries = try global.project().log(session: session.resolved, section: section, limit: limit)
    try global.output.emit(Wrapped(key: "commits", value: entries)) { entries.map(describe).joined(separator: "\n") }
  }
}

struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit", abstract: "The whole audit trail: every commit on every branch, and every approval.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let entries = try global.project().audit()
    try global.output.emit(Wrapped(key: "events", value: entries)) { entries.map(describe).joined(separator: "\n") }
  }
}

/// One line per event: time, who, what, where.
func describe(_ entry: LogEntry) -> String {
  let action = (entry.action ?? (entry.kind == "approval" ? "approve" : "commit")).padded(to: 16)
  let session = entry.session.map { " session \($0.prefix(8))" } ?? ""
  return
    "\(entry.time)  \(String(entry.commit.prefix(10)))  \(entry.user.padded(to: 12)) \(action) \(entry.summary)\(session)"
}
