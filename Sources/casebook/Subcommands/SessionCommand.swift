import ArgumentParser
import Casebook

struct SessionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "session", abstract: "Start, list, resume, refresh, close and merge sessions.",
    subcommands: [Start.self, List.self, Show.self, Resume.self, Refresh.self, Close.self, Merge.self])

  struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "start", abstract: "Start a session (a branch off main).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption

    func run() throws {
      let project = try global.project()
      let result = try project.startSession(request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { result.sessionId }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List sessions, most recently active first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only the sessions of this user.") var owner: String?

    func run() throws {
      let sessions = try global.project().sessions(user: owner)
      try global.output.emit(Wrapped(key: "sessions", value: sessions)) {
        sessions.map {
          "\($0.session.sessionId)  \($0.session.userId)  \($0.session.status.rawValue)  last active \($0.session.lastActive)\($0.merged ? "  merged" : "")"
        }.joined(separator: "\n")
      }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one session.")
    @OptionGroup var global: GlobalOptions
    @Argument var id: String

    func run() throws {
      let summary = try global.project().session(id)
      try global.output.emit(summary) {
        let s = summary.session
        return """
          session   \(s.sessionId)
          user      \(s.userId)
          status    \(s.status.rawValue)\(summary.merged ? " (everything merged into main)" : "")
          started   \(s.startedAt)
          active    \(s.lastActive)
          ended     \(s.endedAt ?? "-")
          base      \(s.base)
          exchanges \(s.exchangeCount)
          branch    \(summary.branch) at \(summary.head)
          """
      }
    }
  }

  struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "resume",
      abstract:
        "Reactivate a session (default: your latest one not closed and merged), merge main into it, and say what changed on main."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @Argument(help: "The session (default: your most recently active one that is not closed and merged).") var id:
      String?

    func run() throws {
      let project = try global.project()
      let result = try project.resumeSession(id, request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) {
        var lines = [
          "resumed \(result.sessionId)", "commit \(result.commit)",
          result.refreshed
            ? "merged main \(result.main.prefix(12)) into the session" : "main had nothing new for the session",
        ]
        if !result.changes.isEmpty { lines.append("since you were last active:") }
        for c in result.changes {
          let who = [c.by.map { "by \($0)" }, c.at.map { "at \($0)" }].compactMap { $0 }.joined(separator: " ")
          lines.append(
            "  \(c.kind) \(c.name) \(c.change)\(who.isEmpty ? "" : " \(who)")\(c.detail.map { " (\($0))" } ?? "")")
        }
        return lines.joined(separator: "\n")
      }
    }
  }

  struct Refresh: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "refresh",
      abstract: "Merge main into a session (a merge commit on its branch), so it sees what others committed.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @Argument var id: String

    func run() throws {
      let project = try global.project()
      let result = try project.refreshSession(id, request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { result.commit.map { "\(result.message)\ncommit \($0)" } ?? result.message }
    }
  }

  struct Close: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "close", abstract: "Close a session; writes to it are refused until resumed.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @Argument var id: String

    func run() throws {
      let project = try global.project()
      let result = try project.closeSession(id, request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { "closed \(id)\ncommit \(result.commit)" }
    }
  }

  struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "merge", abstract: "Merge a session into main (YAML merged structurally).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @Argument var id: String

    func run() throws {
      let project = try global.project()
      let result = try project.mergeSession(id, request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { result.commit.map { "merged \(id) into main\ncommit \($0)" } ?? result.message }
      global.output.warnings(project)
    }
  }
}
