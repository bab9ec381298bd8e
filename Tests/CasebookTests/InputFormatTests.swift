import Foundation
import TestSupport
import Testing

/// Each format Casebook reads, added through the built binary and read back with `input show`
/// and plain git; citations into each; and the commands that show what supports a section and
/// where an input is used.
@Suite("casebook CLI, inputs and citations")
struct InputFormatTests {
  struct Added {
    let id: String
    let meta: String
    let show: [String: Any]
  }

  /// Adds `path`, and reads back `input show --json` and `meta.yaml` with git.
  static func add(_ cli: CLI, _ path: String, repo: String, session: String) throws -> Added {
    let added = try cli.ok(["input", "add", path, "--session", session, "--repo", repo])
    let id = try #require(added["input_id"] as? String)
    #expect(added["created"] as? Bool == true)
    let meta = try cli.git(["show", "sessions/\(session):inputs/\(id)/meta.yaml"], in: repo)
    let show = try cli.ok(["input", "show", id, "--session", session, "--repo", repo])
    return Added(id: id, meta: meta, show: show)
  }

  @Test("PDF: text per page, p<n> locators, meta and locators.yaml readable with git")
  func pdf() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let pdf = try cli.file(
      "in/audit.pdf",
      bytes: [UInt8](
        DocumentFixtures.pdf(pages: [
          ["Access audit (summary)", "23 buildings on 11 sites"], ["Lifts: 12 of 31 past design life"],
          ["Toilets: 21 of 58 fail"],
        ])))
    let a = try Self.add(cli, pdf, repo: repo, session: s)
    #expect(a.meta.contains("media_type: application/pdf"))
    #expect(a.meta.contains("extracted: true"))
    #expect(a.meta.contains("pages: 3"))
    #expect(a.meta.contains("original: original.pdf"))
    let text = try #require(a.show["text"] as? String)
    #expect(text.contains("Lifts: 12 of 31 past design life"))
    #expect(text.contains("Access audit (summary)"))
    #expect((a.show["locators"] as? [String])?.contains("p1-3") == true)
    let locators = try cli.git(["show", "sessions/\(s):inputs/\(a.id)/locators.yaml"], in: repo)
    #expect(locators.contains("pages:"))
    // The original bytes are stored as they were.
    let stored = try cli.git(["cat-file", "-s", "sessions/\(s):inputs/\(a.id)/original.pdf"], in: repo)
    let size = try #require(try FileManager.default.attributesOfItem(atPath: pdf)[.size] as? Int)
    #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == String(size))
    // The plain output shows the counts and the locators.
    let plain = try cli.run(["input", "show", a.id, "--session", s, "--repo", repo])
    #expect(plain.stdout.contains("3 pages"))
    #expect(plain.stdout.contains("p1-3"))

