#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Text from a PDF by poppler's `pdftotext`, page by page (it ends every page with a form feed),
/// run as a child process with a time limit, a memory limit and a cap on what it may print, so a
/// hostile PDF can neither hang nor flood Casebook; it dies with Casebook.
package enum PDFText {
  /// How long `pdftotext` may run unless `CASEBOOK_PDF_SECONDS` says otherwise: long enough for
  /// a few hundred real pages on a slow machine, short enough that a hostile PDF does not hold
  /// up the session for minutes.
  static let defaultTimeLimit: Duration = .seconds(30)
  /// The range `CASEBOOK_PDF_SECONDS` may set.
  static let timeLimitSeconds = 1...3600
  /// The most address space `pdftotext` may have unless `CASEBOOK_PDF_MEMORY_MIB` says
  /// otherwise, in MiB: a thousand-page report takes well under a tenth of it.
  static let defaultMemoryMiB = 1024
  /// The range `CASEBOOK_PDF_MEMORY_MIB` may set.
  static let memoryMiB = 64...(1 << 20)
  /// The most text it may print: as much as Casebook extracts from any text file.
  static let outputLimit = Extraction.maxExtractedBytes

  /// The time limit: `CASEBOOK_PDF_SECONDS` (whole seconds) when set, else `defaultTimeLimit`.
  static func configuredTimeLimit(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
    -> Duration
  {
    try setting("CASEBOOK_PDF_SECONDS", in: environment, range: timeLimitSeconds, unit: "seconds").map {
      .seconds($0)
    } ?? defaultTimeLimit
  }

  /// The memory limit in bytes: `CASEBOOK_PDF_MEMORY_MIB` (whole MiB) when set, else
  /// `defaultMemoryMiB`.
  static func configuredMemoryLimit(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
    -> Int
  {
    (try setting("CASEBOOK_PDF_MEMORY_MIB", in: environment, range: memoryMiB, unit: "MiB") ?? defaultMemoryMiB) << 20
  }

  /// A whole number from the environment, nil when unset or empty; anything else outside
  /// `range` is refused rather than ignored, so that a typo never means no limit.
  private static func setting(_ name: String, in environment: [String: String], range: ClosedRange<Int>, unit: String)
    throws -> Int?
  {
    guard let text = environment[name], !text.isEmpty else { return nil }
    guard text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), range.contains(value)
    else {
      throw ExtractionError.badInput(
        "\(name) must be a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound), not '\(printable(text))'"
      )
    }
    return value
  }

  /// The text of the PDF at `path`; `name` is how messages call it. The limits are parameters
  /// so that tests can reach them without a large or slow PDF; nil takes the configured one.
  static func extract(
    path: String, name: String, timeLimit: Duration? = nil, outputLimit: Int = outputLimit, memoryLimit: Int? = nil
  ) throws -> ExtractedText {
    let timeLimit = try timeLimit ?? configuredTimeLimit()
    let memoryLimit = try memoryLimit ?? configuredMemoryLimit()
    guard let tool = executable("pdftotext") else {
      throw ExtractionError.environment(
        "cannot read PDF \(name): pdftotext is not installed (Debian/Ubuntu: apt-get install poppler-utils, or make setup)"
      )
    }
    let run: ChildProcess.Output
    do {
      run = try ChildProcess.run(
        tool, arguments: ["-enc", "UTF-8", "-eol", "unix", path, "-"], timeLimit: timeLimit,
        outputLimit: outputLimit, memoryLimit: memoryLimit)
    } catch {
      throw ExtractionError.environment("cannot run pdftotext for \(name): \(error.message)")
    }
    // Casebook, not the PDF, failed here (pdftotext was killed because its output could no
    // longer be waited for): calling the PDF unreadable would send the user after the wrong file.
    if let failure = run.failure {
      throw ExtractionError.environment("cannot read pdftotext's output for \(name): \(failure)")
    }
    if run.timedOut {
      throw ExtractionError.badInput(
        "\(name): pdftotext took longer than \(describe(timeLimit)) (CASEBOOK_PDF_SECONDS sets the limit); nothing was stored"
      )
    }
    if run.overflowed {
      throw ExtractionError.badInput(
        "\(name): its text is larger than \(describe(bytes: outputLimit)); nothing was stored")
    }
    guard run.termination == .exited(0) else {
      let stderr = String(decoding: run.stderr, as: UTF8.self)
      let lower = stderr.lowercased()
      if ["bad_alloc", "out of memory", "cannot allocate", "failed to map segment"].contains(where: lower.contains) {
        throw ExtractionError.badInput(
          "\(name): pdftotext ran out of its \(describe(bytes: memoryLimit)) memory limit (CASEBOOK_PDF_MEMORY_MIB sets it); nothing was stored"
        )
      }
      let why = stderr.split(separator: "\n").first.map { ": \($0)" } ?? ""
      throw ExtractionError.badInput("\(name) is not a readable PDF (pdftotext failed\(why)); nothing was stored")
    }
    guard let text = String(bytes: run.stdout, encoding: .utf8) else {
      throw ExtractionError.badInput("\(name): pdftotext gave text that is not UTF-8; nothing was stored")
    }
    // Page by page as the form feeds are found, not split all at once: a flood of form feeds
    // stops at the locator cap instead of first becoming millions of substrings.
    var extracted = ExtractedText()
    var rest = Substring(text)
    while let feed = rest.utf8.firstIndex(of: 0x0C) {
      try extracted.page(String(rest[..<feed]))
      rest = rest[rest.utf8.index(after: feed)...]
    }
    // Every page ends with a form feed, so what follows the last one is not a page.
    if !rest.isBlankText { try extracted.page(String(rest)) }
    return extracted
  }

  /// The first `name` in `searchPath` (folders separated by colons, as in PATH) that is an
  /// executable regular file (a folder has the execute bit too, and running one would only fail
  /// later with a worse message). The search path is a parameter so that tests can lay one out.
  package static func executable(_ name: String, searchPath: String = environmentPath) -> String? {
    for dir in searchPath.split(separator: ":") where !dir.isEmpty {
      let candidate = "\(dir)/\(name)"
      if POSIX.kind(candidate) == .file, access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }

  /// This process's PATH, or the usual folders when it has none.
  package static var environmentPath: String {
    getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
  }

  // MARK: - Limits in messages

  /// A time limit as a message shows it: whole seconds as seconds ("120 s"), anything else in
  /// milliseconds or, below those, microseconds, so that a limit under a second is never
  /// printed as "0 s".
  static func describe(_ limit: Duration) -> String {
    let (seconds, attoseconds) = limit.components
    if attoseconds == 0 { return "\(seconds) s" }
    if seconds < 1_000_000, attoseconds % 1_000_000_000_000_000 == 0 {
      return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
    }
    if seconds < 1_000_000 { return "\(seconds * 1_000_000 + attoseconds / 1_000_000_000_000) µs" }
    return "\(seconds) s"
  }

  /// A size limit as a message shows it: whole MiB or KiB as such ("64 MiB"), anything else in
  /// bytes, so that a limit under a MiB is never printed as "0 MiB".
  static func describe(bytes limit: Int) -> String {
    if limit > 0, limit % (1 << 20) == 0 { return "\(limit >> 20) MiB" }
    if limit > 0, limit % (1 << 10) == 0 { return "\(limit >> 10) KiB" }
    return limit == 1 ? "1 byte" : "\(limit) bytes"
  }
}
