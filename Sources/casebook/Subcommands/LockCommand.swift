import ArgumentParser
import Casebook

/// `casebook lock`: section locks (who is editing which section now). Drafting and revising
/// take them by themselves; these commands show them and let an agent take or give one up.
struct LockCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lock", abstract: "Show, take and release section locks.",
    subcommands: [List.self, Take.self, Release.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List the section locks held now, expired ones marked.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let locks = try global.project().sectionLocks()
      try global.output.emit(Wrapped(key: "locks", value: locks)) {
        locks.isEmpty
          ? "no section is locked"
          : locks.map {
            "\($0.sectionId)  \($0.userId)  session \($0.sessionId)  since \($0.since)  expires \($0.expires)\($0.expired ? "  (expired)" : "")"
          }.joined(separator: "\n")
      }
    }
  }

  struct Take: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "take", abstract: "Take (or extend) a section's lock for a session.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var id: String

    @Option(help: "The remote that confirms the lock (default: origin, or the only remote; none: a local lock).")
    var remote: String?

    func run() throws {
      let project = try global.project()
      let result = try project.takeSectionLock(
        id, session: session.required("lock take"), request: request.id, by: global.actingUser(in: project),
        remote: remote)
      try global.output.emit(result) {
        "locked \(id) until \(result.lock.expires)\ncommit \(result.lock.commit)"
          + (result.confirmedBy.map { "\nconfirmed by \($0)" } ?? "")
      }
    }
  }

  struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "release", abstract: "Release a section lock your session holds.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var id: String

    func run() throws {
      let project = try global.project()
      let id = try session.required("lock release")
      let user = try global.actingUser(in: project)
      _ = try project.session(id)  // an unknown session is "not found", not "not locked"
      let result = try project.releaseSectionLock(self.id, session: id, by: user, request: request.id)
      try global.output.emit(result) { "released \(self.id)\ncommit \(result.commit)" }
    }
  }
}
