import ArgumentParser
import Casebook

/// `casebook unlock SECTION --force`: breaks another session's section lock. The break is a
/// commit on the lock ref naming who did it and why, so auditors see it with plain git.
struct UnlockCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "unlock", abstract: "Break a section lock held by any session (audited; needs --force).")
  @OptionGroup var global: GlobalOptions
  @OptionGroup var request: RequestOption
  @Argument var id: String
  @Flag(help: "Break the lock whoever holds it; the break is recorded on the lock's history.") var force = false
  @Option(help: "Why the lock is broken (recorded with the break).") var reason: String?

  func run() throws {
    let project = try global.project()
    guard force else {
      throw CasebookError.badInput(
        "unlock breaks a lock whoever holds it and is recorded for audit; pass --force (to give up your own lock, use 'casebook lock release \(id) --session S')"
      )
    }
    let result = try project.forceUnlock(id, by: global.actingUser(in: project), reason: reason, request: request.id)
    try global.output.emit(result) {
      "unlocked \(id) (held by \(result.lock.userId), session \(result.lock.sessionId))\ncommit \(result.commit)"
    }
  }
}
