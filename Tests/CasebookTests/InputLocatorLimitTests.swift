import Foundation
import TestSupport
import Testing
import YAML

@testable import Casebook
@testable import TextExtraction

/// The cap on an input's locators (pages, paragraphs, headings): what `input add` stores must
/// always read back through the YAML reader's limits, and an input with more is refused with
/// exit 1 before anything is stored, in every format that has locators.
@Suite("input locator limits")
struct InputLocatorLimitTests {
  // MARK: - The caps against the reader's limits

  @Test("the caps keep locators.yaml well inside what the YAML reader accepts")
  func capsInsideReaderLimits() {
    #expect(ExtractedText.maxLocatorBytes <= Limits.default.maxDocumentBytes / 2)
    #expect(ExtractedText.maxLocators * ExtractedText.nodesPerLocator + 16 <= Limits.default.maxNodes / 2)
    // The fixed part of every locator alone must leave most of the byte budget to titles.
    #expect(ExtractedText.maxLocators * ExtractedText.locatorOverheadBytes <= ExtractedText.maxLocatorBytes / 2)
  }

  /// Titles that the emitter must quote and escape: quotes, backslashes, control characters,
  /// a byte-order mark, a non-BMP character, digits that read as numbers, YAML indicators.
  static let hostileTitles = [
    "\"quoted\\\"", "\u{1}\u{2}\u{7f}", "\u{feff}bom", "😀 face", "123", "- dash", "key: value", "#hash", "null",
  ]

  /// Markdown of `blocks` blocks, each six nested headings with a paragraph under each.
  static func nested(blocks: Int, title: (Int) -> String) -> String {
    var text = ""
    for block in 0..<blocks {
      for level in 1...6 {
        text += String(repeating: "#", count: level) + " " + title(block * 6 + level) + "\n\nBody \(block).\n\n"
      }
    }
    return text
  }

  /// Checks that `extracted`'s map is within its own bound, and reads back with the default limits.
  static func expectReadsBack(_ extracted: ExtractedText, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let yaml = YAML.emit(extracted.locatorsNode)
    #expect(yaml.utf8.count <= extracted.locatorBytes, "the bound is not a bound", sourceLocation: sourceLocation)
    #expect(extracted.locatorBytes <= ExtractedText.maxLocatorBytes, sourceLocation: sourceLocation)
    let node = try YAML.parse(yaml)
    let back = try ExtractedText(text: extracted.text, locators: node.mapping, path: "locators.yaml")
    #expect(back.paragraphs == extracted.paragraphs, sourceLocation: sourceLocation)
    #expect(back.headings == extracted.headings, sourceLocation: sourceLocation)
  }

  @Test("at the count cap, with hostile titles six deep, the map reads back")
  func countCapReadsBack() throws {
    // 12 locators a block: 833 blocks are 9,996, one more is past the cap.
    let title = { (n: Int) in Self.hostileTitles[n % Self.hostileTitles.count] + " \(n)" }
    let extracted = try ExtractedText.markdown(Self.nested(blocks: 833, title: title))
    #expect(extracted.locatorCount == 9_996)
    try Self.expectReadsBack(extracted)
    #expect(throws: LocatorOverflow.self) { try ExtractedText.markdown(Self.nested(blocks: 834, title: title)) }
  }

  @Test("at the byte cap, with long escaped titles, the map reads back")
  func byteCapReadsBack() throws {
    // Control characters emit as four bytes each: long titles reach the byte cap long before
    // the count cap. The largest document that is still accepted must read back.
    let title = { (n: Int) in String(repeating: "\u{1}", count: 300) + " \(n)" }
    var low = 1
    var high = 400
    #expect(throws: LocatorOverflow.self) { try ExtractedText.markdown(Self.nested(blocks: high, title: title)) }
    while high - low > 1 {
      let mid = (low + high) / 2
      if (try? ExtractedText.markdown(Self.nested(blocks: mid, title: title))) != nil { low = mid } else { high = mid }
    }
    let extracted = try ExtractedText.markdown(Self.nested(blocks: low, title: title))
    #expect(extracted.locatorCount < ExtractedText.maxLocators)
    try Self.expectReadsBack(extracted)
    // The bound is near the real size, so the byte cap does not refuse much that would fit.
    #expect(YAML.emit(extracted.locatorsNode).utf8.count * 2 > ExtractedText.maxLocatorBytes)
  }

