import Foundation
import TestSupport
import Testing

/// The HTML export loaded in real headless Chromium (Debian's `chromium`, which `make setup` and
/// CI install): the DOM it builds has the document's structure, and it prints to A4 pages with
/// the text where it belongs. Skipped, saying so, only where Chromium is not installed.
@Suite("casebook export in Chromium")
struct ExportChromiumTests {
  /// The first of these on PATH.
  static func tool(_ names: [String]) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
      for name in names where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
    }
    return nil
  }

  static let chromium = tool(["chromium", "chromium-browser", "google-chrome"])
  static let pdftotext = tool(["pdftotext"])
  static let pdfinfo = tool(["pdfinfo"])

  /// Runs a tool with its output in files and a deadline: past it the process is killed and
  /// the test fails, rather than hanging CI.
  static func run(_ executable: String, _ args: [String], in folder: String, timeout: Int = 120) throws
    -> (status: Int32, stdout: String, stderr: String)
  {
    let out = folder + "/stdout-\(UUID().uuidString)"
    let err = folder + "/stderr-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = args
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    var env = ProcessInfo.processInfo.environment
    env["HOME"] = folder
    process.environment = env
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    process.standardInput = FileHandle.nullDevice
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    if done.wait(timeout: .now() + .seconds(timeout)) == .timedOut {
      process.terminate()
      _ = done.wait(timeout: .now() + .seconds(10))
      Issue.record("\(executable) did not finish within \(timeout) s")
    }
    return (
      process.terminationStatus, try String(contentsOfFile: out, encoding: .utf8),
      try String(contentsOfFile: err, encoding: .utf8)
    )
  }

  /// Headless Chromium with a throw-away profile. As root (CI containers) it needs --no-sandbox.
  static func chromiumArgs(_ folder: String) -> [String] {
    [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
      "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(folder)/profile",
    ]
  }

  /// The fixture with one more approval, exported as HTML to a file.
  static func exported() throws -> (ExportFixture, TemporaryDirectory, String) {
    let f = try ExportFixture()
    _ = try f.cli.ok([
      "approve", "rationale", "--reviewer", "policy-lead", "--decision", "changes-requested", "--comment",
      "Add the cost of doing nothing", "--repo", f.repo,
    ])
    let folder = try TemporaryDirectory()
    let path = folder.path + "/case.html"
    let result = try f.export(["main", "--format", "html", "--out", path])
    #expect(result.status == 0, "\(result.stderr)")
    return (f, folder, path)
  }

  @Test(
    "the DOM Chromium builds: title page, one section per section in order, footnotes both ways, approvals",
    .enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium; make setup and CI install it)"))
  func dom() throws {
    let (_, folder, path) = try Self.exported()
    let result = try Self.run(
      Self.chromium!, Self.chromiumArgs(folder.path) + ["--dump-dom", URL(fileURLWithPath: path).absoluteString],
      in: folder.path)
    #expect(result.status == 0, "\(result.stderr.suffix(2_000))")
    let dom = result.stdout
    #expect(dom.contains("<header id=\"title-page\" class=\"title-page\">"))
    #expect(dom.contains("<h1>Building Accessibility Upgrade</h1>"))
    #expect(dom.contains("<td>Director of Corporate Services</td>"))
    #expect(!dom.contains("<script"))

    let sections = try ExportFixture.captures("<section id=\"section-([a-z0-9-]+)\"", in: dom)
    #expect(sections == ExportTests.templateOrder + ["annex", "appendix-a"])
    // Every section is closed before the next opens: none was swallowed by a stray tag.
    let main = try #require(dom.range(of: "<main>")).upperBound
    let end = try #require(dom.range(of: "</main>")).lowerBound
    let body = dom[main..<end].trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(body.components(separatedBy: "</section>").count == sections.count + 1)
    #expect(body.hasSuffix("</section>"))
    let contents = try ExportFixture.captures("<li><a href=\"#section-([a-z0-9-]+)\">", in: dom)
    #expect(contents == sections)

    let refs = try ExportFixture.captures("<a id=\"fnref-(\\d+)\" href=\"#fn-\\1\">", in: dom)
    let notes = try ExportFixture.captures("<li id=\"fn-(\\d+)\">", in: dom)
    let backs = try ExportFixture.captures("<a class=\"backref\" href=\"#fnref-(\\d+)\"", in: dom)
    #expect(refs == ["1", "2", "3"] && notes == refs && backs == refs)

    let rows = try ExportFixture.captures("<tr data-tag=\"([^\"]+)\">", in: dom)
    #expect(rows == ["approved/rationale/v1", "approved/rationale/v2"])
    #expect(dom.contains("<td>Add the cost of doing nothing</td>"))
  }

  @Test(
    "prints to A4: the title page first, each section from a new page, the text present",
    .enabled(
      if: chromium != nil && pdftotext != nil && pdfinfo != nil,
      "chromium or poppler-utils is not installed (make setup and CI install both)"))
  func printed() throws {
    let (_, folder, path) = try Self.exported()
    let pdf = folder.path + "/case.pdf"
    let result = try Self.run(
      Self.chromium!,
      Self.chromiumArgs(folder.path) + [
        "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", URL(fileURLWithPath: path).absoluteString,
      ], in: folder.path)
    #expect(result.status == 0, "\(result.stderr.suffix(2_000))")
    let info = try Self.run(Self.pdfinfo!, [pdf], in: folder.path).stdout
    let count = try ExportFixture.captures("Pages:\\s+(\\d+)", in: info).first.flatMap { Int($0) }
    let pages = try #require(count, "\(info)")
    // Title page, contents, nine sections and the approvals, each starting a page.
    #expect(pages >= 12, "\(info)")
    #expect(info.contains("(A4)"), "A4 pages: \(info)")

    let text = try Self.run(Self.pdftotext!, ["-layout", pdf, "-"], in: folder.path).stdout
    let pageTexts = text.components(separatedBy: "\u{0C}")
    #expect(pageTexts.first?.contains("Building Accessibility Upgrade") == true)
    #expect(pageTexts.first?.contains("Director of Corporate Services") == true)
    let titles = [
      "1 Rationale for intervention", "2 Strategic case", "3 Economic case", "4 Commercial case", "5 Financial case",
      "6 Management case", "7 Key risks", "8 Annex", "9 Appendix A: sites",
    ]
    var last = 0
    for title in titles {
      // Each section's heading is at the top of a page, after the previous section's.
      let page = pageTexts.firstIndex { $0.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix(title) }
      #expect(page != nil, "no page starts with '\(title)'")
      if let page {
        #expect(page > last, "'\(title)' is on page \(page + 1), not after page \(last + 1)")
        last = page
      }
    }
    #expect(text.contains("Disabled staff and visitors cannot use large parts"))
    #expect(text.contains("interview-notes-estates.md"))
    #expect(
      pageTexts.last { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }?.contains("Approvals") == true)
  }
}
