import Foundation
import Testing

@testable import Casebook

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The child-process runner behind PDF extraction, on real processes started through `/bin/sh`:
/// what it collects, and that no child can make it hang, flood it, or leak descriptors.
/// Serialized because the descriptor count is of the whole test process.
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

  @Test("standard input is /dev/null: cat ends at once")
  func stdinIsDevNull() throws {
    let (run, took) = try Self.sh("exec cat", timeLimit: .seconds(10))
    #expect(run.termination == .exited(0))
    #expect(run.stdout.isEmpty)
    #expect(!run.timedOut)
    #expect(took < .seconds(5))
  }

  /// This process's open descriptors, counted in the kernel's own list of them.
  static func openDescriptors() throws -> Int {
    #if os(Linux)
      try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
    #else
      try FileManager.default.contentsOfDirectory(atPath: "/dev/fd").count
    #endif
  }

  @Test("no descriptor is left open, after good runs, failures, kills or spawn errors")
  func noDescriptorLeak() throws {
    // One run of each kind first, so that whatever the runtime opens once is already open.
    _ = try Self.sh("echo warm")
    let before = try Self.openDescriptors()
    for round in 0..<50 {
      switch round % 5 {
      case 0: _ = try Self.sh("echo out; echo err >&2")
      case 1: _ = try Self.sh("exit 7")
      case 2: _ = try Self.sh("exec yes", outputLimit: 4096)
      case 3: _ = try Self.sh("exec sleep 5", timeLimit: .milliseconds(20))
      default:
        _ = try? ChildProcess.run("/nonexistent/tool", arguments: [], timeLimit: .seconds(1), outputLimit: 1)
      }
    }
    let after = try Self.openDescriptors()
    // Other suites may run beside this one and hold a few descriptors of their own for a
    // moment; a leak of even one per run would show as 10 or more.
    #expect(after - before < 10, "open descriptors: \(before) before 50 runs, \(after) after")
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
      error as? CasebookError == .badInput("slow.pdf: pdftotext took longer than 0 s; nothing was stored")
    }
  }

  @Test("over the output limit", .enabled(if: hasPdftotext, "pdftotext is not installed"))
  func outputLimit() throws {
    let path = try Self.pdfFile()
    defer { unlink(path) }
    #expect {
      _ = try PDFText.extract(path: path, name: "big.pdf", outputLimit: 4)
    } throws: { error in
      error as? CasebookError == .badInput("big.pdf: its text is larger than 0 MiB; nothing was stored")
    }
  }

  @Test("a broken PDF: pdftotext's first line of stderr", .enabled(if: hasPdftotext, "pdftotext is not installed"))
  func broken() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("casebook-\(UUID().uuidString).pdf").path
    try Data("%PDF-1.4\nnot really a PDF at all\n%%EOF\n".utf8).write(to: URL(fileURLWithPath: path))
    defer { unlink(path) }
    #expect {
      _ = try PDFText.extract(path: path, name: "broken.pdf")
    } throws: { error in
      guard case .badInput(let message)? = error as? CasebookError else { return false }
      return message.hasPrefix("broken.pdf is not a readable PDF (pdftotext failed: ")
        && message.hasSuffix("); nothing was stored") && !message.contains("\n")
    }
  }
}
