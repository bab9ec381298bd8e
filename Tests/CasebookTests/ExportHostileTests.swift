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
    #expect(html.contains("<tr><td>Hall</td><td class=\"align-center\"></td><td></td></tr>"))
    _ = try cli.ok(["approve", "annex", "--reviewer", "finance-lead", "--repo", repo])
    _ = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
    for format in ["html", "md"] {
      let verified = try cli.run(["export", "approved/annex/v1", "--format", format, "--verify", "--repo", repo])
      #expect(verified.status == 0, "\(format): \(verified.stderr)")
    }
  }
}
