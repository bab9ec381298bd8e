import Foundation

/// Text from a PDF by poppler's `pdftotext`, page by page (it ends every page with a form feed),
/// run as a child process with a time limit and a cap on what it may print, so a hostile PDF can
/// neither hang nor flood Casebook.
enum PDFText {
  /// How long `pdftotext` may run.
  static let timeLimit: TimeInterval = 120
  /// The most text it may print.
  static let outputLimit = 64 << 20

  static func extract(path: String, name: String) throws -> ExtractedText {
    guard let tool = executable("pdftotext") else {
      throw CasebookError.repository(
        "cannot read PDF \(name): pdftotext is not installed (Debian/Ubuntu: apt-get install poppler-utils, or make setup)"
      )
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = ["-enc", "UTF-8", "-eol", "unix", path, "-"]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch {
      throw CasebookError.repository("cannot run pdftotext for \(name): \(error.localizedDescription)")
    }
    let state = ChildState()
    let timer = DispatchWorkItem { [process] in
      state.timedOut = true
      process.terminate()
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: timer)
    let errData = ChildState.Box()
    let errReader = DispatchWorkItem {
      // Kept to its first 2000 bytes (for the message), but read to the end so the child
      // never blocks on a full pipe.
      while case let chunk = err.fileHandleForReading.availableData, !chunk.isEmpty {
        if errData.data.count < 2000 { errData.data.append(chunk.prefix(2000 - errData.data.count)) }
      }
    }
    DispatchQueue.global().async(execute: errReader)
    var output = Data()
    var overflow = false
    while true {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      output.append(chunk)
      if output.count > outputLimit {
        overflow = true
        process.terminate()
        break
      }
    }
    process.waitUntilExit()
    timer.cancel()
    errReader.wait()
    if state.timedOut {
      throw CasebookError.badInput("\(name): pdftotext took longer than \(Int(timeLimit)) s; nothing was stored")
    }
    if overflow {
      throw CasebookError.badInput("\(name): its text is larger than \(outputLimit >> 20) MiB; nothing was stored")
    }
    guard process.terminationReason == .exit, process.terminationStatus == 0 else {
      let why = String(decoding: errData.data, as: UTF8.self).split(separator: "\n").first.map { ": \($0)" } ?? ""
      throw CasebookError.badInput("\(name) is not a readable PDF (pdftotext failed\(why)); nothing was stored")
    }
    guard let text = String(data: output, encoding: .utf8) else {
      throw CasebookError.badInput("\(name): pdftotext gave text that is not UTF-8; nothing was stored")
    }
    var pages = text.split(separator: "\u{0C}", omittingEmptySubsequences: false)
    // Every page ends with a form feed, so what follows the last one is not a page.
    if pages.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true { pages.removeLast() }
    var extracted = ExtractedText()
    for page in pages { extracted.page(String(page)) }
    return extracted
  }

  /// The first `name` on PATH that is executable.
  static func executable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") where !dir.isEmpty {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}

/// State shared with the watchdog and the stderr reader of a child process.
private final class ChildState: @unchecked Sendable {
  var timedOut = false

  final class Box: @unchecked Sendable {
    var data = Data()
  }
}
