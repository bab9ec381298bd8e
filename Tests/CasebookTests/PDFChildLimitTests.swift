import CSpawn
import Foundation
import TestSupport
import Testing

@testable import Casebook
@testable import TextExtraction

/// `pdftotext`'s limits as the CLI applies them: a configurable time limit, a memory limit, and a
/// life no longer than Casebook's. What is tested is Casebook's handling of the child, so most
/// of these put a stand-in `pdftotext` (a shell script) first on PATH: a slow PDF for the real
/// one would take minutes to craft and seconds to run.
@Suite("PDF extraction: time, memory and the child's life")
struct PDFChildLimitTests {
  static let hasProc = FileManager.default.fileExists(atPath: "/proc/self/stat")

  /// A project with a session, a folder `bin` for stand-in tools, and a file that passes as a
  /// PDF (the stand-ins never read it).
  struct Fixture {
    let cli: CLI
    let repo: String
    let s: String
    let pdf: String

    init(tool script: String) throws {
      cli = try CLI()
      (repo, s) = try cli.project()
      pdf = try cli.file("report.pdf", "%PDF-1.4\n% a stand-in; the stand-in pdftotext does not read it\n%%EOF\n")
      let tool = try cli.file("bin/pdftotext", "#!/bin/sh\n" + script + "\n")
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool)
    }

