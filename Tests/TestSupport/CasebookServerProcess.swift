import CSpawn
import Foundation

/// Where the built `casebook` and the templates are, for tests that run the real binary:
/// `CASEBOOK_BIN`, else beside the test bundle, else `.build/debug` of the checkout.
public enum CasebookBuild {
  public static let binary: String = {
    if let env = ProcessInfo.processInfo.environment["CASEBOOK_BIN"] { return env }
    var candidates = [
      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("casebook")
    ]
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<4 {
      candidates.append(dir.appendingPathComponent(".build/debug/casebook"))
      dir.deleteLastPathComponent()
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? "casebook"
  }()

  /// The checkout's `templates` folder.
  public static let templates: String = {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<4 {
      dir.deleteLastPathComponent()
      let candidate = dir.appendingPathComponent("templates")
      if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("gate-0/template.yaml").path) {
        return candidate.path
      }
    }
    return "templates"
  }()

  /// Starts `args` (the binary first) with no signal blocked (Foundation's Process would pass on
  /// the test runner's blocked signals), its standard output to `log` and its standard error to
  /// `log.err`, and waits up to 30 s for its `listening on URL` line. Returns the process and the
  /// URL. Spawned from `Spawner`'s long-lived thread, since casebook_spawn ties the child's life
  /// to the spawning thread.
  public static func startServer(_ args: [String], environment: [String: String], log: String) throws -> (
    pid: pid_t, base: String
  ) {
    let argv = args.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    let out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    let err = open(log + ".err", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    defer {
      close(out)
      close(err)
    }
    let spawned = Spawner.shared.run { () -> (Int32, pid_t) in
      var child: pid_t = 0
      let rc = casebook_spawn(args[0], argv, envp, out, err, 0, &child)
      return (rc, child)
    }
    guard spawned.0 == 0 else { throw FixtureError("cannot start \(args[0]): error \(spawned.0)") }
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
      if let text = try? String(contentsOfFile: log, encoding: .utf8), let line = text.split(separator: "\n").first,
        line.hasPrefix("listening on ")
      {
        return (spawned.1, String(line.dropFirst("listening on ".count)))
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    let stderr = (try? String(contentsOfFile: log + ".err", encoding: .utf8)) ?? ""
    throw FixtureError("the server did not start: \(stderr)")
  }
}
