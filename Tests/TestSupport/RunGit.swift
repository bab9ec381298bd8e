import Foundation

/// A HOME for the git CLI with only user.name/user.email set, so that tests don't depend on the
/// developer's or CI's own git configuration. Made once per test process.
private let gitHome: String = {
  // One fixed directory, rewritten atomically with the same content by every test process, so
  // that runs leave nothing new behind.
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("casebook-git-test-home")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  let config = """
    [user]
    \tname = Casebook Test
    \temail = test@casebook.invalid
    [init]
    \tdefaultBranch = main
    [safe]
    \tdirectory = *

    """
  try? config.write(to: url.appendingPathComponent(".gitconfig"), atomically: true, encoding: .utf8)
  return url.path
}()

/// Runs `/usr/bin/git <args>` in `dir` with a clean environment (no system config, HOME with only
/// a user identity, no terminal prompt) and returns its exit status and output. `extra` is added
/// to that environment last (GIT_SSH_COMMAND, GIT_SSL_CAINFO, SSH_AUTH_SOCK, ...).
public func runGit(_ args: [String], in dir: String, environment extra: [String: String] = [:]) throws -> (
  status: Int32, stdout: String, stderr: String
) {
  var environment = ProcessInfo.processInfo.environment.filter {
    !$0.key.hasPrefix("GIT_") && !$0.key.hasPrefix("SSH_")
  }
  environment["GIT_CONFIG_NOSYSTEM"] = "1"
  environment["HOME"] = gitHome
  environment["XDG_CONFIG_HOME"] = gitHome + "/.config"
  environment["LC_ALL"] = "C"
  // A refused password or key fails at once instead of asking.
  environment["GIT_TERMINAL_PROMPT"] = "0"
  environment.merge(extra) { $1 }
  return try runCommand("/usr/bin/git", args, in: dir, environment: environment)
}

/// Runs `executable` with `args` in `dir` (the current folder if nil), with `environment` (the
/// test process's own if nil), and returns its exit status and output. Output goes through
/// temporary files, not pipes, so a large output cannot dead-lock the child.
public func runCommand(
  _ executable: String, _ args: [String], in dir: String? = nil, environment: [String: String]? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
  let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-out-\(UUID().uuidString)")
  let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-err-\(UUID().uuidString)")
  _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
  defer {
    try? FileManager.default.removeItem(at: outURL)
    try? FileManager.default.removeItem(at: errURL)
  }
  let outHandle = try FileHandle(forWritingTo: outURL)
  let errHandle = try FileHandle(forWritingTo: errURL)

  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = args
  if let dir { process.currentDirectoryURL = URL(fileURLWithPath: dir, isDirectory: true) }
  if let environment { process.environment = environment }
  process.standardOutput = outHandle
  process.standardError = errHandle
  try process.run()
  process.waitUntilExit()
  try outHandle.close()
  try errHandle.close()
  let stdout = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
  let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
  return (process.terminationStatus, stdout, stderr)
}