    /// PATH with the stand-ins first, and `extra` on top.
    func env(_ extra: [String: String] = [:]) -> [String: String] {
      var env = ["PATH": cli.root + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
      for (k, v) in extra { env[k] = v }
      return env
    }

    var add: [String] { ["input", "add", pdf, "--session", s, "--repo", repo] }

    /// Runs `input add`, which must be refused with exit 1 and `message`, leaving the
    /// repository exactly as it was.
    func expectRefused(
      _ extra: [String: String], message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CLI.Result {
      let before = try cli.state(of: repo)
      let result = try cli.run(add, env: env(extra))
      #expect(result.status == 1, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
      #expect(result.stderr.contains(message), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
      #expect(result.stdout.isEmpty, "stdout: \(result.stdout)", sourceLocation: sourceLocation)
      #expect(try cli.state(of: repo) == before, "the repository changed", sourceLocation: sourceLocation)
      return result
    }
  }

  // MARK: - Time

  @Test("CASEBOOK_PDF_SECONDS limits the run; the slow child is killed, nothing stored")
  func timeLimit() throws {
    let fixture = try Fixture(tool: "exec sleep 60")
    let start = ContinuousClock.now
    _ = try fixture.expectRefused(["CASEBOOK_PDF_SECONDS": "1"], message: "pdftotext took longer than 1 s")
    #expect(ContinuousClock.now - start < .seconds(20))
  }

  @Test(
    "a limit that is not a whole number in range is refused, not ignored",
    arguments: [
      ("CASEBOOK_PDF_SECONDS", "0"), ("CASEBOOK_PDF_SECONDS", "abc"), ("CASEBOOK_PDF_SECONDS", "3601"),
      ("CASEBOOK_PDF_SECONDS", "-5"), ("CASEBOOK_PDF_SECONDS", "1.5"), ("CASEBOOK_PDF_MEMORY_MIB", "1"),
      ("CASEBOOK_PDF_MEMORY_MIB", "99999999999"),
    ])
  func badSetting(_ name: String, _ value: String) throws {
    let fixture = try Fixture(tool: "echo text")
    _ = try fixture.expectRefused([name: value], message: "\(name) must be a whole number")
  }

  // MARK: - Memory

  @Test("the child's address space is limited: 1 GiB by default, CASEBOOK_PDF_MEMORY_MIB otherwise")
  func memoryLimit() throws {
    // `ulimit -v` prints the limit the stand-in runs under, in KiB: it becomes the input's text.
    let fixture = try Fixture(tool: "ulimit -v")
    for (setting, expected) in [(nil, "1048576"), ("256", "262144")] as [(String?, String)] {
      let result = try fixture.cli.run(
        fixture.add + ["--json"], env: fixture.env(setting.map { ["CASEBOOK_PDF_MEMORY_MIB": $0] } ?? [:]))
      #expect(result.status == 0, "\(result.stderr)")
      let id = try #require(try result.json["input_id"] as? String)
      let shown = try fixture.cli.run(["input", "show", id, "--session", fixture.s, "--repo", fixture.repo])
      #expect(shown.stdout.contains(expected), "\(shown.stdout)")
      // The same bytes again would be the same input; make the next run's file new.
      try Data("%PDF-1.4\n% another\n".utf8).write(to: URL(fileURLWithPath: fixture.pdf))
    }
  }

  @Test("a child that outgrows the limit fails, nothing stored")
  func memoryExhausted() throws {
    // The stand-in builds a 256 MiB shell variable under a 64 MiB limit (and would print
    // "fine", and be stored, without one).
    let fixture = try Fixture(tool: "x=$(head -c 268435456 /dev/zero | tr '\\0' a) || exit 1; echo fine")
    _ = try fixture.expectRefused(["CASEBOOK_PDF_MEMORY_MIB": "64"], message: "pdftotext failed")
  }

  @Test("pdftotext's own out-of-memory abort is reported as the memory limit")
  func memoryMessage() throws {
    // What poppler, a C++ program, prints when an allocation fails, before it aborts.
    let fixture = try Fixture(
      tool: "echo \"terminate called after throwing an instance of 'std::bad_alloc'\" >&2; kill -ABRT $$")
    _ = try fixture.expectRefused(
      ["CASEBOOK_PDF_MEMORY_MIB": "100"], message: "pdftotext ran out of its 100 MiB memory limit")
  }

  @Test("ChildProcess applies the memory limit it is given, and none when given none")
  func childProcessMemoryLimit() throws {
    let limited = try ChildProcess.run(
      "/bin/sh", arguments: ["-c", "ulimit -v"], timeLimit: .seconds(10), outputLimit: 1 << 10,
      memoryLimit: 64 << 20)
    #expect(String(decoding: limited.stdout, as: UTF8.self) == "65536\n")
    let free = try ChildProcess.run(
      "/bin/sh", arguments: ["-c", "ulimit -v"], timeLimit: .seconds(10), outputLimit: 1 << 10)
    #expect(String(decoding: free.stdout, as: UTF8.self) == "unlimited\n")
  }

  // MARK: - Output

  @Test("a flood of pages is refused at the locator cap, nothing stored")
  func pageFlood() throws {
    let fixture = try Fixture(tool: "head -c \(ExtractedText.maxLocators + 1) /dev/zero | tr '\\0' '\\f'")
    _ = try fixture.expectRefused([:], message: "more than \(ExtractedText.maxLocators) pages")
  }

  // MARK: - The child's life

  /// The pids whose parent is `parent`, with their command names, from /proc.
  static func children(of parent: pid_t) -> [(pid: pid_t, name: String)] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> (pid_t, String)? in
      guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
      else { return nil }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 1, pid_t(fields[1]) == parent else { return nil }
      return (pid, String(stat[stat.index(after: open)..<close]))
    }
  }

  /// Whether `pid` is still running: it exists and is not a zombie (a zombie has ended, and
  /// waits only for whoever adopted it to reap it).
  static func isRunning(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state != "Z" && state != "X"
  }

  /// Starts `path` with no signal blocked or handled (see `casebook_spawn`), its output on
  /// /dev/null; returns its pid.
  static func start(_ path: String, _ arguments: [String], environment: [String: String]) throws -> pid_t {
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in argv + envp { free(pointer) } }
    let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
    try #require(null >= 0)
    defer { close(null) }
    var pid: pid_t = 0
    let rc = casebook_spawn(path, argv, envp, null, null, 0, &pid)
    try #require(rc == 0, "cannot start \(path): \(String(cString: strerror(rc)))")
    return pid
  }

  /// Waits for `pid` and returns its raw wait status.
  static func wait(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    return status
  }

  @Test(
    "pdftotext dies with casebook, however casebook ends", .enabled(if: hasProc, "needs /proc"),
    arguments: [SIGTERM, SIGKILL, SIGINT])
  func childDiesWithParent(_ signal: Int32) throws {
    let fixture = try Fixture(tool: "exec sleep 60")
    var env = CLI.environment(home: fixture.cli.root, user: fixture.cli.user)
    for (k, v) in fixture.env(["CASEBOOK_PDF_SECONDS": "60"]) { env[k] = v }
    let casebook = try Self.start(CLI.binary, fixture.add, environment: env)
    var reaped = false
    defer {
      if !reaped {
        kill(casebook, SIGKILL)
        _ = Self.wait(casebook)
      }
    }

    // Wait (at most 20 s) for casebook to start the stand-in.
    var child: pid_t?
    let start = ContinuousClock.now
    while child == nil, ContinuousClock.now - start < .seconds(20), Self.isRunning(casebook) {
      child = Self.children(of: casebook).first { $0.name == "sleep" }?.pid
      if child == nil { usleep(20_000) }
    }
    let pid = try #require(child, "casebook never started pdftotext")
    defer { if Self.isRunning(pid) { kill(pid, SIGKILL) } }

    kill(casebook, signal)
    let status = Self.wait(casebook)
    reaped = true
    #expect(status & 0x7f == signal, "casebook ended with status \(status), not by the signal")
    // The kernel kills the orphan at once; allow it a few seconds on a loaded machine.
    let killed = ContinuousClock.now
    while Self.isRunning(pid), ContinuousClock.now - killed < .seconds(5) { usleep(20_000) }
    #expect(!Self.isRunning(pid), "pdftotext (pid \(pid)) outlived casebook")
  }
}
