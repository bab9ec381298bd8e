import CSpawn
import CasebookService
import Foundation
import MCP
import SystemPackage
import TestSupport
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Real repositories made with the real CLI, real tokens from `casebook serve token add`, and the
/// SDK's own `Client` talking to the real `casebook mcp` (stdio, through the CLI's hand-over to
/// casebook-server) or the real `casebook serve` (Streamable HTTP at /mcp) on 127.0.0.1.
final class MCPFixture: @unchecked Sendable {
  let home: TemporaryDirectory
  let projects: String
  let tokensPath: String
  var tokens: [String: String] = [:]
  var children: [Process] = []
  var serverPid: pid_t = 0
  var base = ""
  let log: String

  static let binary = CasebookBuild.binary
  static let templates = CasebookBuild.templates

  var environment: [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["HOME"] = home.path
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["CASEBOOK_TEMPLATES"] = Self.templates
    env["CASEBOOK_TOKENS"] = tokensPath
    env["CASEBOOK_USER"] = "alice"
    env["CASEBOOK_REPO"] = nil
    env["CASEBOOK_SESSION"] = nil
    env["CASEBOOK_TOKEN"] = nil
    return env
  }

  /// Project p1; tokens for alice, bob, and rita (reviewer).
  init() throws {
    home = try TemporaryDirectory(prefix: "casebook-mcp-test")
    projects = home.appending("projects")
    tokensPath = home.appending("config/tokens.json")
    log = home.appending("server.log")
    try FileManager.default.createDirectory(atPath: projects, withIntermediateDirectories: true)
    try cli(["init", projects + "/p1", "--template", "gate-0", "--project-id", "p1", "--title", "Project p1"])
    for (user, extra) in [("alice", []), ("bob", []), ("rita", ["--role", "reviewer"])] {
      tokens[user] = try cli(["serve", "token", "add", user] + extra).trimmingCharacters(in: .whitespacesAndNewlines)
    }
  }

  deinit {
    for child in children where child.isRunning { child.terminate() }
    if serverPid > 0 {
      kill(serverPid, SIGKILL)
      var status: Int32 = 0
      waitpid(serverPid, &status, 0)
    }
  }

  /// Runs the real `casebook` CLI and returns its standard output; fails on a non-zero exit.
  @discardableResult
  func cli(_ args: [String]) throws -> String {
    let result = try runCommand(Self.binary, args, in: home.path, environment: environment)
    try #require(result.status == 0, "casebook \(args.joined(separator: " ")) failed: \(result.stderr)")
    return result.stdout
  }

  // MARK: - stdio

  /// `casebook mcp --repo p1` as `user`'s token gives it, with pipes for standard input and
  /// output: the process and a transport for the SDK's client.
  func stdio(_ user: String, token: String? = nil) throws -> (process: Process, transport: StdioTransport) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = ["mcp", "--repo", projects + "/p1"]
    var env = environment
    env["CASEBOOK_TOKEN"] = token ?? tokens[user]
    process.environment = env
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    try process.run()
    children.append(process)
    let transport = StdioTransport(
      input: FileDescriptor(rawValue: output.fileHandleForReading.fileDescriptor),
      output: FileDescriptor(rawValue: input.fileHandleForWriting.fileDescriptor))
    return (process, transport)
  }

  /// Waits up to 20 s for `process` to exit and returns its status (nil: still running).
  func exitStatus(of process: Process) -> Int32? {
    let deadline = ContinuousClock.now + .seconds(20)
    while process.isRunning, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
    return process.isRunning ? nil : process.terminationStatus
  }

  // MARK: - HTTP

  /// Starts `casebook serve --projects DIR --port 0` with no signal blocked and waits for its
  /// `listening on` line.
  func startServer() throws {
    let args = [Self.binary, "serve", "--projects", projects, "--port", "0"]
    (serverPid, base) = try CasebookBuild.startServer(args, environment: environment, log: log)
  }

  var serverStderr: String { (try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? "" }

  /// Sends SIGTERM and returns the exit status (nil if it did not exit within 20 s).
  func stopServer() -> Int32? {
    guard serverPid > 0 else { return nil }
    kill(serverPid, SIGTERM)
    let deadline = ContinuousClock.now + .seconds(20)
    var status: Int32 = 0
    while ContinuousClock.now < deadline {
      if waitpid(serverPid, &status, WNOHANG) == serverPid {
        serverPid = 0
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return nil
  }

  /// The SDK's Streamable HTTP client transport for /mcp, sending `token` (none: no header).
  func http(token: String?) -> HTTPClientTransport {
    HTTPClientTransport(
      endpoint: URL(string: base + "/mcp")!, streaming: false,
      requestModifier: { request in
        var request = request
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
      })
  }

  /// One raw HTTP request to the server.
  func request(_ method: String, _ path: String, headers: [String: String], body: String? = nil) async throws -> (
    status: Int, headers: [String: String], body: String
  ) {
    var request = URLRequest(url: URL(string: base + path)!)
    request.httpMethod = method
    for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
    request.httpBody = body.map { Data($0.utf8) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    var out: [String: String] = [:]
    for (k, v) in http.allHeaderFields { out["\(k)".lowercased()] = "\(v)" }
    return (http.statusCode, out, String(decoding: data, as: UTF8.self))
  }
}

/// `body`, or a failure after `seconds`: no test waits for ever on a process that hangs.
func bounded<T: Sendable>(_ seconds: Int = 60, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
  try await withThrowingTaskGroup(of: T.self) { group in
    group.addTask { try await body() }
    group.addTask {
      try await Task.sleep(for: .seconds(seconds))
      throw FixtureError("no answer within \(seconds) s")
    }
    defer { group.cancelAll() }
    return try await group.next()!
  }
}

extension Client {
  /// Calls `name` and returns the whole result (structured content included), within 60 s.
  func call(_ name: String, _ arguments: [String: Value], meta: Metadata? = nil) async throws -> CallTool.Result {
    try await bounded {
      try await self.send(CallTool.request(.init(name: name, arguments: arguments, meta: meta))).value
    }
  }
}

extension CallTool.Result {
  /// The structured content's field `key`.
  subscript(key: String) -> Value? { structuredContent?.objectValue?[key] }

  /// The CLI's error code from an error result's text (`{"error":{"code",...}}`).
  var errorCode: String? {
    guard isError == true, case .text(let text, _, _)? = content.first,
      let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
      let error = object["error"] as? [String: Any], error["message"] is String
    else { return nil }
    return error["code"] as? String
  }

  /// The first text content.
  var text: String? {
    guard case .text(let text, _, _)? = content.first else { return nil }
    return text
  }
}
