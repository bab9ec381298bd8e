import ArgumentParser
import Casebook
import CasebookMCP
import CasebookService
import Foundation
import Git
import Logging

/// `casebook-server mcp` (`casebook mcp` execs it): the MCP server on standard input and
/// output, for a host that starts it as a child process.
///
/// Identity: the host gives a bearer token in `CASEBOOK_TOKEN`, looked up in the same tokens
/// file as the HTTP server's. A token rather than a user name because it carries what a name
/// does not: the reviewer role and the projects granted, so that stdio enforces exactly what
/// HTTP does. The environment rather than an argument because every local user can read a
/// process's arguments. The token is looked up again at each call, so `token remove` takes
/// effect at once.
struct MCPStdio: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mcp",
    abstract: "Serve MCP on standard input and output, as the user of the bearer token in CASEBOOK_TOKEN.",
    usage: "casebook mcp (--repo PATH | --projects DIR) [--project-id ID] [--tokens FILE]")

  @Option(help: "Serve this one project (its id is the folder's name, or --project-id; default: CASEBOOK_REPO).")
  var repo: String?
  @Option(help: "Serve every project in this folder (project id = the repository's folder name).") var projects: String?
  @Option(name: .customLong("project-id"), help: "The project id of --repo.") var projectId: String?
  @OptionGroup var tokens: TokensOption

  func validate() throws {
    let fromEnvironment = ProcessInfo.processInfo.environment["CASEBOOK_REPO"].map { !$0.isEmpty } ?? false
    guard repo == nil || projects == nil, repo != nil || projects != nil || fromEnvironment else {
      throw ValidationError("give exactly one of --repo (or CASEBOOK_REPO) and --projects")
    }
  }

  func run() async throws {
    GitLibrary.initialize()
    try Libgit2Tuning.apply()
    // Standard output is the protocol's: every log line goes to standard error.
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = .warning
      return handler
    }
    let logger = Logger(label: "casebook-mcp")
    let environment = ProcessInfo.processInfo.environment
    let repo = self.repo ?? environment["CASEBOOK_REPO"].flatMap { $0.isEmpty ? nil : $0 }
    guard (repo == nil) != (projects == nil) else {
      Self.refuse("give exactly one of --repo (or CASEBOOK_REPO) and --projects")
    }
    let source = try projectSource(repo: repo, projects: projects, projectId: projectId)
    guard let token = environment["CASEBOOK_TOKEN"], !token.isEmpty else {
      Self.refuse(
        "set CASEBOOK_TOKEN to a bearer token (casebook serve token add USER): the MCP server acts as its user")
    }
    let path = tokens.path
    let caller: @Sendable () async throws -> Caller = {
      guard let caller = try TokenStore(path: path).caller(for: token) else {
        throw ServiceError.unauthorized("CASEBOOK_TOKEN is not a token in \(path)")
      }
      return caller
    }
    // Refuse to start rather than fail every call.
    do { _ = try await caller() } catch { Self.refuse(ServiceError.from(error).message) }
    let mcp = CasebookMCP(runner: OperationRunner(projects: Projects(source)))
    try await mcp.runStdio(caller: caller, logger: logger)
  }

  /// Stops before serving: the host shows standard error to its user.
  static func refuse(_ message: String) -> Never {
    FileHandle.standardError.write(Data("casebook mcp: \(message)\n".utf8))
    Foundation.exit(1)
  }
}
