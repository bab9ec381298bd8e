import Foundation
import TestSupport
import Testing

/// The seed's example flow, "Generate Gate 0 Summary", driven through the built binary and read
/// back with the real git CLI.
@Suite("casebook CLI, end to end")
struct CLILifecycleTests {
  @Test("start → upload → draft → revise → commit → approve, all readable with plain git")
  func seedFlow() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    #expect(session.count == 32)

    let notes = try cli.file(
      "notes/interview.md",
      "# Interview with the Head of Estates\n\n- 14 of 22 buildings lack step-free access\n- 9 lifts are over 25 years old\n"
    )
    let added = try cli.ok(["input", "add", notes, "--session", session, "--repo", repo])
    let input = try #require(added["input_id"] as? String)
    #expect(added["commit"] is String)
    // The same bytes again: same id, no new commit.
    let again = try cli.ok(["input", "add", notes, "--session", session, "--repo", repo])
    #expect(again["input_id"] as? String == input)
    #expect(again["created"] as? Bool == false)

    let draft = try cli.file("rationale-v1.md", "# Rationale\n\nMost of our buildings are not accessible.\n")
    let drafted = try cli.ok([
      "section", "draft", "rationale", "--session", session, "--from", draft, "--source", "\(input):L3",
      "--prompt", "Draft the rationale from the estates interview", "--repo", repo,
    ])
    #expect(drafted["revision"] as? Int == 1)

    let revised = try cli.ok(
      [
        "section", "revise", "rationale", "--session", session, "--from", "-", "--feedback", "quantify the problem",
        "--repo", repo,
      ], stdin: "# Rationale\n\n14 of our 22 buildings (64%) lack step-free access.\n")
    #expect(revised["revision"] as? Int == 2)

    let exchange = try cli.file("prompt.txt", "Draft the rationale")
    let recorded = try cli.ok([
      "exchange", "record", "--session", session, "--tool", "draft_section", "--prompt", exchange, "--status", "200",
      "--latency-ms", "840", "--repo", repo,
    ])
    #expect(recorded["sequence"] as? Int == 1)

    let committed = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
    let mainCommit = try #require(committed["main_commit"] as? String)

    let approval = try cli.ok([
      "approve", "rationale", "--reviewer", "finance-lead", "--comment", "Clear and evidenced", "--repo", repo,
    ])
    #expect(approval["tag"] as? String == "approved/rationale/v1")