  @Test("a flood of PDF pages stops at the cap")
  func pageCap() throws {
    var text = ExtractedText()
    for _ in 0..<ExtractedText.maxLocators { try text.page("x") }
    #expect(throws: LocatorOverflow.self) { try text.page("x") }
  }

  // MARK: - Through the CLI

  struct Fixture {
    let cli: CLI
    let repo: String
    let s: String

    init() throws {
      cli = try CLI()
      (repo, s) = try cli.project()
    }

    func add(_ path: String) -> [String] { ["input", "add", path, "--session", s] }
  }

  static let over = ExtractedText.maxLocators + 1

  /// One file per format, each with one locator more than the cap, built small.
  static let tooMany: [(name: String, make: @Sendable (CLI) throws -> String)] = [
    ("Markdown headings", { try $0.file("headings.md", String(repeating: "# a\n", count: over)) }),
    ("Markdown paragraphs", { try $0.file("paragraphs.md", String(repeating: "x\n\n", count: over)) }),
    ("Markdown list items", { try $0.file("list.md", String(repeating: "- x\n", count: over)) }),
    ("plain-text paragraphs", { try $0.file("paragraphs.txt", String(repeating: "x\n\n", count: over)) }),
    ("HTML paragraphs", { try $0.file("page.html", String(repeating: "<p>x", count: over)) }),
    ("HTML headings", { try $0.file("headings.html", String(repeating: "<h2>x</h2>", count: over)) }),
    (
      "DOCX paragraphs",
      { cli in
        let path = cli.root + "/many.docx"
        // Varied text: the same paragraph ten thousand times would compress like a zip bomb.
        var random = SystemRandomNumberGenerator()
        try DocumentFixtures.docx(at: path, (0..<over).map { _ in .p(String(random.next(), radix: 36)) })
        return path
      }
    ),
  ]

  @Test("one locator past the cap is refused, nothing stored", arguments: tooMany.indices)
  func refusedPastCap(_ index: Int) throws {
    let fixture = try Fixture()
    let path = try Self.tooMany[index].make(fixture.cli)
    try fixture.cli.expectRefused(
      fixture.add(path), repo: fixture.repo, status: 1,
      message: "more than \(ExtractedText.maxLocators) pages, paragraphs and headings")
  }

  @Test("headings too long to index are refused, nothing stored")
  func refusedLongHeadings() throws {
    // One 1 MiB heading repeated under eight paragraphs: a map past the reader's 8 MiB, which
    // `input show` and every citation of the input would refuse forever.
    let fixture = try Fixture()
    let path = try fixture.cli.file(
      "long.md", "# " + String(repeating: "x", count: 1 << 20) + "\n\n" + String(repeating: "Body.\n\n", count: 8))
    try fixture.cli.expectRefused(fixture.add(path), repo: fixture.repo, status: 1, message: "headings are too long")
  }

  @Test("just under the cap: stored, shown, and citable")
  func underCapReadsBack() throws {
    let fixture = try Fixture()
    let cli = fixture.cli
    // 4,999 headings, each with a paragraph: 9,998 locators.
    var text = ""
    for n in 1..<5_000 { text += "# Heading \(n)\n\nBody \(n).\n\n" }
    let path = try cli.file("under.md", text)
    let id = try #require(
      try cli.ok(["input", "add", path, "--session", fixture.s, "--repo", fixture.repo])["input_id"] as? String)
    let shown = try cli.run(["input", "show", id, "--session", fixture.s, "--repo", fixture.repo])
    #expect(shown.status == 0, "\(shown.stderr)")
    let draft = try cli.file("draft.md", "Text.\n")
    let cited = try cli.run([
      "section", "draft", "rationale", "--session", fixture.s, "--repo", fixture.repo, "--from", draft, "--source",
      "\(id):#Heading 4999", "--source", "\(id):para4999",
    ])
    #expect(cited.status == 0, "\(cited.stderr)")
  }
}
