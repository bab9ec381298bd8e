import Foundation
import Testing

@testable import Casebook
@testable import TextExtraction

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The child-process runner behind PDF extraction, on real processes started through `/bin/sh`:
/// what it collects, and that no child can make it hang, flood it, or leak descriptors.
/// Serialized so that the descriptor tests see only their own runs from this suite (other suites
/// still run beside them, which is why those tests look only at pipes they can name).
@Suite(.serialized) struct ChildProcessTests {
  /// `script` run by `/bin/sh -c`, with the time it took.
  static func sh(_ script: String, timeLimit: Duration = .seconds(30), outputLimit: Int = 1 << 20) throws
    -> (output: ChildProcess.Output, took: Duration)
  {
    let clock = ContinuousClock()
    let start = clock.now
    let output = try ChildProcess.run(
      "/bin/sh", arguments: ["-c", script], timeLimit: timeLimit, outputLimit: outputLimit)
    return (output, clock.now - start)
  }

  static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

  @Test("a normal exit: status 0, all of stdout, nothing on stderr")
  func normalExit() throws {
    let (run, _) = try Self.sh("printf 'one\\ntwo'")
    #expect(run.termination == .exited(0))
    #expect(Self.text(run.stdout) == "one\ntwo")
    #expect(run.stderr.isEmpty)
    #expect(!run.timedOut && !run.overflowed)
  }

  @Test("a failure: its exit status and its stderr")
  func failure() throws {
    let (run, _) = try Self.sh("echo 'first line' >&2; echo 'second line' >&2; exit 3")
    #expect(run.termination == .exited(3))
    #expect(Self.text(run.stderr) == "first line\nsecond line\n")
    #expect(!run.timedOut && !run.overflowed)
  }

  @Test("megabytes on stderr beside a little stdout: read to the end, kept to its first 2000 bytes")
  func stderrFlood() throws {
    let (run, took) = try Self.sh("head -c 8000000 /dev/zero >&2; echo done", timeLimit: .seconds(20))
    #expect(run.termination == .exited(0))
    #expect(Self.text(run.stdout) == "done\n")
    #expect(run.stderr.count == ChildProcess.stderrLimit)
    #expect(!run.timedOut)
    #expect(took < .seconds(10))
  }

  @Test("stdout over the cap: killed at once and reported as an overflow")
  func overflow() throws {
    let (run, took) = try Self.sh("exec yes", outputLimit: 1 << 20)
    #expect(run.overflowed)
    #expect(!run.timedOut)
    #expect(run.termination == .signalled(SIGKILL))
    #expect(run.stdout.count > 1 << 20)
    #expect(took < .seconds(5))
  }

  @Test("exactly the cap is not an overflow")
  func exactlyTheCap() throws {
    let (run, _) = try Self.sh("head -c 100000 /dev/zero", outputLimit: 100_000)
    #expect(run.termination == .exited(0))
    #expect(run.stdout.count == 100_000)
    #expect(!run.overflowed)
  }

  @Test("a child still running at the deadline is killed, and the run returns soon after")
  func deadline() throws {
    let (run, took) = try Self.sh("exec sleep 30", timeLimit: .milliseconds(500))
    #expect(run.timedOut)
    #expect(!run.overflowed)
    #expect(run.termination == .signalled(SIGKILL))
    #expect(took >= .milliseconds(500))
    #expect(took < .seconds(5))
  }

  @Test("a child that closes stdout and stderr but goes on running still meets the deadline")
  func closesEarly() throws {
    let (run, took) = try Self.sh("exec >&- 2>&-; exec sleep 30", timeLimit: .milliseconds(500))
    #expect(run.timedOut)
    #expect(run.termination == .signalled(SIGKILL))
    #expect(took < .seconds(5))
  }

  @Test("a grandchild holding the pipes open does not hold the run past its deadline")
  func grandchild() throws {
    let (run, took) = try Self.sh("sleep 3 & wait", timeLimit: .milliseconds(500))
    #expect(run.timedOut)
    #expect(took < .seconds(2))
  }

  @Test("a child ended by a signal is reported with that signal")
  func signalled() throws {
    let (run, _) = try Self.sh("kill -TERM $$; sleep 30")
    #expect(run.termination == .signalled(SIGTERM))
    #expect(!run.timedOut && !run.overflowed)
  }

