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
/// run as a child process with a time limit and a cap on what it may print, so a hostile PDF can
/// neither hang nor flood Casebook.
enum PDFText {
  /// How long `pdftotext` may run.
  static let timeLimit: Duration = .seconds(120)
  /// The most text it may print.
  static let outputLimit = 64 << 20

  /// The text of the PDF at `path`; `name` is how messages call it. The limits are parameters
  /// so that tests can reach them without a 64 MiB or two-minute PDF.
  static func extract(
    path: String, name: String, timeLimit: Duration = timeLimit, outputLimit: Int = outputLimit
  ) throws -> ExtractedText {
    guard let tool = executable("pdftotext") else {
      throw CasebookError.repository(
        "cannot read PDF \(name): pdftotext is not installed (Debian/Ubuntu: apt-get install poppler-utils, or make setup)"
      )
    }
    let run: ChildProcess.Output
    do {
      run = try ChildProcess.run(
        tool, arguments: ["-enc", "UTF-8", "-eol", "unix", path, "-"], timeLimit: timeLimit,
        outputLimit: outputLimit)
    } catch {
      throw CasebookError.repository("cannot run pdftotext for \(name): \(error.message)")
    }
    if run.timedOut {
      throw CasebookError.badInput(
        "\(name): pdftotext took longer than \(timeLimit.components.seconds) s; nothing was stored")
    }
    if run.overflowed {
      throw CasebookError.badInput("\(name): its text is larger than \(outputLimit >> 20) MiB; nothing was stored")
    }
    guard run.termination == .exited(0) else {
      let why = String(decoding: run.stderr, as: UTF8.self).split(separator: "\n").first.map { ": \($0)" } ?? ""
      throw CasebookError.badInput("\(name) is not a readable PDF (pdftotext failed\(why)); nothing was stored")
    }
    guard let text = String(bytes: run.stdout, encoding: .utf8) else {
      throw CasebookError.badInput("\(name): pdftotext gave text that is not UTF-8; nothing was stored")
    }
    var pages = text.split(separator: "\u{0C}", omittingEmptySubsequences: false)
    // Every page ends with a form feed, so what follows the last one is not a page.
    if pages.last?.isBlank == true { pages.removeLast() }
    var extracted = ExtractedText()
    for page in pages { extracted.page(String(page)) }
    return extracted
  }

  /// The first `name` on PATH that is an executable regular file (a folder has the execute bit
  /// too, and running one would only fail later with a worse message).
  static func executable(_ name: String) -> String? {
    let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") where !dir.isEmpty {
      let candidate = "\(dir)/\(name)"
      var info = stat()
      guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
      if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }
}
