import Foundation
import TestSupport
import Testing

/// Inputs that are not what they claim, files that are not files, and citations that do not
/// resolve: each is refused with a clear message and exit 1, and the repository is left exactly
/// as it was (refs, objects, working tree; `git fsck --strict` clean).
@Suite("casebook CLI, bad inputs and citations")
struct InputBadInputTests {
  /// A project with alice's session `s` holding one input of each format Casebook reads, and a
  /// folder of bad files.
  struct Fixture {
    let cli: CLI
    let repo: String
    let s: String
    let ids: [String: String]
    let files: [String: String]

    init() throws {
      cli = try CLI()
      let (repo, s) = try cli.project()
      self.repo = repo
      self.s = s
      for folder in ["good", "bad/a-folder"] {
        try FileManager.default.createDirectory(atPath: cli.root + "/" + folder, withIntermediateDirectories: true)
      }
      let pdf = try cli.file(
        "good/report.pdf", bytes: [UInt8](DocumentFixtures.pdf(pages: [["Page one"], ["Page two"], ["Page three"]])))
      let docx = cli.root + "/good/workshop.docx"
      try DocumentFixtures.docx(
        at: docx,
        [
          .h(1, "Findings"), .h(2, "Lifts"), .p("Twelve lifts are old."), .h(2, "Toilets"),
          .p("Seven in use as storage."),
        ])
      let html = try cli.file("good/page.html", "<h1>Access</h1><p>One</p><h2>Lifts</h2><p>Two")
      let md = try cli.file(
        "good/notes.md", "# Notes\n\n## Lifts\n\nOld.\n\n## Doors\n\nHeavy.\n\n## Other\n\n### Lifts\n\nNew.\n")
      let bin = try cli.file("good/photo.bin", bytes: [0x00, 0x01, 0x02, 0xff, 0xfe])
      var ids: [String: String] = [:]
      for (key, path) in ["pdf": pdf, "docx": docx, "html": html, "md": md, "bin": bin] {
        ids[key] = try #require(
          try cli.ok(["input", "add", path, "--session", s, "--repo", repo])["input_id"] as? String)
      }
      self.ids = ids
      let bad = cli.root + "/bad"
      try DocumentFixtures.zip(at: bad + "/no-document.docx", [("word/styles.xml", Data("<w:styles/>".utf8))])
      try DocumentFixtures.zip(at: bad + "/broken-xml.docx", [("word/document.xml", Data("<w:document><w:p>".utf8))])
      try DocumentFixtures.zip(
        at: bad + "/dtd.docx",
        [("word/document.xml", Data("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaa\">]><d>&a;</d>".utf8))])
      for (key, body) in InputBadInputTests.notWellFormed {
        let xml =
          "<w:document xmlns:w=\"\(InputBadInputTests.wordNamespace)\"><w:body><w:p><w:r>\(body)</w:r></w:p></w:body></w:document>"
        try DocumentFixtures.zip(at: bad + "/\(key).docx", [("word/document.xml", Data(xml.utf8))])
      }
      // 256 MiB of zeros: over the 50 MiB cap and about 1000:1, built in a second or two.
      try DocumentFixtures.zipBomb(at: bad + "/bomb.docx", size: 256 << 20)
      try DocumentFixtures.zipBomb(at: bad + "/dense.docx", size: 40 << 20)
      try DocumentFixtures.lyingZipBomb(at: bad + "/lying-bomb.docx", size: 64 << 20, claimed: 100_000)
      let fifo = bad + "/pipe.pdf"
      let made = try runProcess("/usr/bin/mkfifo", [fifo])
      #expect(made == 0, "mkfifo failed")
      var files: [String: String] = [
        "fake-pdf": try cli.file("bad/report.pdf", "This is a text file named as a PDF.\n"),
        "broken-pdf": try cli.file("bad/broken.pdf", "%PDF-1.4\nnot really a PDF at all\n%%EOF\n"),
        "not-zip-docx": try cli.file("bad/letter.docx", "plain text, not a zip\n"),
        "no-document": bad + "/no-document.docx",
        "broken-xml": bad + "/broken-xml.docx",
        "dtd": bad + "/dtd.docx",
        "bomb": bad + "/bomb.docx",
        "lying-bomb": bad + "/lying-bomb.docx",
        "dense": bad + "/dense.docx",
        "folder": bad + "/a-folder",
        "fifo": fifo,
        "control": try cli.file("bad/tab\tname.pdf", "x"),
        "newline": try cli.file("bad/line\nbreak.md", "x"),
        "empty": try cli.file("bad/empty.pdf", ""),
        "latin1-html": try cli.file("bad/latin1.html", bytes: Array("<p>caf".utf8) + [0xe9, 0x0a]),
      ]
      for key in InputBadInputTests.notWellFormed.keys { files[key] = bad + "/\(key).docx" }
      self.files = files
    }
  }

  static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

  /// Inside a run of an otherwise good DOCX: what XML 1.0 and its namespaces refuse.
  static let notWellFormed: [String: String] = [
    "ref-1": "<w:t>a&#1;b</w:t>",
    "ref-surrogate": "<w:t>a&#xD800;b</w:t>",
    "ref-fffe": "<w:t>a&#xFFFE;b</w:t>",
    "cdata-end": "<w:t>a ]]> b</w:t>",
    "comment-dashes": "<!-- a -- b --><w:t>a</w:t>",
    "undeclared-prefix": "<v:t>a</v:t>",
  ]

  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let message: String
    let args: @Sendable (Fixture) -> [String]
    var testDescription: String { name }
  }

  static func add(_ key: String) -> @Sendable (Fixture) -> [String] {
    { ["input", "add", $0.files[key]!, "--session", $0.s] }
  }

  static func cite(_ input: String, _ locator: String) -> @Sendable (Fixture) -> [String] {
    { f in
      [
        "section", "draft", "rationale", "--session", f.s, "--from", f.files["fake-pdf"]!, "--source",
        "\(f.ids[input]!):\(locator)",
      ]
    }
  }

  static let cases: [Case] = [
    Case(name: "a text file named .pdf", message: "is not a PDF: it has no %PDF- header", args: add("fake-pdf")),
    Case(name: "a PDF header on garbage", message: "is not a readable PDF", args: add("broken-pdf")),
    Case(name: "a .docx that is not a zip", message: "is not a DOCX: it is not a zip", args: add("not-zip-docx")),
    Case(name: "a zip without word/document.xml", message: "has no word/document.xml", args: add("no-document")),
    Case(name: "a DOCX whose XML is broken", message: "not well-formed", args: add("broken-xml")),
    Case(name: "a DOCX with a DTD", message: "DTD", args: add("dtd")),
    Case(
      name: "a DOCX with &#1;",
      message: "word/document.xml is not well-formed XML (line 1: &#1; is not a character XML allows)",
      args: add("ref-1")),
    Case(name: "a DOCX with &#xD800;", message: "&#xD800; is not a character XML allows", args: add("ref-surrogate")),
    Case(name: "a DOCX with &#xFFFE;", message: "&#xFFFE; is not a character XML allows", args: add("ref-fffe")),
    Case(
      name: "a DOCX with ]]> in its text", message: "not well-formed XML (line 1: text contains ]]>",
      args: add("cdata-end")),
    Case(name: "a DOCX with -- in a comment", message: "a comment contains --", args: add("comment-dashes")),
    Case(
      name: "a DOCX with an undeclared prefix", message: "the prefix v of v:t is not declared",
      args: add("undeclared-prefix")),
    Case(name: "a zip bomb posing as DOCX", message: "would inflate to", args: add("bomb")),
    Case(name: "a DOCX compressed a thousandfold", message: "compressed more than 200×", args: add("dense")),
    Case(name: "a zip bomb whose headers lie", message: "inflates past the 50 MiB limit", args: add("lying-bomb")),
    Case(name: "a folder", message: "not a regular file", args: add("folder")),
    Case(name: "/dev/zero", message: "not a regular file") { ["input", "add", "/dev/zero", "--session", $0.s] },
    Case(name: "/dev/null", message: "not a regular file") { ["input", "add", "/dev/null", "--session", $0.s] },
    Case(name: "a FIFO", message: "not a regular file", args: add("fifo")),
    Case(name: "a tab in the file name", message: "control characters", args: add("control")),
    Case(name: "a newline in the file name", message: "control characters", args: add("newline")),
    Case(name: "an empty file", message: "is empty", args: add("empty")),
    Case(name: "HTML that is not UTF-8", message: "not valid UTF-8", args: add("latin1-html")),
    // citations
    Case(name: "page past the end of a PDF", message: "outside the input's 3 pages", args: cite("pdf", "p4")),
    Case(name: "page range past the end", message: "outside the input's 3 pages", args: cite("pdf", "p2-9")),
    Case(name: "page zero", message: "is not a locator", args: cite("pdf", "p0")),
    Case(name: "reversed page range", message: "is not a locator", args: cite("pdf", "p3-1")),
    Case(
      name: "lines past the end of a PDF's text", message: "outside the input's 3 lines", args: cite("pdf", "L2-40")),
    Case(name: "a heading in a PDF", message: "has no headings", args: cite("pdf", "#Findings")),
    Case(name: "a page of a DOCX", message: "has no pages", args: cite("docx", "p1")),
    Case(
      name: "a paragraph past the end of a DOCX", message: "outside the input's 2 paragraphs",
      args: cite("docx", "para3")),
    Case(name: "an unknown DOCX heading", message: "no such heading", args: cite("docx", "#Findings/Doors")),
    Case(name: "an unknown HTML heading", message: "no such heading", args: cite("html", "#Lifts/Access")),
    Case(
      name: "an HTML paragraph past the end", message: "outside the input's 2 paragraphs", args: cite("html", "para7")),
    Case(name: "an ambiguous Markdown heading", message: "more than one heading", args: cite("md", "#Lifts")),
    Case(name: "Markdown lines past the end", message: "outside the input's 15 lines", args: cite("md", "L15-16")),
    Case(name: "a bare # locator", message: "is not a locator", args: cite("md", "#")),
    Case(name: "a locator of no known form", message: "is not a locator", args: cite("md", "section 3")),
    Case(name: "a locator into a binary input", message: "has no extracted text", args: cite("bin", "L1")),
    Case(name: "--cited-by for an unknown input", message: "not found") { _ in
      ["input", "show", "0123456789abcdef", "--cited-by"]
    },
    Case(name: "sources of an undrafted section", message: "not found") {
      ["section", "sources", "rationale", "--session", $0.s]
    },
  ]

  @Test("refused, nothing stored", arguments: cases)
  func refused(_ c: Case) throws {
    let fixture = try Self.shared()
    let status: Int32 = c.message == "not found" ? 2 : 1
    try fixture.cli.expectRefused(c.args(fixture), repo: fixture.repo, status: status, message: c.message)
  }

  @Test(
    "an unreadable file is refused", .enabled(if: getuid() != 0, "root can read any file, so there is none to refuse"))
  func unreadable() throws {
    let fixture = try Self.shared()
    let path = try fixture.cli.file("bad/secret.md", "# Secret\n")
    try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
    try fixture.cli.expectRefused(
      ["input", "add", path, "--session", fixture.s], repo: fixture.repo, status: 1, message: "cannot read")
  }

  // The fixture (a project and a 256 MiB zip bomb) is built once for the whole table.
  private static let fixture = Result { try Fixture() }
  static func shared() throws -> Fixture { try fixture.get() }
}

/// Runs a program and returns its exit status.
func runProcess(_ path: String, _ args: [String]) throws -> Int32 {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: path)
  process.arguments = args
  try process.run()
  process.waitUntilExit()
  return process.terminationStatus
}