  @Test("a missing executable is a spawn error with the system's message")
  func missingExecutable() throws {
    #expect {
      _ = try ChildProcess.run(
        "/nonexistent/casebook-no-such-tool", arguments: [], timeLimit: .seconds(5), outputLimit: 1 << 20)
    } throws: { error in
      (error as? ChildProcess.SpawnError)?.message == String(cString: strerror(ENOENT))
    }
  }

  /// Whether this system lists a process's descriptors in `/proc/self/fd` (Linux).
  static let hasProcFD = FileManager.default.fileExists(atPath: "/proc/self/fd")

  @Test("standard input is /dev/null, as the child itself sees its fd 0", .enabled(if: hasProcFD))
  func stdinIsDevNull() throws {
    // Asked of the child, not inferred from `cat` ending: the test runner's own stdin may be
    // /dev/null too, and then an inherited stdin would pass as well.
    let (run, _) = try Self.sh("readlink /proc/self/fd/0", timeLimit: .seconds(10))
    #expect(run.termination == .exited(0))
    #expect(Self.text(run.stdout) == "/dev/null\n")
  }

  /// The pipes this process holds, as the kernel names them ("pipe:[12345]"). A pipe's number
  /// is not reused soon after it is closed, so one seen here is still open.
  static func heldPipes() -> Set<String> {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return Set(
      fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
        .filter { $0.hasPrefix("pipe:") })
  }

  /// The pipe names a child printed with `readlink /proc/$$/fd/1 /proc/$$/fd/2`.
  static func pipes(in bytes: [UInt8]) -> [String] {
    text(bytes).split(separator: "\n").map(String.init).filter { $0.hasPrefix("pipe:") }
  }

  @Test("no descriptor is left open, after good runs, failures, kills or spawn errors", .enabled(if: hasProcFD))
  func noDescriptorLeak() throws {
    // Each child names its own stdout and stderr pipes (on stderr, which an overflow does not
    // cut short); once the run has returned, this process must hold neither. Only these pipes
    // are looked at, so other suites opening and closing descriptors meanwhile cannot hide a
    // leak or fake one.
    let names = "readlink /proc/$$/fd/1 /proc/$$/fd/2 >&2; "
    for round in 0..<12 {
      let run: ChildProcess.Output
      switch round % 4 {
      case 0: run = try Self.sh(names + "echo out").output
      case 1: run = try Self.sh(names + "exit 7").output
      case 2: run = try Self.sh(names + "exec yes", outputLimit: 4096).output
      default: run = try Self.sh(names + "exec sleep 5", timeLimit: .seconds(1)).output
      }
      let pipes = Self.pipes(in: run.stderr)
      #expect(pipes.count == 2, "round \(round): the child named \(pipes)")
      let held = Self.heldPipes().intersection(pipes)
      #expect(held.isEmpty, "round \(round): still open after the run: \(held)")
    }
    // A spawn error has no child to name its pipes, and other suites open and close pipes of
    // their own meanwhile (a few dozen at most at any moment). So: 300 spawn errors, each of
    // which would leak two pipes if the error path forgot them; 600 new pipes cannot hide among
    // the others' few dozen.
    let before = Self.heldPipes()
    for _ in 0..<300 {
      _ = try? ChildProcess.run("/nonexistent/tool", arguments: [], timeLimit: .seconds(1), outputLimit: 1)
    }
    let appeared = Self.heldPipes().subtracting(before)
    #expect(appeared.count < 100, "\(appeared.count) new pipes open after 300 spawn errors")
  }

  @Test("a child inherits only 0, 1 and 2, even while another run is in flight", .enabled(if: hasProcFD))
  func closeOnExec() async throws {
    let other = Task.detached { try Self.sh("readlink /proc/$$/fd/1 /proc/$$/fd/2; exec sleep 1").output }
    try await Task.sleep(for: .milliseconds(300))
    let (run, _) = try Self.sh("exec ls -l /proc/self/fd")
    let otherRun = try await other.value
    #expect(run.termination == .exited(0))
    let listing = Self.text(run.stdout)
    // 0, 1, 2 and the descriptor ls reads the folder with.
    let entries = listing.split(separator: "\n").filter { $0.contains(" -> ") }
    #expect(entries.count <= 4, "the child held: \(entries)")
    let otherPipes = Self.pipes(in: otherRun.stdout)
    #expect(otherPipes.count == 2, "the run in flight named \(otherPipes)")
    for pipe in otherPipes { #expect(!listing.contains(pipe), "inherited \(pipe) of the run in flight") }
  }

  @Test(
    "a huge time limit neither traps nor times out",
    arguments: [
      Duration.seconds(18_000_000_000), .seconds(Int64.max / 4), .seconds(Int64.max),
    ])
  func hugeTimeLimit(limit: Duration) throws {
    let (run, _) = try Self.sh("exit 0", timeLimit: limit)
    #expect(run.termination == .exited(0))
    #expect(!run.timedOut)
  }

  @Test("poll timeouts: milliseconds rounded up, clamped to Int32")
  func pollMilliseconds() {
    #expect(ChildProcess.milliseconds(.zero) == 0)
    #expect(ChildProcess.milliseconds(.nanoseconds(-5)) == 0)
    #expect(ChildProcess.milliseconds(.nanoseconds(1)) == 1)
    #expect(ChildProcess.milliseconds(.milliseconds(1)) == 1)
    #expect(ChildProcess.milliseconds(.microseconds(1001)) == 2)
    #expect(ChildProcess.milliseconds(.seconds(120)) == 120_000)
    #expect(ChildProcess.milliseconds(.milliseconds(Int32.max) - .nanoseconds(1)) == Int32.max)
    #expect(ChildProcess.milliseconds(.seconds(Int64.max)) == Int32.max)
  }
}

