import Foundation
import TestSupport
import Testing

@Suite("Approvals and their state: current, stale, superseded")
struct ApprovalStateTests {
  @Test("a section changed after its approval is stale, with the commits that changed it; a new approval supersedes")
  func staleAndSuperseded() throws {
    var cli = try CLI()
    let (repo, session) = try cli.project()
    let text = try cli.file("v1.md", "# Rationale\n\nThe first text.\n")
    _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
    _ = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
    cli.user = "dana"
    _ = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
    // The tagger is dana, who acted; finance-lead is the role, in the message.
    let tagger = try cli.git(["for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/approved"], in: repo)
    #expect(tagger.hasPrefix("dana "))
    var approvals = try #require(try cli.ok(["approvals", "--repo", repo])["approvals"] as? [[String: Any]])
    #expect(approvals.count == 1 && approvals[0]["state"] as? String == "current")
    #expect(approvals[0]["recorded_by"] as? String == "dana" && approvals[0]["reviewer"] as? String == "finance-lead")

    // alice changes the section after the approval.
    cli.user = "alice"
    let second = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    _ = try cli.ok(["section", "reopen", "rationale", "--session", second, "--repo", repo])
    let v2 = try cli.file("v2.md", "# Rationale\n\nA changed text.\n")
    _ = try cli.ok(["section", "revise", "rationale", "--session", second, "--from", v2, "--repo", repo])
    _ = try cli.ok(["section", "commit", "rationale", "--session", second, "--repo", repo])
    approvals = try #require(try cli.ok(["approvals", "--repo", repo])["approvals"] as? [[String: Any]])
    #expect(approvals[0]["state"] as? String == "stale")
    let changed = try #require(approvals[0]["changed_by"] as? [[String: Any]])
    #expect(!changed.isEmpty && changed.allSatisfy { $0["author"] as? String == "alice" })
    // Every commit named changed the section's text, and none is in the approved history.
    for change in changed {
      let commit = try #require(change["commit"] as? String)
      let files = try cli.git(["show", "--format=", "--name-only", commit], in: repo)
      #expect(files.contains("sections/rationale.md"))
      #expect(try runGit(["merge-base", "--is-ancestor", commit, "approved/rationale/v1"], in: repo).status == 1)
    }
    // section list and status show it.
    let sections = try #require(try cli.ok(["section", "list", "--repo", repo])["sections"] as? [[String: Any]])
    let rationale = try #require(sections.first { $0["section_id"] as? String == "rationale" })
    #expect(
      rationale["approval_state"] as? String == "stale" && rationale["approval"] as? String == "approved/rationale/v1")
    #expect(try cli.run(["section", "list", "--repo", repo]).stdout.contains("STALE"))
    // The export of main never shows it as current; the approval's own document is unchanged.
    for format in ["md", "html"] {
      let export = try cli.run(["export", "main", "--format", format, "--repo", repo])
      #expect(export.status == 0 && export.stdout.contains("approved (stale: the section changed since)"))
      let verified = try cli.run(["export", "approved/rationale/v1", "--format", format, "--verify", "--repo", repo])
      #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }
    let status = try cli.ok(["status", "--repo", repo])
    #expect((status["stale_approvals"] as? [[String: Any]])?.first?["tag"] as? String == "approved/rationale/v1")

    // A new approval of the changed text: the old one is superseded, the new one current.
    cli.user = "dana"
    _ = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
    approvals = try #require(try cli.ok(["approvals", "--repo", repo])["approvals"] as? [[String: Any]])
    #expect(approvals.map { $0["state"] as? String } == ["superseded", "current"])
    #expect(approvals[0]["superseded_by"] as? String == "approved/rationale/v2")
    let current = try cli.run(["export", "main", "--format", "md", "--repo", repo]).stdout
    let rows = current.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("(`rationale`)") }
    #expect(rows.count == 2 && rows.filter { $0.contains("stale") }.count == 1, "\(rows)")
    #expect(
      try cli.ok(["status", "--repo", repo])["stale_approvals"] as? [Any] == nil
        || (try cli.ok(["status", "--repo", repo])["stale_approvals"] as? [Any])?.isEmpty == true)
    try cli.expectRefused(["approvals", "--section", "Not A Section"], repo: repo, status: 1, message: "section")
  }

  @Test("the approved document's bytes are kept in the repository, readable and checkable with git alone")
  func approvedBytesKept() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let text = try cli.file("v1.md", "# Rationale\n\nThe approved text.\n")
    _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
    _ = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
    let approval = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
    let document = try #require(approval["document"] as? String)
    #expect(try cli.git(["rev-parse", "refs/casebook/documents/rationale/v1"], in: repo).hasPrefix(document))
    let message = try cli.git(["cat-file", "-p", "approved/rationale/v1"], in: repo)
    #expect(message.split(separator: "\n").contains { $0.hasPrefix("document: ") && $0.contains(document) })
    for (format, file) in [("md", "approved.md"), ("html", "approved.html")] {
      let shown = try runCommand(
        "/bin/sh", ["-c", "git show refs/casebook/documents/rationale/v1:\(file) | sha256sum"], in: repo,
        environment: ["PATH": "/usr/bin:/bin", "HOME": cli.root])
      let hash = try #require(shown.stdout.split(separator: " ").first.map(String.init))
      #expect(
        message.split(separator: "\n").contains { $0.hasPrefix("  \(format): ") && $0.contains(hash) },
        "\(format): \(hash) not in \(message)")
      // The same bytes the export of the approval gives today.
      let export = try cli.run(["export", "approved/rationale/v1", "--format", format, "--repo", repo])
      #expect(try cli.git(["show", "refs/casebook/documents/rationale/v1:\(file)"], in: repo) == export.stdout)
    }
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("only the listed approvers approve, within their sections, roles and gates; others are refused (exit 3)")
  func authorisedApprovers() throws {
    var cli = try CLI()
    let (repo, session) = try cli.project()
    for id in ["rationale", "strategic-case"] {
      let text = try cli.file("\(id).md", "# \(id)\n\nText.\n")
      _ = try cli.ok(["section", "draft", id, "--session", session, "--from", text, "--repo", repo])
      _ = try cli.ok(["section", "commit", id, "--session", session, "--repo", repo])
    }
    // No list yet: anyone may approve.
    #expect(try cli.run(["approver", "list", "--repo", repo]).stdout.contains("anyone may approve"))
    let admin = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    _ = try cli.ok([
      "approver", "add", "dana", "--role", "finance-lead", "--section", "rationale", "--session", admin, "--repo", repo,
    ])
    _ = try cli.ok(["approver", "add", "erin", "--gate", "Gate 0", "--session", admin, "--repo", repo])
    _ = try cli.ok(["session", "merge", admin, "--repo", repo])
    let listed = try #require(try cli.ok(["approver", "list", "--repo", repo])["approvers"] as? [[String: Any]])
    #expect(listed.map { $0["user"] as? String } == ["dana", "erin"])
    #expect(try cli.git(["show", "main:casebook.yaml"], in: repo).contains("approvers:"))

    // alice is not listed; dana only rationale as finance-lead; erin anything at Gate 0.
    try cli.expectRefused(
      ["approve", "rationale", "--reviewer", "finance-lead"], repo: repo, status: 3,
      message: "not among the project's approvers")
    cli.user = "dana"
    try cli.expectRefused(
      ["approve", "strategic-case", "--reviewer", "finance-lead"], repo: repo, status: 3, message: "may not approve")
    try cli.expectRefused(
      ["approve", "rationale", "--reviewer", "estates-lead"], repo: repo, status: 3, message: "as estates-lead")
    _ = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
    cli.user = "erin"
    _ = try cli.ok(["approve", "strategic-case", "--reviewer", "sro", "--repo", repo])
    let taggers = try cli.git(
      ["for-each-ref", "--format=%(refname:short) %(taggername)", "refs/tags/approved"], in: repo)
    #expect(taggers.contains("approved/rationale/v1 dana") && taggers.contains("approved/strategic-case/v1 erin"))

    // Bad input to approver add and remove.
    cli.user = "alice"
    let s2 = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    try cli.expectRefused(
      ["approver", "add", "Bad Name", "--session", s2], repo: repo, status: 1, message: "is not valid")
    try cli.expectRefused(
      ["approver", "add", "dana", "--section", "../x", "--session", s2], repo: repo, status: 1, message: "is not valid")
    try cli.expectRefused(
      ["approver", "remove", "zed", "--session", s2], repo: repo, status: 2, message: "not among the approvers")
  }
}
