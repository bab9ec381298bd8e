import ArgumentParser
import Casebook
import Git

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
    let progress = TransferReporter(json: global.json)
    let project = try Project.clone(url, to: target, callbacks: progress.callbacks())
    progress.finish()
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
    let progress = TransferReporter(json: global.json)
    let report = try project.sync(remote: remote, by: user, callbacks: progress.callbacks())
    progress.finish()
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
    let statuses = try global.project().remoteStatus()
    try global.output.emit(Wrapped(key: "remotes", value: statuses)) {
      guard !statuses.isEmpty else { return "no remotes: everything is local (casebook remote add NAME URL)" }
      return statuses.map { status in
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
      }.joined(separator: "\n")
    }
  }
}

/// Progress of a fetch or push on standard error: a bar redrawn in place on a terminal, a line
/// per phase otherwise, nothing with `--json`. Credentials come from `RemoteCredentials`.
final class TransferReporter {
  private let json: Bool
  private let terminal: Bool
  private var phase: TransferProgress.Phase?
  private var started = ContinuousClock.now
  private var lastDraw = ContinuousClock.now
  private var drewBar = false
  private let credentials = RemoteCredentials()

  init(json: Bool) {
    self.json = json
    terminal = isatty(2) == 1
  }

  func callbacks() -> TransferCallbacks {
    // Loads the CA bundle the process deferred, before any HTTPS connection (CertificateDeferral).
    try? TrustedCertificates.load()
    return TransferCallbacks(
      credentials: { [credentials] in credentials.next($0) },
      progress: json ? nil : { [self] in show($0) },
      serverMessage: json ? nil : { [self] in remoteSaid($0) })
  }

  private func show(_ progress: TransferProgress) {
    let now = ContinuousClock.now
    if progress.phase != phase {
      if drewBar { System.writeError("\n") }
      drewBar = false
      phase = progress.phase
      started = now
      if !terminal { System.writeError("\(Self.name(progress.phase)) \(progress.totalObjects) objects\n") }
    }
    guard terminal, now - lastDraw >= .milliseconds(100) || progress.objects == progress.totalObjects else { return }
    lastDraw = now
    let total = max(progress.totalObjects, 1)
    let width = 24
    let filled = min(width, progress.objects * width / total)
    let seconds = max(
      Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds), 0.001)
    let rate = Double(progress.bytes) / seconds
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    System.writeError(
      "\r\(Self.name(progress.phase)) [\(bar)] \(progress.objects)/\(progress.totalObjects) objects, \(System.describe(bytes: progress.bytes)), \(System.describe(bytes: Int(rate)))/s "
    )
    drewBar = true
  }

  /// The server's own messages (a hook's refusal, a notice); its object counts are left out, as
  /// the progress bar shows them.
  private func remoteSaid(_ text: String) {
    let counts = ["Counting objects", "Compressing objects", "Enumerating objects", "Total ", "Delta compression"]
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
    where !line.allSatisfy({ $0 == " " }) && !counts.contains(where: { line.hasPrefix($0) }) {
      if drewBar { System.writeError("\n") }
      drewBar = false
      System.writeError("remote: \(line)\n")
    }
  }

  func finish() {
    if drewBar { System.writeError("\n") }
    drewBar = false
  }

  private static func name(_ phase: TransferProgress.Phase) -> String {
    switch phase {
    case .receiving: "receiving"
    case .indexing: "indexing"
    case .sending: "sending"
    }
  }
}
