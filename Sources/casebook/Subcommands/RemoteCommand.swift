import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `casebook clone URL [PATH]`: a clone set up for Casebook.
struct CloneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clone",
    abstract: "Clone a project: main checked out, sessions, approval tags and locks, the merge driver registered.",
    discussion: "Exit 5 when the remote cannot be reached or refuses; nothing is left behind then.")
  @OptionGroup var global: GlobalOptions
  @Argument(help: "A path, file://, ssh:// or http(s):// URL.") var url: String
  @Argument(help: "The folder to clone into (default: the URL's last part, without .git).") var path: String?

  func run() throws {
    let target = path ?? Self.defaultFolder(url)
    guard !target.isEmpty else { throw CasebookError.badInput("cannot tell a folder name from \(url): give a PATH") }
    let url = Self.absolute(url)
    let project = try Project.clone(url, to: target, progress: transferProgress(json: global.json))
    OpenedProjects.all.append(project)
    let summary = ClonedProject(path: project.path, remote: "origin", url: try project.remotes().first?.url ?? "")
    try global.output.emit(summary) { "cloned \(summary.url) into \(summary.path)" }
  }

  static func defaultFolder(_ url: String) -> String {
    var name = Substring(url)
    while name.hasSuffix("/") { name = name.dropLast() }
    name = name.split(whereSeparator: { $0 == "/" || $0 == ":" }).last ?? ""
    if name.hasSuffix(".git") { name = name.dropLast(4) }
    return String(name)
  }

  /// A local path made absolute, so the remote's URL stays right from any folder.
  static func absolute(_ url: String) -> String {
    guard !url.contains("://"), !url.hasPrefix("/"), System.kind(url) != nil else { return url }
    return System.resolved(url)
  }
}

struct ClonedProject: Encodable {
  let path: String
  let remote: String
  let url: String
}

/// `casebook remote add|remove|list`.
struct RemoteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remote", abstract: "Add, remove and list the remotes a project syncs with.",
    subcommands: [Add.self, Remove.self, List.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add", abstract: "Add a remote with Casebook's refspecs (no password in the URL).")
    @OptionGroup var global: GlobalOptions
    @Argument var name: String
    @Argument var url: String

    func run() throws {
      let added = try global.project().addRemote(name, url: CloneCommand.absolute(url))
      try global.output.emit(added) { "added remote \(added.name) \(added.url)" }
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "remove", abstract: "Remove a remote and its remote-tracking refs (local refs stay).")
    @OptionGroup var global: GlobalOptions
    @Argument var name: String

    func run() throws {
      try global.project().removeRemote(name)
      try global.output.emit(["removed": name]) { "removed remote \(name)" }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the remotes.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let remotes = try global.project().remotes()
      try global.output.emit(Wrapped(key: "remotes", value: remotes)) {
        remotes.isEmpty ? "no remotes" : remotes.map { "\($0.name)  \($0.url)" }.joined(separator: "\n")
      }
    }
  }
}

/// `casebook sync [REMOTE]`.
struct SyncCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sync",
    abstract: "Fetch, merge the remote's main, and push main, your sessions, approval tags and locks.",
    discussion:
      "Exit 0 when everything is confirmed, 3 when a conflict or clash needs a person (nothing half-done is pushed), 5 when the remote cannot be reached or refuses (everything stays here for the next sync)."
  )
  @OptionGroup var global: GlobalOptions
  @Argument(help: "The remote (default: origin, or the only remote).") var remote: String?

  func run() throws {
    let project = try global.project()
    let user = try global.actingUser(in: project)
    let report = try project.sync(remote: remote, by: user, progress: transferProgress(json: global.json))
    try global.output.emit(report) {
      var lines = report.changes.filter { $0.action != "up-to-date" }.map {
        "\($0.action)  \($0.ref)\($0.commit.map { "  \($0.prefix(12))" } ?? "")\($0.detail.map { "  (\($0))" } ?? "")"
      }
      lines += report.problems.map { "problem: \($0)" }
      lines.append(
        report.exitCode == 0
          ? "\(report.remote) is in sync" : "\(report.remote) is not fully in sync; what is not confirmed stays here")
      return lines.joined(separator: "\n")
    }
    if report.exitCode != 0 { throw ExitCode(report.exitCode) }
  }
}

/// `casebook status`: what each remote has not confirmed yet.
struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract:
      "Show, per remote, what it has not confirmed: commits ahead and behind, unpushed tags, unconfirmed locks.",
    discussion: "Reads the remote-tracking refs of the last sync; it does not connect.")
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let project = try global.project()
    let statuses = try project.remoteStatus()
    let stale = try project.approvalStatuses().filter { $0.state == .stale }
    try global.output.emit(ProjectStatus(remotes: statuses, staleApprovals: stale)) {
      let approvals = stale.map {
        "stale approval \($0.approval.tag): section \($0.approval.section) changed since (\($0.changedBy.count) commit(s)); see 'casebook approvals'"
      }
      guard !statuses.isEmpty else {
        return (["no remotes: everything is local (casebook remote add NAME URL)"] + approvals).joined(separator: "\n")
      }
      return
        (statuses.map { status in
          var lines = ["\(status.remote)  \(status.url)\(status.fetched ? "" : "  (never synced)")"]
          if let main = status.main { lines.append("  main: \(main.ahead) ahead, \(main.behind) behind") }
          for session in status.sessions {
            lines.append(
              "  \(session.ref.dropFirst("refs/heads/".count)): \(session.ahead) ahead, \(session.behind) behind")
          }
          for tag in status.unpushedTags { lines.append("  unpushed tag \(tag)") }
          for lock in status.unconfirmedLocks { lines.append("  unconfirmed lock \(lock)") }
          lines.append(status.confirmed ? "  everything here is confirmed" : "  run 'casebook sync \(status.remote)'")
          return lines.joined(separator: "\n")
        } + approvals).joined(separator: "\n")
    }
  }
}

/// What `casebook status` prints.
struct ProjectStatus: Encodable {
  let remotes: [RemoteStatus]
  let staleApprovals: [ApprovalStatus]
}

/// How a fetch or push shows progress on standard error: git's own bar on a terminal, its
/// finished lines (and the server's `remote:` messages) otherwise, nothing with `--json`.
func transferProgress(json: Bool) -> TransferProgress {
  if json { return .silent }
  if isatty(2) == 1 { return .terminal }
  return .lines { System.writeError($0 + "\n") }
}