    let draft = try cli.file("draft.md", "# Rationale\n\nTwelve lifts are old.\n")
    _ = try cli.ok([
      "section", "draft", "rationale", "--session", s, "--from", draft, "--source", "\(a.id):p2", "--source",
      "\(a.id):p1-2", "--source", "\(a.id):L2", "--repo", repo,
    ])
    let sources = try #require(
      try cli.ok(["section", "sources", "rationale", "--session", s, "--repo", repo])["sources"] as? [[String: Any]])
    #expect(sources.count == 3)
    #expect(sources[0]["excerpt"] as? String == "Lifts: 12 of 31 past design life")
    #expect(sources[0]["name"] as? String == "audit.pdf")
    #expect(sources[0]["media_type"] as? String == "application/pdf")
    #expect(
      sources[1]["excerpt"] as? String
        == "Access audit (summary) 23 buildings on 11 sites Lifts: 12 of 31 past design life")
    #expect(sources[2]["excerpt"] as? String == "23 buildings on 11 sites")
  }

  @Test("DOCX: headings become paths, paragraphs are numbered, runs are joined")
  func docx() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let path = cli.root + "/in/workshop.docx"
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    try DocumentFixtures.docx(
      at: path,
      [
        .p("Workshop held on 4 February 2025."), .h(1, "Discussion"), .h(2, "Evacuation"),
        .p("Refuges are faulty in 9 buildings & PEEPs are overdue."), .h(2, "Lifts"),
        .p("Northgate House first."), .h(1, "Actions"), .p("Review every PEEP by March."),
      ])
    let a = try Self.add(cli, path, repo: repo, session: s)
    #expect(a.meta.contains("media_type: application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    #expect(a.meta.contains("paragraphs: 4"))
    #expect(a.meta.contains("headings: 4"))
    let text = try #require(a.show["text"] as? String)
    #expect(text.contains("## Evacuation\n\nRefuges are faulty in 9 buildings & PEEPs are overdue.\n"))
    let locators = try #require(a.show["locators"] as? [String])
    #expect(locators.contains("#Discussion/Lifts"))
    #expect(locators.contains("para1-4"))

    let draft = try cli.file("draft.md", "# Rationale\n\nEvacuation first.\n")
    _ = try cli.ok([
      "section", "draft", "rationale", "--session", s, "--from", draft, "--source", "\(a.id):#Discussion/Evacuation",
      "--source", "\(a.id):#lifts", "--source", "\(a.id):para4", "--source", "\(a.id):#Discussion", "--repo", repo,
    ])
    let sources = try #require(
      try cli.ok(["section", "sources", "rationale", "--session", s, "--repo", repo])["sources"] as? [[String: Any]])
    #expect(
      sources.map { $0["excerpt"] as? String } == [
        "Refuges are faulty in 9 buildings & PEEPs are overdue.", "Northgate House first.",
        "Review every PEEP by March.",
        "## Evacuation Refuges are faulty in 9 buildings & PEEPs are overdue. ## Lifts Northgate House first.",
      ])
  }

  @Test("HTML: tolerant of tag soup; script and style skipped; entities decoded; headings and paragraphs")
  func html() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let html = try cli.file(
      "in/page.HTM",
      """
      <!DOCTYPE html><html><head><title>Ignored title</title><style>p { color: red }</style>
      <script>var x = "<h1>not a heading</h1>";</script></head>
      <body><H1 class="top">Access &amp; inclusion</H1>
      <p>Step-free entrances at <b>9</b> of 23&nbsp;buildings.
      <p>Unclosed paragraph, &lt;still&gt; text &#8212; fine
      <!-- <h2>commented out</h2> -->
      <h2>Lifts</h2><ul><li>12 past design life<li>3 buildings with none</ul>
      <div><span>Trailing text without a close
      """)
    let a = try Self.add(cli, html, repo: repo, session: s)
    #expect(a.meta.contains("media_type: text/html"))
    let text = try #require(a.show["text"] as? String)
    #expect(!text.contains("Ignored title"))
    #expect(!text.contains("not a heading"))
    #expect(!text.contains("color"))
    #expect(!text.contains("commented out"))
    #expect(text.contains("# Access & inclusion"))
    #expect(text.contains("Step-free entrances at 9 of 23 buildings."))
    #expect(text.contains("Unclosed paragraph, <still> text — fine"))
    let locators = try #require(a.show["locators"] as? [String])
    #expect(locators.contains("#Access & inclusion/Lifts"))
    #expect(locators.contains("para1-5"))

    let draft = try cli.file("draft.md", "# Rationale\n\nLifts.\n")
    _ = try cli.ok([
      "section", "draft", "rationale", "--session", s, "--from", draft, "--source", "\(a.id):#Lifts", "--source",
      "\(a.id):para4", "--repo", repo,
    ])
    let sources = try #require(
      try cli.ok(["section", "sources", "rationale", "--session", s, "--repo", repo])["sources"] as? [[String: Any]])
    #expect(
      sources.map { $0["excerpt"] as? String } == [
        "12 past design life 3 buildings with none Trailing text without a close", "3 buildings with none",
      ])
  }

  @Test("Markdown and text: heading paths, paragraphs (each list item one), lines; CRLF read as lines")
  func markdownAndText() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let md = try cli.file(
      "in/notes.md",
      "# Interview\r\n\r\n## The estate\r\n\r\n- 23 buildings\r\n- 16 built before 1975\r\n  and mostly listed\r\n\r\n```\r\n# not a heading\r\n```\r\n\r\n## Options\r\n\r\nPhased programme.\r\n"
    )
    let a = try Self.add(cli, md, repo: repo, session: s)
    #expect(a.meta.contains("media_type: text/markdown"))
    #expect(a.meta.contains("lines: 15"))
    #expect(a.meta.contains("paragraphs: 4"))
    #expect(a.meta.contains("headings: 3"))
    let txt = try cli.file("in/audit.txt", "FINDINGS\n\n1. Entrances: 9 of 23.\n2. Lifts: 12 of 31.\n\nPRIORITY\nHigh.")
    let t = try Self.add(cli, txt, repo: repo, session: s)
    #expect(t.meta.contains("media_type: text/plain"))
    #expect(t.meta.contains("lines: 7"))
    // A file with no extension whose bytes are UTF-8 text is read as text; other bytes are kept as they are.
    let plain = try Self.add(cli, try cli.file("in/README", "Read me.\n"), repo: repo, session: s)
    #expect(plain.meta.contains("media_type: text/plain"))
    let bin = try Self.add(cli, try cli.file("in/photo.dat", bytes: [0x89, 0x00, 0xff, 0x10]), repo: repo, session: s)
    #expect(bin.meta.contains("media_type: application/octet-stream"))
    #expect(bin.meta.contains("extracted: false"))
    #expect(bin.show["text"] == nil)
    #expect(try runGit(["cat-file", "-e", "sessions/\(s):inputs/\(bin.id)/text.txt"], in: repo).status != 0)
    // PDF bytes under another name are read as a PDF: the bytes win.
    let sniffed = try Self.add(
      cli, try cli.file("in/scan.txt", bytes: [UInt8](DocumentFixtures.pdf(pages: [["Sniffed"]]))), repo: repo,
      session: s)
    #expect(sniffed.meta.contains("media_type: application/pdf"))

    let draft = try cli.file("draft.md", "# Rationale\n\nText.\n")
    _ = try cli.ok([
      "section", "draft", "rationale", "--session", s, "--from", draft, "--source", "\(a.id):#Interview/The estate",
      "--source", "\(a.id):para3", "--source", "\(a.id):L15", "--source", "\(t.id):L3-4", "--source", "\(bin.id)",
      "--repo", repo,
    ])
    let plainSources = try cli.run(["section", "sources", "rationale", "--session", s, "--repo", repo])
    #expect(plainSources.status == 0)
    #expect(
      plainSources.stdout.contains(
        "\(a.id):#Interview/The estate  notes.md\n    - 23 buildings - 16 built before 1975 and mostly listed ``` # not a heading ```\n"
      ))
    #expect(plainSources.stdout.contains("\(a.id):para3  notes.md\n    ```"))
    #expect(plainSources.stdout.contains("\(a.id):L15  notes.md\n    Phased programme.\n"))
    #expect(plainSources.stdout.contains("\(t.id):L3-4  audit.txt\n    1. Entrances: 9 of 23. 2. Lifts: 12 of 31.\n"))
    #expect(plainSources.stdout.contains("\(bin.id)  photo.dat"))

    // section show --sources: the section as usual, then each citation with its excerpt.
    let shown = try cli.run(["section", "show", "rationale", "--sources", "--session", s, "--repo", repo])
    #expect(shown.stdout.contains("section   rationale"))
    #expect(shown.stdout.contains("\(t.id):L3-4  audit.txt\n    1. Entrances: 9 of 23. 2. Lifts: 12 of 31."))
    let shownJSON = try cli.ok(["section", "show", "rationale", "--sources", "--session", s, "--repo", repo])
    #expect((shownJSON["record"] as? [String: Any])?["section_id"] as? String == "rationale")
    let cited = try #require(shownJSON["cited_sources"] as? [[String: Any]])
    #expect(cited.count == 5)
    #expect(cited[4]["excerpt"] == nil)
  }

  @Test("a blank PDF page keeps its number; a heading with a slash in it can be cited")
  func blankPageAndSlash() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let pdf = try Self.add(
      cli, try cli.file("in/scan.pdf", bytes: [UInt8](DocumentFixtures.pdf(pages: [["One"], [], ["Three"]]))),
      repo: repo, session: s)
    #expect(pdf.meta.contains("pages: 3"))
    let md = try Self.add(
      cli, try cli.file("in/risks.md", "# Risks/Issues\n\nConsent delays.\n"), repo: repo, session: s)
    let draft = try cli.file("draft.md", "# Rationale\n\nText.\n")
    _ = try cli.ok([
      "section", "draft", "rationale", "--session", s, "--from", draft, "--source", "\(pdf.id):p2", "--source",
      "\(pdf.id):p2-3", "--source", "\(md.id):#risks/issues", "--repo", repo,
    ])
    let sources = try #require(
      try cli.ok(["section", "sources", "rationale", "--session", s, "--repo", repo])["sources"] as? [[String: Any]])
    #expect(sources.map { $0["excerpt"] as? String } == ["", "Three", "Consent delays."])
    let plain = try cli.run(["section", "sources", "rationale", "--session", s, "--repo", repo])
    #expect(plain.stdout.contains("\(pdf.id):p2  scan.pdf\n    (no text at this locator)\n"))
    try cli.expectRefused(
      ["section", "revise", "rationale", "--session", s, "--from", draft, "--source", "\(pdf.id):L+1"], repo: repo,
      status: 1, message: "is not a locator")
  }

  @Test("excerpts resolve at any revision; --cited-by lists current sections and the commits that cited")
  func citedByAndRevisions() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let v1 = try Self.add(cli, try cli.file("in/notes.md", "# Notes\n\nFirst version.\n"), repo: repo, session: s)
    let v2 = try Self.add(cli, try cli.file("in/notes-2.md", "# Notes\n\nSecond version.\n"), repo: repo, session: s)
    let draft = try cli.file("draft.md", "# Rationale\n\nText.\n")
    let drafted = try cli.ok([
      "section", "draft", "rationale", "--session", s, "--from", draft, "--source", "\(v1.id):para1", "--repo", repo,
    ])
    let revised = try cli.ok([
      "section", "revise", "rationale", "--session", s, "--from", draft, "--source", "\(v1.id):#Notes", "--source",
      "\(v2.id):L3", "--repo", repo,
    ])
    _ = try cli.ok([
      "section", "draft", "strategic-case", "--session", s, "--from", draft, "--source", "\(v2.id)", "--repo", repo,
    ])
    let atOne = try #require(
      try cli.ok(["section", "sources", "rationale", "--at", "1", "--session", s, "--repo", repo])["sources"]
        as? [[String: Any]])
    #expect(atOne.map { $0["locator"] as? String } == ["para1"])
    #expect(atOne.first?["excerpt"] as? String == "First version.")
    let now = try #require(
      try cli.ok(["section", "sources", "rationale", "--session", s, "--repo", repo])["sources"] as? [[String: Any]])
    #expect(now.map { $0["excerpt"] as? String } == ["First version.", "First version.", "Second version."])

    let uses = try cli.ok(["input", "show", v1.id, "--cited-by", "--session", s, "--repo", repo])
    let current = try #require(uses["current"] as? [[String: Any]])
    #expect(current.count == 1)
    #expect(current.first?["section_id"] as? String == "rationale")
    #expect(current.first?["revision"] as? Int == 2)
    #expect(current.first?["locators"] as? [String] == ["para1", "#Notes"])
    let history = try #require(uses["history"] as? [[String: Any]])
    #expect(history.map { $0["commit"] as? String } == [revised["commit"] as? String, drafted["commit"] as? String])
    #expect(history.map { $0["revision"] as? Int } == [2, 1])
    #expect(history.map { $0["locator"] as? String } == ["#Notes", "para1"])

    let v2uses = try cli.ok(["input", "show", v2.id, "--cited-by", "--session", s, "--repo", repo])
    #expect(
      (v2uses["current"] as? [[String: Any]])?.compactMap { $0["section_id"] as? String } == [
        "rationale", "strategic-case",
      ])
    let plain = try cli.run(["input", "show", v2.id, "--cited-by", "--session", s, "--repo", repo])
    #expect(plain.stdout.contains("rationale  revision 2 (revised) at L3 — "))
    #expect(plain.stdout.contains("strategic-case  revision 1 (drafted) — "))
    #expect(plain.stdout.contains("history\n"))
    // On main, before the session is merged, nothing cites it (and the input is not there).
    let onMain = try cli.run(["input", "show", v2.id, "--cited-by", "--repo", repo])
    #expect(onMain.status == 2)
    // After the commit merges the session, main answers too.
    _ = try cli.ok(["section", "commit", "rationale", "--session", s, "--repo", repo])
    let merged = try cli.ok(["input", "show", v1.id, "--cited-by", "--repo", repo])
    #expect((merged["history"] as? [[String: Any]])?.count == 2)
    #expect((merged["current"] as? [[String: Any]])?.first?["status"] as? String == "committed")
  }

  @Test("a .zip holding word/document.xml is read as a DOCX; a damaged .zip is stored without text")
  func zipUploads() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let path = cli.root + "/in/minutes.zip"
    try DocumentFixtures.docx(at: path, [.h(1, "Minutes"), .p("Lifts first, then doors.")])
    let docx = try Self.add(cli, path, repo: repo, session: s)
    #expect(docx.meta.contains("media_type: application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    #expect(docx.meta.contains("extracted: true"))
    let text = try #require(docx.show["text"] as? String)
    #expect(text.contains("# Minutes\n\nLifts first, then doors.\n"))

    // A local file header and then nothing a zip reader can use: sniffed as a zip, not readable.
    let damaged = try cli.file("in/damaged.zip", bytes: [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0x41, count: 64))
    let stored = try Self.add(cli, damaged, repo: repo, session: s)
    #expect(stored.meta.contains("media_type: application/zip"))
    #expect(stored.meta.contains("extracted: false"))
  }

  @Test("the same bytes twice: one id, one copy, no second commit, whatever the name")
  func dedupe() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    try FileManager.default.createDirectory(atPath: cli.root + "/in", withIntermediateDirectories: true)
    let pdfBytes = [UInt8](DocumentFixtures.pdf(pages: [["Same"]]))
    let first = try Self.add(cli, try cli.file("in/a.pdf", bytes: pdfBytes), repo: repo, session: s)
    let head = try cli.git(["rev-parse", "sessions/\(s)"], in: repo)
    let before = try cli.state(of: repo)
    for name in ["in/a.pdf", "in/copy-of-a.pdf"] {
      let again = try cli.ok(["input", "add", try cli.file(name, bytes: pdfBytes), "--session", s, "--repo", repo])
      #expect(again["input_id"] as? String == first.id)
      #expect(again["created"] as? Bool == false)
      #expect(again["commit"] == nil)
    }
    #expect(try cli.git(["rev-parse", "sessions/\(s)"], in: repo) == head)
    #expect(try cli.state(of: repo) == before)
    let listed = try cli.git(["ls-tree", "-r", "--name-only", "sessions/\(s)", "inputs"], in: repo)
    #expect(
      listed.split(separator: "\n").sorted() == [
        "inputs/\(first.id)/locators.yaml", "inputs/\(first.id)/meta.yaml", "inputs/\(first.id)/original.pdf",
        "inputs/\(first.id)/text.txt",
      ])
  }
}