/// PDF extraction's own messages for a run that hits a limit, with the limits made small.
@Suite struct PDFTextLimitTests {
  static let hasPdftotext = PDFText.executable("pdftotext") != nil

  static func pdfFile() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("casebook-\(UUID().uuidString).pdf").path
    try DocumentFixtures.pdf(pages: [["First page"], ["Second page"]]).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test("two pages read back as two pages", .enabled(if: hasPdftotext, "pdftotext is not installed"))
  func reads() throws {
    let path = try Self.pdfFile()
    defer { unlink(path) }
    let text = try PDFText.extract(path: path, name: "two.pdf")
    #expect(text.pages.count == 2)
    #expect(text.text.contains("First page") && text.text.contains("Second page"))
  }

  @Test("over the time limit", .enabled(if: hasPdftotext, "pdftotext is not installed"))
  func timeLimit() throws {
    let path = try Self.pdfFile()
    defer { unlink(path) }
    #expect {
      _ = try PDFText.extract(path: path, name: "slow.pdf", timeLimit: .zero)
    } throws: { error in
      error as? ExtractionError
        == .badInput(
          "slow.pdf: pdftotext took longer than 0 s (CASEBOOK_PDF_SECONDS sets the limit); nothing was stored")
    }
  }

  @Test("over the output limit", .enabled(if: hasPdftotext, "pdftotext is not installed"))
  func outputLimit() throws {
    let path = try Self.pdfFile()
    defer { unlink(path) }
    #expect {
      _ = try PDFText.extract(path: path, name: "big.pdf", outputLimit: 4)
    } throws: { error in
      error as? ExtractionError == .badInput("big.pdf: its text is larger than 4 bytes; nothing was stored")
    }
  }

  @Test("limits in messages: the defaults as documented, small limits as they are")
  func describedLimits() {
    #expect(PDFText.describe(PDFText.defaultTimeLimit) == "30 s")
    #expect(PDFText.describe(bytes: PDFText.outputLimit) == "32 MiB")
    #expect(PDFText.describe(.zero) == "0 s")
    #expect(PDFText.describe(.milliseconds(250)) == "250 ms")
    #expect(PDFText.describe(.milliseconds(1500)) == "1500 ms")
    #expect(PDFText.describe(.microseconds(20)) == "20 µs")
    #expect(PDFText.describe(bytes: 4) == "4 bytes")
    #expect(PDFText.describe(bytes: 1) == "1 byte")
    #expect(PDFText.describe(bytes: 8 << 10) == "8 KiB")
    #expect(PDFText.describe(bytes: 1_500_000) == "1500000 bytes")
  }

  @Test("a broken PDF: pdftotext's first line of stderr", .enabled(if: hasPdftotext, "pdftotext is not installed"))
  func broken() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("casebook-\(UUID().uuidString).pdf").path
    try Data("%PDF-1.4\nnot really a PDF at all\n%%EOF\n".utf8).write(to: URL(fileURLWithPath: path))
    defer { unlink(path) }
    #expect {
      _ = try PDFText.extract(path: path, name: "broken.pdf")
    } throws: { error in
      guard case .badInput(let message)? = error as? ExtractionError else { return false }
      return message.hasPrefix("broken.pdf is not a readable PDF (pdftotext failed: ")
        && message.hasSuffix("); nothing was stored") && !message.contains("\n")
    }
  }
}

/// Finding `pdftotext` on a search path laid out for the test.
@Suite struct PDFTextExecutableTests {
  /// A new empty folder under the temporary folder.
  static func folder() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("casebook-path-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
  }

  /// A file at `path` with permissions `mode`.
  static func file(_ path: String, mode: Int) throws {
    try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
  }

  @Test("a tool on no folder of the path: nil")
  func missing() throws {
    let empty = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(PDFText.executable("casebook-tool", searchPath: "\(empty):/nonexistent-casebook-folder") == nil)
  }

  @Test("a folder or a file without the execute bit is skipped; the first executable file wins")
  func order() throws {
    let folders = try (0..<4).map { _ in try Self.folder() }
    defer { for folder in folders { try? FileManager.default.removeItem(atPath: folder) } }
    try FileManager.default.createDirectory(atPath: "\(folders[0])/casebook-tool", withIntermediateDirectories: false)
    try Self.file("\(folders[1])/casebook-tool", mode: 0o644)
    try Self.file("\(folders[2])/casebook-tool", mode: 0o755)
    try Self.file("\(folders[3])/casebook-tool", mode: 0o755)
    #expect(
      PDFText.executable("casebook-tool", searchPath: folders.joined(separator: ":")) == "\(folders[2])/casebook-tool")
    // Only the folder and the plain file: nothing to run.
    #expect(PDFText.executable("casebook-tool", searchPath: "\(folders[0])::\(folders[1])") == nil)
    // The default is this process's PATH.
    #expect(PDFText.executable("sh") == PDFText.executable("sh", searchPath: PDFText.environmentPath))
  }
}
