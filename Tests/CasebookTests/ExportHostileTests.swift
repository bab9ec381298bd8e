import Foundation
import Testing

/// Hostile section text through the real CLI: one section must never block exporting or
/// approving the rest of the case, and nothing live may reach either format.
@Suite("casebook export, hostile sections")
struct ExportHostileTests {
  /// A project whose `rationale` is a narrow table with a short row and whose `annex` is
  /// `annex`, both committed on main.
  static func project(annex: String) throws -> (cli: CLI, repo: String) {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let rationale = try cli.file(
      "rationale.md", "# Rationale\n\n| Site | Listed | Notes |\n| --- | :-: | --- |\n| Hall |\n")
    let annexFile = try cli.file("annex.md", annex)
    _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", rationale, "--repo", repo])
    _ = try cli.ok([
      "section", "draft", "annex", "--title", "Annex", "--from", annexFile, "--session", session, "--repo", repo,
    ])
    _ = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
    _ = try cli.ok(["section", "commit", "annex", "--session", session, "--repo", repo])
    return (cli, repo)
  }

  @Test("a wide table over many short rows exports and approves, with output linear in its size")
  func wideTable() throws {
    // 1,500 columns over 1,500 one-cell rows (10 KB): padded, it was 20 MB of HTML.
    let table =
      "|" + String(repeating: "a|", count: 1_500) + "\n|" + String(repeating: "-|", count: 1_500) + "\n"
      + String(repeating: "x|\n", count: 1_500)
    let (cli, repo) = try Self.project(annex: "# Annex\n\n" + table)
    for format in ["html", "md"] {
      let result = try cli.run(["export", "main", "--format", format, "--repo", repo])
      #expect(result.status == 0, "\(format): \(result.stderr)")
      #expect(result.stdout.utf8.count < 50_000 + 20 * table.utf8.count, "\(format): \(result.stdout.utf8.count) bytes")
      // The narrow table of the other section is padded as before.
      #expect(!result.stdout.isEmpty)
    }
    let html = try cli.run(["export", "main", "--format", "html", "--repo", repo]).stdout
    #expect(html.contains("<tr>\n<td>Hall</td>\n<td align=\"center\"></td>\n<td></td>\n</tr>"))
    _ = try cli.ok(["approve", "annex", "--reviewer", "finance-lead", "--repo", repo])
    _ = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
    for format in ["html", "md"] {
      let verified = try cli.run(["export", "approved/annex/v1", "--format", format, "--verify", "--repo", repo])
      #expect(verified.status == 0, "\(format): \(verified.stderr)")
    }
  }

  @Test("the Markdown export lets no raw HTML and no unsafe link through, from sections or cited inputs")
  func markdownSanitised() throws {
    let annex = """
      # Annex

      <script>alert(1)</script>

      <img src=x onerror=alert(1)>

      <!-- hidden -->

      [click](javascript:alert(1)) [data](data:text/html,x) <javascript:alert(1)> <https://ok.example/>

      [ref]: javascript:alert(2)

      See [ref] and [the audit](https://example.org/audit).

      """
    let (cli, repo) = try Self.project(annex: annex)
    // A cited input is quoted in a footnote: the same rules apply to it.
    let session = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    let notes = try cli.file("notes.txt", "quoted <script>alert(3)</script> and [x](javascript:alert(4))\n")
    let input = try #require(
      try cli.ok(["input", "add", notes, "--session", session, "--repo", repo])["input_id"] as? String)
    let key = try cli.file("risks.md", "# Key risks\n\nSee the notes.\n")
    _ = try cli.ok([
      "section", "draft", "key-risks", "--from", key, "--source", "\(input):L1", "--session", session, "--repo", repo,
    ])
    _ = try cli.ok(["section", "commit", "key-risks", "--session", session, "--repo", repo])

    let before = try cli.state(of: repo)
    let result = try cli.run(["export", "main", "--format", "md", "--repo", repo])
    #expect(result.status == 0, "\(result.stderr)")
    let md = result.stdout
    // Every `<` that could open a tag, a comment or an autolink is escaped, but the safe autolink.
    let live = try NSRegularExpression(pattern: "(?<!\\\\)<(?!https://ok\\.example/>)[A-Za-z!/?]")
    let found = live.matches(in: md, range: NSRange(md.startIndex..., in: md)).map {
      String(md[Range($0.range, in: md)!])
    }
    #expect(found.isEmpty, "live markup \(found) in:\n\(md)")
    #expect(md.contains("\\<script\\>alert(1)\\</script\\>"))
    #expect(md.contains("    > quoted \\<script\\>alert(3)\\</script\\>"))
    let unsafe = try NSRegularExpression(pattern: "(?<!\\\\)\\]\\((javascript|data):")
    #expect(unsafe.firstMatch(in: md, range: NSRange(md.startIndex..., in: md)) == nil, "an unsafe link in:\n\(md)")
    #expect(!md.contains("\n[ref]:"), "a link reference definition survived in:\n\(md)")
    #expect(md.contains("[the audit](https://example.org/audit)"))
    #expect(md.contains("<https://ok.example/>"))
    #expect(try cli.state(of: repo) == before, "export changed the repository")
  }
}
