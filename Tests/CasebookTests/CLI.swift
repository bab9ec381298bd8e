import Foundation
import TestSupport
import Testing

/// One row of a bad-input table: the command (built from the suite's fixture), who runs it, and
/// the exit code and message part it must be refused with (see `CLI.expectRefused`).
struct Refusal<Fixture>: CustomTestStringConvertible, Sendable {
  let name: String
  var user = "alice"
  let status: Int32
  let message: String
  let args: @Sendable (Fixture) -> [String]
  var testDescription: String { name }
}

/// Runs the built `casebook` binary, as a user or an agent would.
struct CLI {
  let home: TemporaryDirectory
  let root: String
  var user = "alice"

  init() throws {
    home = try TemporaryDirectory()
    root = home.path
  }

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String

    /// The one JSON object a `--json` command prints.
    var json: [String: Any] {
      get throws {
        let data = Data(stdout.utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "stdout: \(stdout)")
      }
    }
  }

  static let binary = CasebookBuild.binary
  static let templates = CasebookBuild.templates

  /// The environment the binary runs with: a home of its own (no user or system git config),
  /// `user` as the Casebook user, the checkout's templates, and no repository or session from
  /// the caller's environment.
  static func environment(home: String, user: String) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["HOME"] = home
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["CASEBOOK_USER"] = user
    env["CASEBOOK_TEMPLATES"] = CLI.templates
    env["CASEBOOK_REPO"] = nil
    env["CASEBOOK_SESSION"] = nil
    return env
  }

  /// Runs `casebook ARGS` in the project folder with stdin from `input`.
  @discardableResult
  func run(_ args: [String], stdin input: String? = nil, in directory: String? = nil, env extra: [String: String] = [:])
    throws -> Result
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = args
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? root)
    var env = Self.environment(home: root, user: user)
    for (k, v) in extra { env[k] = v }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    let inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    // Read both pipes before waiting, so a large output cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Runs a command that must succeed with `--json`, returning its object.
  func ok(_ args: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> [String: Any]
  {
    let result = try run(args + ["--json"], stdin: stdin)
    #expect(
      result.status == 0, "casebook \(args.joined(separator: " ")) failed: \(result.stdout) \(result.stderr)",
      sourceLocation: sourceLocation)
    return try result.json
  }

  /// Writes a file under the test's folder and returns its path.
  func file(_ name: String, _ text: String) throws -> String {
    let url = URL(fileURLWithPath: root).appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url.path
  }

  func file(_ name: String, bytes: [UInt8]) throws -> String {
    let url = URL(fileURLWithPath: root).appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  /// `git ARGS` in `directory`, which must succeed.
  func git(_ args: [String], in directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let result = try runGit(args, in: directory)
    #expect(result.status == 0, "git \(args.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
    return result.stdout
  }

  /// Everything about a repository that a failed command must leave as it was: every ref with
  /// its target, HEAD, the set of object files, and the working tree's status.
  func state(of repo: String) throws -> String {
    let refs = try git(["for-each-ref", "--format=%(refname) %(objectname)"], in: repo)
    let head = try git(["symbolic-ref", "-q", "HEAD"], in: repo)
    let status = try git(["status", "--porcelain", "--untracked-files=all"], in: repo)
    let objects = try FileManager.default.subpathsOfDirectory(atPath: repo + "/.git/objects").sorted().joined(
      separator: "\n")
    return [refs, head, status, objects].joined(separator: "\n--\n")
  }

  /// Runs a command that must be refused: its exit code and message (plain and `--json`), and
  /// the repository left exactly as it was (refs, HEAD, objects, working tree), `fsck` clean.
  func expectRefused(
    _ given: [String], repo: String, status: Int32, message: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let before = try state(of: repo)
    let args = given.contains("--repo") ? given : given + ["--repo", repo]
    let plain = try run(args)
    #expect(plain.status == status, "exit \(plain.status): \(plain.stderr)", sourceLocation: sourceLocation)
    #expect(
      plain.stderr.lowercased().contains(message.lowercased()), "stderr: \(plain.stderr)",
      sourceLocation: sourceLocation)
    #expect(plain.stdout.isEmpty || status == 64, "stdout: \(plain.stdout)", sourceLocation: sourceLocation)
    let json = try run(args + ["--json"])
    #expect(json.status == status, sourceLocation: sourceLocation)
    let error = try #require(
      try json.json["error"] as? [String: Any], "stdout: \(json.stdout)", sourceLocation: sourceLocation)
    #expect((error["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(try state(of: repo) == before, "the repository changed", sourceLocation: sourceLocation)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0, sourceLocation: sourceLocation)
  }

  /// A new project at `<root>/project` made through the CLI, with an active session.
  func project() throws -> (path: String, session: String) {
    let path = root + "/project"
    _ = try ok([
      "init", path, "--template", "gate-0", "--project-id", "abc123", "--title", "Building Accessibility Upgrade",
    ])
    let session = try ok(["session", "start", "--repo", path])["session_id"] as? String
    return (path, try #require(session))
  }
}
