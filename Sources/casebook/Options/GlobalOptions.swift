import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Options every command takes. They may stand before the command name too
/// (`casebook --json --repo X session list`): `main.swift` moves them after it.
struct GlobalOptions: ParsableArguments {
  @Option(help: "The project (default: the repository containing the current folder, or CASEBOOK_REPO).")
  var repo: String?

  @Flag(help: "Print one JSON object, errors included.")
  var json = false

  @Option(help: "The acting user (default: CASEBOOK_USER, then git config user.name).")
  var user: String?

  /// The names `main.swift` hoists: flags, and options that take one value.
  static let flags: Set<String> = ["--json"]
  static let valued: Set<String> = ["--repo", "--user"]

  var output: Output { Output(json: json) }

  func project() throws -> Project {
    let env = ProcessInfo.processInfo.environment
    let path =
      repo ?? env["CASEBOOK_REPO"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath
    let project = try Project.open(at: path)
    OpenedProjects.all.append(project)
    return project
  }

  /// The acting user: `--user`, `CASEBOOK_USER`, or git's `user.name` (spaces become `-`),
  /// with git's `user.email` when the name came from git.
  func actingUser(in project: Project?) throws -> User {
    let env = ProcessInfo.processInfo.environment
    if let user = user ?? env["CASEBOOK_USER"].flatMap({ $0.isEmpty ? nil : $0 }) { return try User(user) }
    if let name = project?.gitConfig("user.name") ?? Project.globalGitConfig("user.name") {
      let id = name.trimmingSpaces().replacingEvery(" ", with: "-")
      return try User(id, email: project?.gitConfig("user.email") ?? Project.globalGitConfig("user.email"))
    }
    throw CasebookError.badInput("who is acting? pass --user NAME, set CASEBOOK_USER, or set git config user.name")
  }
}

/// The session a command writes to: `--session`, else `CASEBOOK_SESSION`.
struct SessionOption: ParsableArguments {
  @Option(help: "The session (default: CASEBOOK_SESSION).")
  var session: String?

  func required(_ what: String) throws -> String {
    guard let id = resolved else {
      throw CasebookError.badInput("\(what) needs a session: pass --session ID or set CASEBOOK_SESSION")
    }
    return id
  }

  var resolved: String? {
    session ?? ProcessInfo.processInfo.environment["CASEBOOK_SESSION"].flatMap { $0.isEmpty ? nil : $0 }
  }
}

/// Reads a file named on the command line, or standard input for `-`, as UTF-8 text of at most
/// `limit` bytes (reading no more than one byte past it).
func readText(_ path: String, what: String, limit: Int) throws -> String {
  let data = try System.readBounded(path, limit: limit, what: what)
  guard let text = String(data: data, encoding: .utf8) else {
    throw CasebookError.badInput("\(what) \(path == "-" ? "(standard input)" : path) is not valid UTF-8 text")
  }
  return text
}

/// `--request-id KEY` for every write: a retry with the same key and the same request prints
/// the first result and writes nothing; the same key with another request exits 3.
struct RequestOption: ParsableArguments {
  @Option(
    name: .customLong("request-id"),
    help: "Makes the write safe to retry: the same id again returns the first result and writes nothing.")
  var key: String?

  var id: RequestID? { get throws { try key.map(RequestID.init) } }
}
