import CasebookMarkdown
import Foundation
import TestSupport
import Testing

@testable import Casebook

/// A realistic project built through the CLI from the worked sample: the sample profile, three
/// inputs, Rationale drafted with three citations and revised, the Strategic case drafted, two
/// sections the template does not list, Rationale committed (the session merged into main) and
/// approved by finance-lead.
struct ExportFixture {
  var cli: CLI
  let repo: String
  let session: String
  let estates: String
  let network: String
  let audit: String
  let sample: String

  static let sampleFolder: String = {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<4 {
      dir.deleteLastPathComponent()
      let candidate = dir.appendingPathComponent("samples/building-accessibility-upgrade")
      if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("project_profile.yaml").path) {
        return candidate.path
      }
    }
    return "samples/building-accessibility-upgrade"
  }()

  init() throws {
    cli = try CLI()
    let (repo, session) = try cli.project()
    self.repo = repo
    self.session = session
    let sample = Self.sampleFolder
    self.sample = sample
    let cli = self.cli
    func add(_ path: String) throws -> String {
      try #require(
        try cli.ok(["input", "add", sample + "/" + path, "--session", session, "--repo", repo])["input_id"] as? String)
    }
    _ = try cli.ok(["profile", "apply", sample + "/project_profile.yaml", "--session", session, "--repo", repo])
    estates = try add("inputs/interview-notes-estates.md")
    network = try add("inputs/interview-notes-staff-network.md")
    audit = try add("inputs/accessibility-audit-summary.txt")
    _ = try cli.ok([
      "section", "draft", "rationale", "--session", session, "--from", sample + "/drafts/rationale-v1.md",
      "--source", "\(estates):L21-22", "--source", "\(network):L19", "--source", audit, "--repo", repo,
    ])
    _ = try cli.ok([
      "section", "revise", "rationale", "--session", session, "--from", sample + "/drafts/rationale-v2.md",
      "--feedback", "quantify the problem", "--repo", repo,
    ])
    _ = try cli.ok([
      "section", "draft", "strategic-case", "--session", session, "--from", sample + "/drafts/strategic-case-v1.md",
      "--repo", repo,
    ])
    // Drafted in this order on purpose: the export lists sections the template lacks by id.
    let appendix = try cli.file(
      "appendix.md", "# Appendix A\n\n| Site | Listed |\n| --- | :-: |\n| Old Town Hall | yes |\n")
    _ = try cli.ok([
      "section", "draft", "appendix-a", "--title", "Appendix A: sites", "--from", appendix, "--session", session,
      "--repo", repo,
    ])
    let annex = try cli.file(
      "annex.md", "Annex text with <script>alert(1)</script> and a [link](javascript:alert(1)).\n")
    _ = try cli.ok([
      "section", "draft", "annex", "--title", "Annex", "--from", annex, "--session", session, "--repo", repo,
    ])
    _ = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
    _ = try cli.ok([
      "approve", "rationale", "--reviewer", "finance-lead", "--comment", "Clear, quantified and evidenced.", "--repo",
      repo,
    ])
  }

  /// Runs `casebook export ARGS` and returns its exit status, stdout and stderr.
  func export(_ args: [String]) throws -> CLI.Result {
    try cli.run(["export"] + args + ["--repo", repo])
  }

  /// The stdout of an export that must succeed.
  func exported(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let result = try export(args)
    #expect(result.status == 0, "export \(args): \(result.stderr)", sourceLocation: sourceLocation)
    return result.stdout
  }

  func rev(_ name: String) throws -> String {
    try cli.git(["rev-parse", name], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The hash an approval tag records for a format, read with git alone.
  func recordedHash(_ tag: String, _ format: String) throws -> String {
    let message = try cli.git(["tag", "-l", "--format=%(contents)", tag], in: repo)
    let lines = message.split(separator: "\n").map(String.init)
    let start = try #require(lines.firstIndex(of: "export_sha256:"), "message: \(message)")
    let line = try #require(lines[(start + 1)...].first { $0.hasPrefix("  \(format): ") })
    return String(line.dropFirst("  \(format): ".count)).replacingOccurrences(of: "\"", with: "")
  }

  /// `sha256sum FILE`, the tool an auditor would use.
  static func sha256sum(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
  }

  /// Every match of a regular expression's first capture group, in order.
  static func captures(_ pattern: String, in text: String) throws -> [String] {
    let regex = try NSRegularExpression(pattern: pattern)
    let range = NSRange(text.startIndex..., in: text)
    return regex.matches(in: text, range: range).compactMap { match in
      Range(match.range(at: 1), in: text).map { String(text[$0]) }
    }
  }
}

@Suite("casebook export")
struct ExportTests {
  static let templateOrder = [
    "rationale", "strategic-case", "economic-case", "commercial-case", "financial-case", "management-case", "key-risks",
  ]

  @Test("exports at a commit, a branch and a tag, in both formats, and changes nothing in the repository")
  func revisions() throws {
    let f = try ExportFixture()
    // The session revises the Strategic case after the merge: its branch is ahead of main there.
    _ = try f.cli.ok([
      "section", "revise", "strategic-case", "--session", f.session, "--from", f.sample + "/drafts/rationale-v1.md",
      "--repo", f.repo,
    ])
    let before = try f.cli.state(of: f.repo)

    let main = try f.exported(["main", "--format", "md"])
    #expect(main.hasPrefix("# Building Accessibility Upgrade\n"))
    #expect(main.contains("| Senior responsible owner | Director of Corporate Services |"))
    #expect(main.contains("| Commit | `\(try f.rev("main"))` ("))
    #expect(main.contains("_Drafted · revision 1 · last change by alice"))
    let byCommit = try f.exported([try f.rev("main"), "--format", "md"])
    #expect(byCommit == main, "a commit id and the branch at it give the same document")

    let branch = try f.exported(["sessions/\(f.session)", "--format", "md"])
    #expect(branch.contains("_Revised · revision 2 · last change by alice"))
    #expect(branch.contains("| Commit | `\(try f.rev("sessions/\(f.session)"))` ("))

    // main's first parent is main before the session merged: Rationale not there yet.
    let earlier = try f.exported(["main^1", "--format", "md"])
    #expect(earlier.contains("## 1. Rationale for intervention\n\n_Not yet drafted (required)_"))
    #expect(earlier.contains("No approvals recorded."))

    let tag = try f.exported(["approved/rationale/v1", "--format", "html"])
    #expect(tag.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
    #expect(tag.contains("This is the document approved by tag <code>approved/rationale/v1</code>"))
    #expect(tag.contains("<meta name=\"casebook-commit\" content=\"\(try f.rev("approved/rationale/v1^{commit}"))\">"))
    let html = try f.exported(["main", "--format", "html"])
    #expect(!html.contains("<script"), "nothing executable reaches the document")
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(!html.contains("javascript:"))
    #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("@import"), "nothing is loaded")
    #expect(html.contains("@page { size: A4;"))

    #expect(try f.cli.state(of: f.repo) == before, "exporting changed the repository")
    #expect(try runGit(["fsck", "--strict"], in: f.repo).status == 0)
  }

  @Test("the same revision gives the same bytes, whenever and however it is exported")
  func deterministic() throws {
    let f = try ExportFixture()
    for format in ["md", "html"] {
      let one = try f.export(["main", "--format", format])
      let two = try f.export(["main", "--format", format])
      #expect(one.status == 0 && one.stdout == two.stdout)
      #expect(!one.stdout.contains("\r"), "canonical line endings")
    }
    // In process, with the clock pinned to two different times: the clock never reaches the bytes.
    let early = try Project.open(at: f.repo, now: { Date(timeIntervalSince1970: 0) })
    let late = try Project.open(at: f.repo, now: { Date(timeIntervalSince1970: 4_000_000_000) })
    for format in ExportFormat.allCases {
      let a = try early.export("approved/rationale/v1", format: format)
      let b = try late.export("approved/rationale/v1", format: format)
      #expect(a.content == b.content && a.sha256 == b.sha256)
      #expect(a.asOf == "approved/rationale/v1")
    }
  }

  @Test("sections in template order with their status; optional undrafted ones left out; others after, by id")
  func templateOrder() throws {
    let f = try ExportFixture()
    let md = try f.exported(["main", "--format", "md"])
    let titles = try ExportFixture.captures("(?m)^## \\d+\\. (.+)$", in: md)
    #expect(
      titles == [
        "Rationale for intervention", "Strategic case", "Economic case", "Commercial case", "Financial case",
        "Management case", "Key risks", "Annex", "Appendix A: sites",
      ])
    #expect(!md.contains("Executive summary"), "an optional section not drafted is left out")
    #expect(md.contains("## 1. Rationale for intervention\n\n_Committed · revision 2 · committed by alice, "))
    #expect(md.contains("approved v1 by finance-lead"))
    #expect(md.contains("## 3. Economic case\n\n_Not yet drafted (required)_\n\n*Not yet drafted.*"))
    #expect(md.contains("1. Rationale for intervention — committed, revision 2\n"))
    // The draft's own "# Rationale for intervention" is not repeated; its "##" sit under the section.
    #expect(!md.contains("\n# Rationale for intervention"))
    #expect(md.contains("\n#### The problem\n"))

    let html = try f.exported(["main", "--format", "html"])
    let ids = try ExportFixture.captures("<section id=\"section-([a-z0-9-]+)\" class=\"case-section", in: html)
    #expect(ids == Self.templateOrder + ["annex", "appendix-a"])
    let statuses = try ExportFixture.captures("data-status=\"([a-z-]+)\"", in: html)
    #expect(statuses.prefix(3) == ["committed", "drafted", "not-drafted"])
    #expect(html.contains("<h4>The problem</h4>"))
    #expect(html.contains("<td align=\"center\">yes</td>"), "the appendix's table is a table")
  }

  @Test("citations are footnotes naming the input and locator, with the cited lines, linked both ways")
  func footnotes() throws {
    let f = try ExportFixture()
    let notes = try String(contentsOfFile: f.sample + "/inputs/interview-notes-estates.md", encoding: .utf8)
    // The cited lines as `excerpt(for:in:)` gives them: one paragraph, whitespace collapsed.
    let cited = notes.split(separator: "\n", omittingEmptySubsequences: false)[20...21]
      .joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")

    let md = try f.exported(["main", "--format", "md"])
    #expect(md.contains("Sources: [^src-1] [^src-2] [^src-3]\n"))
    #expect(md.contains("[^src-1]: interview-notes-estates.md (input \(f.estates)), L21-22\n\n"))
    let quoted = cited.split(separator: "\n").map { "    > \($0)" }.joined(separator: "\n")
    #expect(md.contains(quoted))
    #expect(md.contains("[^src-3]: accessibility-audit-summary.txt (input \(f.audit))\n"))

    let html = try f.exported(["main", "--format", "html"])
    for n in 1...3 {
      #expect(html.contains("<a id=\"fnref-\(n)\" href=\"#fn-\(n)\">\(n)</a>"))
      #expect(html.contains("<li id=\"fn-\(n)\">"))
      #expect(html.contains("href=\"#fnref-\(n)\""))
    }
    #expect(html.contains("<blockquote class=\"excerpt\">\(MarkdownText.escapeHTML(cited))</blockquote>"))
    #expect(html.contains("<span class=\"locator\">L19</span>"))
  }

  @Test("the approvals table lists each approval of the commit and its ancestors, escaped")
  func approvalsTable() throws {
    var f = try ExportFixture()
    f.cli.user = "bob"
    _ = try f.cli.ok([
      "approve", "rationale", "--reviewer", "policy-lead", "--decision", "changes-requested", "--comment",
      "Needs <b>costs</b> | and \"quotes\"", "--repo", f.repo,
    ])
    let html = try f.exported(["main", "--format", "html"])
    let rows = try ExportFixture.captures("<tr data-tag=\"([^\"]+)\">", in: html)
    #expect(rows == ["approved/rationale/v1", "approved/rationale/v2"])
    #expect(html.contains("<td>Needs &lt;b&gt;costs&lt;/b&gt; | and &quot;quotes&quot;</td>"))
    #expect(html.contains("<td class=\"decision-changes-requested\">changes-requested</td><td>policy-lead</td>"))
    let md = try f.exported(["main", "--format", "md"])
    #expect(md.contains("| Rationale for intervention (`rationale`) | v1 | 2 | approved | finance-lead | "))
    #expect(md.contains("| changes-requested | policy-lead | "))
    // A comment is plain text in both formats: no raw HTML reaches the Markdown either.
    #expect(md.contains("Needs \\<b\\>costs\\</b\\> \\| and \"quotes\" |"))
    // The approval's own document shows approvals up to itself only.
    let v1 = try f.exported(["approved/rationale/v1", "--format", "html"])
    #expect(try ExportFixture.captures("<tr data-tag=\"([^\"]+)\">", in: v1) == ["approved/rationale/v1"])
  }

  @Test("--out writes the file atomically and prints its path and sha256")
  func out() throws {
    let f = try ExportFixture()
    let folder = try TemporaryDirectory()
    let path = folder.path + "/case.html"
    try Data("old contents\n".utf8).write(to: URL(fileURLWithPath: path))
    let before = try f.cli.state(of: f.repo)
    let plain = try f.export(["main", "--format", "html", "--out", path])
    #expect(plain.status == 0, "\(plain.stderr)")
    let hash = try ExportFixture.sha256sum(path)
    #expect(plain.stdout == "\(path)\nsha256 \(hash)\n")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == (try f.exported(["main", "--format", "html"])))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["case.html"], "no temporary file left")
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode == 0o644)

    let json = try f.cli.run([
      "export", "main", "--format", "md", "--out", folder.path + "/case.md", "--json", "--repo", f.repo,
    ])
    let object = try json.json
    #expect(object["format"] as? String == "md")
    #expect(object["out"] as? String == folder.path + "/case.md")
    #expect(object["commit"] as? String == (try f.rev("main")))
    #expect(object["sha256"] as? String == (try ExportFixture.sha256sum(folder.path + "/case.md")))
    #expect(object["content"] == nil)
    // Without --out, --json carries the document itself.
    let inline = try f.cli.run(["export", "main", "--format", "md", "--json", "--repo", f.repo]).json
    #expect(inline["content"] as? String == (try String(contentsOfFile: folder.path + "/case.md", encoding: .utf8)))
    #expect(try f.cli.state(of: f.repo) == before)
  }

  @Test("an approval's export verifies later, after more sessions and approvals; a forged record does not")
  func verify() throws {
    var f = try ExportFixture()
    let v1 = try f.rev("approved/rationale/v1^{commit}")
    let recordedHTML = try f.recordedHash("approved/rationale/v1", "html")
    let recordedMD = try f.recordedHash("approved/rationale/v1", "md")

    // bob drafts and commits Key risks (main moves), risk-lead approves it, and finance-lead
    // approves Rationale again at that same commit; then alice's session adds a section.
    f.cli.user = "bob"
    let bob = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    let risks = try f.cli.file("risks.md", "# Key risks\n\n1. Procurement delay\n2. Listed building consent\n")
    _ = try f.cli.ok(["section", "draft", "key-risks", "--session", bob, "--from", risks, "--repo", f.repo])
    _ = try f.cli.ok(["section", "commit", "key-risks", "--session", bob, "--repo", f.repo])
    _ = try f.cli.ok(["approve", "key-risks", "--reviewer", "risk-lead", "--repo", f.repo])
    _ = try f.cli.ok([
      "approve", "rationale", "--reviewer", "finance-lead", "--comment", "Still good", "--repo", f.repo,
    ])
    f.cli.user = "alice"
    let economic = try f.cli.file("economic.md", "# Economic case\n\nFour options.\n")
    _ = try f.cli.ok([
      "section", "draft", "economic-case", "--session", f.session, "--from", economic, "--repo", f.repo,
    ])
    _ = try f.cli.ok(["session", "close", f.session, "--repo", f.repo])
    _ = try f.cli.ok(["session", "merge", f.session, "--repo", f.repo])
    #expect(try f.rev("main") != v1)

    let before = try f.cli.state(of: f.repo)
    for (format, recorded) in [("html", recordedHTML), ("md", recordedMD)] {
      let result = try f.export(["approved/rationale/v1", "--format", format, "--verify"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.hasPrefix("verified approved/rationale/v1 (\(format)): sha256 \(recorded)"))
      // An auditor's check without casebook's verify: export the tag, sha256sum it, compare with git.
      let folder = try TemporaryDirectory()
      #expect(try f.export(["approved/rationale/v1", "--format", format, "--out", folder.path + "/doc"]).status == 0)
      #expect(try ExportFixture.sha256sum(folder.path + "/doc") == recorded)
    }
    let json = try f.cli.run([
      "export", "approved/key-risks/v1", "--format", "html", "--verify", "--json", "--repo", f.repo,
    ])
    #expect(try json.json["verified"] as? Bool == true)
    #expect(try f.export(["approved/rationale/v2", "--verify", "--format", "md"]).status == 0)

    // Each approval's document shows the approvals that existed when it was made, and itself.
    // (Rows are ordered by time, then section: these were made within a second or two.)
    let rows = { (rev: String) in
      Set(try ExportFixture.captures("<tr data-tag=\"([^\"]+)\">", in: try f.exported([rev, "--format", "html"])))
    }
    #expect(try rows("approved/key-risks/v1") == ["approved/rationale/v1", "approved/key-risks/v1"])
    #expect(
      try rows("approved/rationale/v2") == ["approved/rationale/v1", "approved/key-risks/v1", "approved/rationale/v2"])
    #expect(try rows("main").count == 3)
    #expect(try f.cli.state(of: f.repo) == before, "verifying changed the repository")

    // Forgeries, made with the real git CLI: a wrong hash, the right record on another commit,
    // and the right hashes with a changed comment (the approval's own row is in the document).
    let message = try f.cli.git(["tag", "-l", "--format=%(contents)", "approved/rationale/v1"], in: f.repo)
    let forgeries = [
      (
        "v90", message.replacingOccurrences(of: recordedHTML, with: String(recordedHTML.reversed())), v1, "html",
        "does not verify"
      ),
      ("v91", message, try f.rev("main"), "md", "the tag points at"),
      (
        "v92", message.replacingOccurrences(of: "Clear, quantified and evidenced.", with: "Looks fine."), v1, "html",
        "does not verify"
      ),
    ]
    for (version, text, target, format, expected) in forgeries {
      let file = try f.cli.file("forged-\(version).txt", text)
      _ = try f.cli.git(["tag", "-a", "approved/rationale/\(version)", "-F", file, target], in: f.repo)
      try f.cli.expectRefused(
        ["export", "approved/rationale/\(version)", "--format", format, "--verify"], repo: f.repo, status: 3,
        message: expected)
    }
  }
}