    // --- read it all back with git alone ---
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
    let mainHead = try cli.git(["rev-parse", "main"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(mainHead == mainCommit)
    let parents = try cli.git(["rev-list", "--parents", "-n", "1", "main"], in: repo).split(separator: " ")
    #expect(parents.count == 3, "main's head is a true merge commit")
    let text = try cli.git(["show", "main:sections/rationale.md"], in: repo)
    #expect(text.contains("14 of our 22 buildings"))
    let meta = try cli.git(["show", "main:sections/rationale.yaml"], in: repo)
    #expect(meta.contains("status: committed") && meta.contains("locked: true") && meta.contains("revision: 2"))
    let trailers = try cli.git(["log", "--format=%(trailers:key=Casebook-Action,valueonly)", "--all"], in: repo)
    for action in [
      "init-project", "session-start", "add-input", "draft-section", "revise-section", "record-exchange",
      "commit-section", "session-merge",
    ] {
      #expect(trailers.contains(action), "git log shows the \(action) trailer")
    }
    let users = try cli.git(
      ["log", "--format=%an %(trailers:key=Casebook-User,valueonly,separator=)", "main"], in: repo)
    #expect(users.split(separator: "\n").allSatisfy { $0.hasPrefix("alice alice") })
    let tags = try cli.git(["tag", "-n1"], in: repo)
    #expect(tags.contains("approved/rationale/v1") && tags.contains("approved rationale v1"))
    let tagger = try cli.git(["for-each-ref", "--format=%(taggername)", "refs/tags/approved"], in: repo)
    // The tagger is who acted; the role approved in is the message's reviewer.
    #expect(tagger.trimmingCharacters(in: .whitespacesAndNewlines) == "alice")
    #expect(try cli.git(["cat-file", "-p", "approved/rationale/v1"], in: repo).contains("reviewer: finance-lead"))
    let exchangeFile = try cli.git(["show", "sessions/\(session):exchanges/\(session)/0000/0000001.yaml"], in: repo)
    #expect(exchangeFile.contains("tool_name: draft_section") && exchangeFile.contains("latency_ms: 840"))
    let inputMeta = try cli.git(["show", "main:inputs/\(input)/meta.yaml"], in: repo)
    #expect(inputMeta.contains("media_type: text/markdown"))

    // The working tree on main followed main, and is clean.
    #expect(try cli.git(["status", "--porcelain"], in: repo).isEmpty)
    #expect(FileManager.default.fileExists(atPath: repo + "/sections/rationale.md"))

    // A clone is a full copy, with the history and the tags.
    let clone = cli.root + "/clone"
    _ = try cli.git(["clone", "-q", repo, clone], in: cli.root)
    #expect(try cli.git(["show", "main:sections/rationale.md"], in: clone) == text)
    #expect(try cli.git(["tag", "-l"], in: clone).contains("approved/rationale/v1"))

    // And Casebook reads its own history back.
    let shown = try cli.ok(["section", "show", "rationale", "--at", "1", "--repo", repo])
    #expect((shown["content"] as? String)?.contains("Most of our buildings") == true)
    let diff = try cli.ok(["section", "diff", "rationale", "1", "2", "--repo", repo])
    #expect((diff["diff"] as? String)?.contains("+14 of our 22 buildings") == true)
    let audit = try cli.ok(["audit", "--repo", repo])
    let events = try #require(audit["events"] as? [[String: Any]])
    #expect(events.contains { $0["kind"] as? String == "approval" })
    #expect(events.first?["action"] as? String == "init-project")
    let log = try cli.ok(["log", "--section", "rationale", "--repo", repo])
    #expect((log["commits"] as? [Any])?.count ?? 0 >= 3)
  }

  @Test("two sessions edit the profile; the merge is structural and main gets both")
  func twoSessionsMerge() throws {
    var cli = try CLI()
    let (repo, alice) = try cli.project()
    cli.user = "bob"
    let bob = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    cli.user = "alice"
    _ = try cli.ok([
      "profile", "set", "stakeholders", "[{name: Finance, role: Reviewer}]", "--session", alice, "--repo", repo,
    ])
    _ = try cli.ok(["profile", "set", "key_risks", "[Risk of delayed procurement]", "--session", alice, "--repo", repo])
    cli.user = "bob"
    _ = try cli.ok([
      "profile", "set", "stakeholders", "[{name: Estates, role: Delivery lead}]", "--session", bob, "--repo", repo,
    ])
    _ = try cli.ok(["profile", "set", "gate_stage", "Gate 1", "--session", bob, "--repo", repo])
    cli.user = "alice"
    _ = try cli.ok(["session", "merge", alice, "--repo", repo])
    cli.user = "bob"
    _ = try cli.ok(["session", "merge", bob, "--repo", repo])
    let profile = try cli.git(["show", "main:project_profile.yaml"], in: repo)
    #expect(profile.contains("name: Finance") && profile.contains("name: Estates"))
    #expect(profile.contains("gate_stage: Gate 1") && profile.contains("Risk of delayed procurement"))
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)

    // Now a real conflict: both change the title differently.
    cli.user = "alice"
    let a2 = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    cli.user = "bob"
    let b2 = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    cli.user = "alice"
    _ = try cli.ok([
      "profile", "set", "project_title", "Accessible Buildings Programme", "--session", a2, "--repo", repo,
    ])
    cli.user = "bob"
    _ = try cli.ok(["profile", "set", "project_title", "Estate Accessibility Upgrade", "--session", b2, "--repo", repo])
    cli.user = "alice"
    _ = try cli.ok(["session", "merge", a2, "--repo", repo])
    cli.user = "bob"
    let mainBefore = try cli.git(["rev-parse", "main"], in: repo)
    let conflict = try cli.run(["session", "merge", b2, "--repo", repo, "--json"])
    #expect(conflict.status == 3)
    let error = try #require(try conflict.json["error"] as? [String: Any])
    let conflicts = try #require(error["conflicts"] as? [[String: Any]])
    #expect(conflicts.first?["path"] as? String == "project_title")
    #expect(conflicts.first?["file"] as? String == "project_profile.yaml")
    #expect((conflicts.first?["theirs"] as? String)?.contains("Estate Accessibility Upgrade") == true)
    // Nothing reaches main; the conflict is kept on the session's branch for `casebook resolve`.
    #expect(try cli.git(["rev-parse", "main"], in: repo) == mainBefore, "a conflicting merge writes nothing to main")
    #expect(
      try cli.git(["show", "sessions/\(b2):sessions/\(b2).conflicts.yaml"], in: repo).contains("path: project_title"))
  }

  @Test("the merge driver: plain git merge of two branches uses the structural YAML merge")
  func mergeDriverWithPlainGit() throws {
    let cli = try CLI()
    let repo = cli.root + "/plain"
    _ = try cli.git(["init", "-q", "-b", "main", repo], in: cli.root)
    try Data("stakeholders:\n  - name: Finance\n    role: Reviewer\n".utf8).write(
      to: URL(fileURLWithPath: repo + "/p.yaml"))
    try Data("*.yaml merge=casebook-yaml\n".utf8).write(to: URL(fileURLWithPath: repo + "/.gitattributes"))
    _ = try cli.git(["config", "merge.casebook-yaml.driver", "\(CLI.binary) merge-yaml %O %A %B %P"], in: repo)
    _ = try cli.git(["add", "."], in: repo)
    _ = try cli.git(["commit", "-qm", "base"], in: repo)
    _ = try cli.git(["checkout", "-qb", "other"], in: repo)
    try Data("stakeholders:\n  - name: Finance\n    role: Reviewer\n  - name: Estates\n    role: Delivery lead\n".utf8)
      .write(to: URL(fileURLWithPath: repo + "/p.yaml"))
    _ = try cli.git(["commit", "-qam", "estates"], in: repo)
    _ = try cli.git(["checkout", "-q", "main"], in: repo)
    try Data("stakeholders:\n  - name: Finance\n    role: Reviewer\n  - name: Legal\n    role: Adviser\n".utf8)
      .write(to: URL(fileURLWithPath: repo + "/p.yaml"))
    _ = try cli.git(["commit", "-qam", "legal"], in: repo)
    // Line-based merge would conflict here (both appended at the same place); ours does not.
    _ = try cli.git(["merge", "-q", "--no-edit", "other"], in: repo)
    let merged = try String(contentsOfFile: repo + "/p.yaml", encoding: .utf8)
    #expect(merged.contains("name: Legal") && merged.contains("name: Estates") && !merged.contains("<<<<<<<"))
  }
}
