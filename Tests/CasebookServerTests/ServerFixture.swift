import CSpawn
import CasebookService
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A real `casebook serve --projects DIR` on 127.0.0.1 (started through the CLI, so the hand-over
/// to casebook-server is part of what is tested), over real repositories made with the real CLI,
/// and real bearer tokens made with `casebook serve token add`.
final class ServerFixture: @unchecked Sendable {
  let home: TemporaryDirectory
  let projects: String
  let tokensPath: String
  var tokens: [String: String] = [:]
  var pid: pid_t = 0
  var base = ""
  let log: String
  /// Where the server streams uploads (--upload-directory): empty whenever no upload is running.
  var uploads: String { home.appending("uploads") }
  var reaped = false

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
    return env
  }

  /// Projects p1 and p2; tokens for alice (all projects), bob (all), rita (reviewer, all) and
  /// carol (p2 only).
  init() throws {
    home = try TemporaryDirectory(prefix: "casebook-server-test")
    projects = home.appending("projects")
    tokensPath = home.appending("config/tokens.json")
    log = home.appending("server.log")
    try FileManager.default.createDirectory(atPath: projects, withIntermediateDirectories: true)
    for id in ["p1", "p2"] {
      try cli(["init", projects + "/" + id, "--template", "gate-0", "--project-id", id, "--title", "Project \(id)"])
    }
    for (user, extra) in [
      ("alice", []), ("bob", []), ("rita", ["--role", "reviewer"]), ("carol", ["--project", "p2"]),
    ] {
      tokens[user] = try cli(["serve", "token", "add", user] + extra).trimmingCharacters(in: .whitespacesAndNewlines)
    }
  }

  /// Runs the real `casebook` CLI and returns its standard output; fails on a non-zero exit.
  @discardableResult
  func cli(_ args: [String]) throws -> String {
    let result = try runCommand(Self.binary, args, in: home.path, environment: environment)
    try #require(result.status == 0, "casebook \(args.joined(separator: " ")) failed: \(result.stderr)")
    return result.stdout
  }

  /// Starts the server with no signal blocked (Foundation's Process would pass on the test
  /// runner's blocked signals) and waits for its `listening on` line.
  func start(_ serve: [String]? = nil, extra: [String] = []) throws {
    try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
    let args: [String] =
      [Self.binary, "serve"] + (serve ?? ["--projects", projects])
      + ["--port", "0", "--upload-directory", uploads] + extra
    (pid, base) = try CasebookBuild.startServer(args, environment: environment, log: log)
  }

  var stderr: String { (try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? "" }

  /// Sends SIGTERM and returns the exit status (nil if it did not exit within 20 s).
  func stop() -> Int32? {
    guard pid > 0, !reaped else { return nil }
    kill(pid, SIGTERM)
    let deadline = ContinuousClock.now + .seconds(20)
    var status: Int32 = 0
    while ContinuousClock.now < deadline {
      let r = waitpid(pid, &status, WNOHANG)
      if r == pid {
        reaped = true
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return nil
  }

  deinit {
    if pid > 0, !reaped {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
  }

  struct Reply {
    let status: Int
    let body: Data
    let headers: [String: String]

    var json: [String: Any] {
      get throws {
        try #require(
          try JSONSerialization.jsonObject(with: body) as? [String: Any],
          "body: \(String(decoding: body, as: UTF8.self))")
      }
    }

    /// The error's code, checking the error shape.
    var errorCode: String? {
      guard let object = try? json, let error = object["error"] as? [String: Any], error["message"] is String else {
        return nil
      }
      return error["code"] as? String
    }
  }

  /// One HTTP request: `body` is sent as given (raw bytes), or `json` encoded.
  func request(
    _ method: String, _ path: String, token: String?, json: [String: Any]? = nil, body: Data? = nil,
    headers: [String: String] = [:]
  ) async throws -> Reply {
    var request = URLRequest(url: URL(string: base + path)!)
    request.httpMethod = method
    if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
    if let json { request.httpBody = try JSONSerialization.data(withJSONObject: json) }
    if let body { request.httpBody = body }
    if request.httpBody != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    var out: [String: String] = [:]
    for (k, v) in http.allHeaderFields { out["\(k)".lowercased()] = "\(v)" }
    return Reply(status: http.statusCode, body: data, headers: out)
  }

  /// Starts a session for `user` in `project` and returns its id.
  func startSession(_ user: String, project: String = "p1") async throws -> String {
    let reply = try await request(
      "POST", "/start_session", token: tokens[user], json: ["project_id": project, "user_id": user])
    try #require(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
    return try #require(try reply.json["session_id"] as? String)
  }

  /// The server's port.
  var port: UInt16 { UInt16(base.split(separator: ":").last.map(String.init) ?? "") ?? 0 }

  /// Sends `bytes` on a raw TCP connection to the server and, unless `hangUp`, reads the reply
  /// until the server closes or 10 s pass; with `hangUp`, waits `pause` then closes mid-request.
  func raw(
    _ bytes: [UInt8], hangUp: Bool = false, pause: Duration = .milliseconds(300), whileOpen: () -> Void = {}
  ) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    try #require(connected == 0)
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { break }  // the server answered early (413) and closed
      offset += n
    }
    if hangUp {
      Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
      whileOpen()
      return ""
    }
    var reply = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 65536)
    for _ in 0..<10_000 {
      let n = recv(fd, &chunk, chunk.count, 0)
      if n <= 0 { break }
      reply += chunk[0..<n]
      if let text = String(bytes: reply, encoding: .utf8), text.contains("\r\n\r\n"), text.hasSuffix("}") { break }
    }
    return String(decoding: reply, as: UTF8.self)
  }

  /// The object files and loose-object counts of a project, as the real git CLI sees them.
  func objects(_ project: String = "p1") throws -> String {
    let dir = projects + "/" + project
    let gitDir = try runGit(["rev-parse", "--absolute-git-dir"], in: dir).stdout.trimmingCharacters(
      in: .whitespacesAndNewlines)
    let files = try runCommand("/usr/bin/env", ["find", gitDir + "/objects", "-type", "f"]).stdout
    let count = try runGit(["count-objects", "-v"], in: dir).stdout
    return files.split(separator: "\n").sorted().joined(separator: "\n") + "\n" + count
  }

  /// Every ref and HEAD of a project, as the real git CLI sees them.
  func refs(_ project: String = "p1") throws -> String {
    let dir = projects + "/" + project
    let refs = try runGit(["for-each-ref", "--format=%(refname) %(objectname)"], in: dir).stdout
    let head = try runGit(["rev-parse", "HEAD"], in: dir).stdout
    return refs + head
  }
}
