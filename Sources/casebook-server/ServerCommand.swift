import ArgumentParser
import Casebook
import CasebookServer
import CasebookService
import Foundation
import Git
import Logging

/// `casebook-server`: the HTTP API, and the tokens it accepts. `casebook serve ...` execs it.
@main
struct CasebookServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "casebook serve", abstract: "Serve the HTTP API, and manage its bearer tokens.",
    subcommands: [Serve.self, Token.self, MCPStdio.self], defaultSubcommand: Serve.self)
}

/// The projects to serve (`serve` and `mcp`): the repository `repo` (id: its folder's name, or
/// `projectId`), else every repository in the folder `projects`.
func projectSource(repo: String?, projects: String?, projectId: String?) throws -> Projects.Source {
  if let repo {
    let project = try Project.open(at: repo)
    return .one(id: try Projects.checked(projectId ?? Projects.id(ofRepository: project.path)), path: project.path)
  }
  let folder = URL(fileURLWithPath: projects ?? ".").standardizedFileURL.path
  var isFolder: ObjCBool = false
  guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
    throw ValidationError("--projects \(folder) is not a folder")
  }
  return .folder(folder)
}

/// Where the tokens are: `--tokens`, else `CASEBOOK_TOKENS`, else the user's configuration folder.
struct TokensOption: ParsableArguments {
  @Option(help: "The tokens file (default: CASEBOOK_TOKENS, else $XDG_CONFIG_HOME/casebook/tokens.json).")
  var tokens: String?

  var path: String { tokens ?? TokenStore.defaultPath(environment: ProcessInfo.processInfo.environment) }
}

struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve", abstract: "Serve the HTTP API.",
    usage: "casebook serve (--repo PATH | --projects DIR) [--project-id ID] [--host HOST] [--port PORT] [--tokens FILE]"
  )

  @Option(help: "Serve this one project (its id is the folder's name, or --project-id).") var repo: String?
  @Option(help: "Serve every project in this folder (project id = the repository's folder name).") var projects: String?
  @Option(name: .customLong("project-id"), help: "The project id of --repo.") var projectId: String?
  @Option(help: "The address to listen on.") var host = "127.0.0.1"
  @Option(help: "The port (0: any free port; the first line printed says which).") var port = 8080
  @Option(help: "The largest upload accepted, in bytes (default 2 GiB).") var maxUploadBytes = 2 << 30
  @Option(help: "Where uploads are streamed to before they are added (default: $TMPDIR, else /tmp).")
  var uploadDirectory: String?
  @OptionGroup var tokens: TokensOption

  func validate() throws {
    guard maxUploadBytes > 0 else { throw ValidationError("--max-upload-bytes must be positive") }
    guard (repo == nil) != (projects == nil) else { throw ValidationError("give exactly one of --repo and --projects") }
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
  }

  func run() async throws {
    GitLibrary.initialize()
    try Libgit2Tuning.apply()
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = .info
      return handler
    }
    let logger = Logger(label: "casebook-server")
    let source = try projectSource(repo: repo, projects: projects, projectId: projectId)
    switch source {
    case .one(let id, let path):
      logger.info("serving one project", metadata: ["project": .string(id), "path": .string(path)])
    case .folder(let folder): logger.info("serving the projects in a folder", metadata: ["path": .string(folder)])
    }
    var options = HTTPServer.Options(tokensPath: tokens.path)
    options.host = host
    options.port = port
    options.maxUploadBytes = maxUploadBytes
    if let uploadDirectory { options.uploadDirectory = uploadDirectory }
    try await HTTPServer(options: options, projects: Projects(source), logger: logger).run()
  }
}

struct Token: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token", abstract: "Add, list and remove the bearer tokens the server accepts.",
    subcommands: [Add.self, List.self, Remove.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Make a token for USER and print it (once: only its hash is kept).")
    @Argument var user: String
    @Option(help: "A role: reviewer (may approve). Repeatable.") var role: [String] = []
    @Option(help: "A project the token may use (default: all). Repeatable.") var project: [String] = []
    @OptionGroup var tokens: TokensOption

    func run() throws {
      let roles = try role.map { name in
        guard let role = Caller.Role(rawValue: name) else {
          throw ValidationError("unknown role '\(name)': the roles are \(Caller.Role.allCases.map(\.rawValue))")
        }
        return role
      }
      var store = try TokenStore(path: tokens.path)
      print(try store.add(user: user, roles: roles, projects: project.isEmpty ? nil : project))
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the tokens' users, roles and projects (never the tokens).")
    @OptionGroup var tokens: TokensOption

    func run() throws {
      for entry in try TokenStore(path: tokens.path).entries {
        print(
          "\(entry.user)  roles: \(entry.roles.isEmpty ? "-" : entry.roles.map(\.rawValue).joined(separator: ","))  projects: \(entry.projects?.joined(separator: ",") ?? "all")"
        )
      }
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove every token of USER.")
    @Argument var user: String
    @OptionGroup var tokens: TokensOption

    func run() throws {
      var store = try TokenStore(path: tokens.path)
      let removed = try store.remove(user: user)
      guard removed > 0 else { throw ValidationError("\(user) has no token") }
      print("removed \(removed) token\(removed == 1 ? "" : "s") of \(user)")
    }
  }
}
