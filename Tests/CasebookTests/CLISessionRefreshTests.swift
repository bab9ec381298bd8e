import Foundation
import TestSupport
import Testing

/// Stale context and sessions over time, and conflicts kept and resolved later: refresh, the
/// behind-main warning, expiry and resume, and `casebook resolve`, through the built binary and
/// read back with the real git CLI.
@Suite("casebook CLI, refresh, expiry, resume and resolve")
struct CLISessionRefreshTests {
  /// A project with alice's session `a` and bob's session `b`, both started from the same main.
  struct Team {
    var cli: CLI
    let repo: String
    let a: String
    let b: String

    init() throws {
      cli = try CLI()
      let (repo, a) = try cli.project()
      self.repo = repo
      self.a = a
      cli.user = "bob"
      b = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      cli.user = "alice"
    }

    /// Runs as `user`.
    func ok(_ user: String, _ args: [String], stdin: String? = nil) throws -> [String: Any] {
      var cli = cli
      cli.user = user
      return try cli.ok(args + ["--repo", repo], stdin: stdin)
    }

    func run(_ user: String, _ args: [String]) throws -> CLI.Result {
      var cli = cli
      cli.user = user
      return try cli.run(args + ["--repo", repo])
    }

    func git(_ args: [String], in directory: String? = nil) throws -> String {
      try cli.git(args, in: directory ?? repo).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Bob drafts and commits a section in his session, which merges it into main.
    func bobCommits(_ section: String, _ text: String) throws {
      _ = try ok("bob", ["section", "draft", section, "--session", b, "--from", "-"], stdin: text)
      _ = try ok("bob", ["section", "commit", section, "--session", b])
    }

    /// Makes a session look idle for `hours`: a commit on its branch, written with plain git,
    /// whose time is that long ago (the idle clock is the branch tip's commit time).
    func idle(_ session: String, hours: Int) throws {
      let tip = try git(["rev-parse", "refs/heads/sessions/\(session)"])
      let tree = try git(["rev-parse", "\(tip)^{tree}"])
      let time = Int(Date().timeIntervalSince1970) - hours * 3600
      let object = """
        tree \(tree)
        parent \(tip)
        author alice <alice@users.casebook.invalid> \(time) +0000
        committer alice <alice@users.casebook.invalid> \(time) +0000

        work paused

        """
      let file = try cli.file("commit-\(session).txt", object)
      let commit = try git(["hash-object", "-t", "commit", "-w", file])
      _ = try git(["update-ref", "refs/heads/sessions/\(session)", commit, tip])
    }

    func trailers(_ rev: String, _ key: String) throws -> [String] {
      try git(["log", "-1", "--format=%(trailers:key=\(key),valueonly)", rev]).split(separator: "\n").map(String.init)
    }
  }

  @Test("refresh brings another session's committed section into the session with a true merge commit")
  func refresh() throws {
    let team = try Team()
    try team.bobCommits("rationale", "# Rationale\n\nBob's words.\n")
    let main = try team.git(["rev-parse", "main"])
    let before = try team.git(["rev-parse", "sessions/\(team.a)"])

    let refreshed = try team.ok("alice", ["session", "refresh", team.a])
    #expect(refreshed["refreshed"] as? Bool == true)
    let commit = try #require(refreshed["commit"] as? String)
    #expect(try team.git(["rev-parse", "sessions/\(team.a)"]) == commit)
    #expect(try team.git(["show", "-s", "--format=%P", commit]) == "\(before) \(main)")
    #expect(try team.git(["show", "sessions/\(team.a):sections/rationale.md"]) == "# Rationale\n\nBob's words.")
    #expect(try team.trailers(commit, "Casebook-Action") == ["refresh-session"])
    #expect(try team.trailers(commit, "Casebook-Main") == [main])
    // The session file records what the session last saw.
    // (An id that starts with a digit is quoted by the canonical emitter, one with a letter is not.)
    let file = try team.git(["show", "sessions/\(team.a):sessions/\(team.a).yaml"])
    #expect(file.contains("base: \(main)") || file.contains("base: \"\(main)\""), "\(file)")
    #expect(try team.git(["merge-base", "main", "sessions/\(team.a)"]) == main)

    // Up to date: no commit, and it says so.
    let again = try team.run("alice", ["session", "refresh", team.a])
    #expect(again.status == 0)
    #expect(again.stdout.contains("up to date"))
    #expect(try team.git(["rev-parse", "sessions/\(team.a)"]) == commit)
    #expect(try runGit(["fsck", "--strict"], in: team.repo).status == 0)
  }

  @Test("a write to a session behind main warns on stderr (JSON stays one object); after refresh it does not")
  func behindWarning() throws {
    let team = try Team()
    let quiet = try team.run("alice", ["profile", "set", "gate_stage", "Gate 1", "--session", team.a, "--json"])
    #expect(quiet.status == 0)
    #expect(!quiet.stderr.contains("behind main"))

    try team.bobCommits("rationale", "# Rationale\n\nBob.\n")
    let warned = try team.run("alice", ["profile", "set", "project_title", "New title", "--session", team.a, "--json"])
    #expect(warned.status == 0)
    #expect(warned.stderr.contains("behind main"), "stderr: \(warned.stderr)")
    #expect(warned.stderr.contains("session refresh \(team.a)"))
    #expect(try warned.json["commit"] is String)

    _ = try team.ok("alice", ["session", "refresh", team.a])
    let after = try team.run("alice", ["profile", "set", "gate_stage", "Gate 2", "--session", team.a])
    #expect(after.status == 0)
    #expect(!after.stderr.contains("behind main"), "stderr: \(after.stderr)")

    // A session's own merges into main do not make it "behind".
    _ = try team.ok("alice", ["section", "draft", "strategic-case", "--session", team.a])
    _ = try team.ok("alice", ["section", "commit", "strategic-case", "--session", team.a])
    let own = try team.run("alice", ["profile", "set", "gate_stage", "Gate 1", "--session", team.a])
    #expect(!own.stderr.contains("behind main"), "stderr: \(own.stderr)")
  }

  @Test("section commit refreshes first, so the commit merges onto current main")
  func commitRefreshesFirst() throws {
    let team = try Team()
    _ = try team.ok("alice", ["section", "draft", "strategic-case", "--session", team.a])
    try team.bobCommits("rationale", "# Rationale\n\nBob.\n")
    let bobsMain = try team.git(["rev-parse", "main"])

    let committed = try team.ok("alice", ["section", "commit", "strategic-case", "--session", team.a])
    let mainCommit = try #require(committed["main_commit"] as? String)
    let actions = try team.git([
      "log", "--first-parent", "--format=%(trailers:key=Casebook-Action,valueonly)", "-3", "sessions/\(team.a)",
    ])
    .split(separator: "\n").map(String.init)
    #expect(actions == ["commit-section", "refresh-session", "draft-section"])
    let refresh = try team.git(["rev-parse", "sessions/\(team.a)~1"])
    #expect(try team.git(["show", "-s", "--format=%P", refresh]).hasSuffix(bobsMain))
    // Main's merge: parents [Bob's main, alice's commit], and both sections on main.
    let parents = try team.git(["show", "-s", "--format=%P", mainCommit])
    #expect(parents == "\(bobsMain) \(try team.git(["rev-parse", "sessions/\(team.a)"]))")
    #expect(try team.git(["ls-tree", "--name-only", "main", "sections/"]).contains("sections/rationale.md"))
    #expect(try team.git(["ls-tree", "--name-only", "main", "sections/"]).contains("sections/strategic-case.md"))
    #expect(try runGit(["fsck", "--strict"], in: team.repo).status == 0)
  }

  @Test("an idle session expires: listed as expired, writes refused; resume reactivates it and reports main's changes")
  func expiryAndResume() throws {
    let team = try Team()
    _ = try team.ok("alice", ["section", "draft", "strategic-case", "--session", team.a])
    try team.idle(team.a, hours: 9)  // the default limit is 480 minutes

    #expect(
      try team.ok("alice", ["session", "show", team.a])["session"].flatMap {
        ($0 as? [String: Any])?["status"] as? String
      } == "expired")
    let listed = try #require(try team.ok("alice", ["session", "list"])["sessions"] as? [[String: Any]])
    #expect(listed.contains { ($0["session"] as? [String: Any])?["status"] as? String == "expired" })
    try team.cli.expectRefused(
      [
        "section", "revise", "strategic-case", "--session", team.a, "--from",
        try team.cli.file("x.md", "# X\n\nText.\n"),
      ],
      repo: team.repo, status: 1, message: "session resume")

    // Meanwhile on main: a section committed, the profile changed, an input added, an approval.
    let notes = try team.cli.file("notes.md", "# Notes\n\nline 3\n")
    _ = try team.ok("bob", ["input", "add", notes, "--session", team.b])
    _ = try team.ok("bob", ["profile", "set", "gate_stage", "Gate 1", "--session", team.b])
    try team.bobCommits("rationale", "# Rationale\n\nBob.\n")
    _ = try team.ok("carol", ["approve", "rationale", "--reviewer", "finance-lead", "--comment", "Good"])
    let main = try team.git(["rev-parse", "main"])

    let resumed = try team.ok("alice", ["session", "resume"])
    #expect(resumed["session_id"] as? String == team.a)
    #expect(resumed["refreshed"] as? Bool == true)
    #expect(resumed["main"] as? String == main)
    let changes = try #require(resumed["changes"] as? [[String: Any]])
    func has(_ kind: String, _ name: String, _ change: String, by: String? = nil) -> Bool {
      changes.contains {
        $0["kind"] as? String == kind && $0["name"] as? String == name && $0["change"] as? String == change
          && (by == nil || $0["by"] as? String == by)
      }
    }
    #expect(has("section", "rationale", "committed", by: "bob"), "\(changes)")
    #expect(has("profile", "gate_stage", "changed"), "\(changes)")
    #expect(changes.contains { $0["kind"] as? String == "input" && $0["by"] as? String == "bob" }, "\(changes)")
    #expect(has("approval", "approved/rationale/v1", "approved", by: "finance-lead"), "\(changes)")
    let commit = try #require(resumed["commit"] as? String)
    #expect(try team.git(["show", "-s", "--format=%P", commit]).hasSuffix(main))
    #expect(try team.trailers(commit, "Casebook-Action") == ["session-resume"])
    #expect(try team.git(["show", "sessions/\(team.a):sections/rationale.md"]).contains("Bob."))

    let shown = try team.ok("alice", ["session", "show", team.a])["session"] as? [String: Any]
    #expect(shown?["status"] as? String == "active")
    _ = try team.ok(
      "alice", ["section", "revise", "strategic-case", "--session", team.a, "--from", "-"], stdin: "# S\n\nNew.\n")

    // Human output names the changes too.
    try team.idle(team.a, hours: 9)
    let text = try team.run("alice", ["session", "resume", team.a])
    #expect(text.status == 0)
    #expect(text.stdout.contains("resumed \(team.a)"))
    #expect(try runGit(["fsck", "--strict"], in: team.repo).status == 0)
  }

  @Test(
    "two sessions edit the profile differently: exit 3, the conflict kept on the session branch, resolved in a clone, merged"
  )
  func conflictResolvedInAClone() throws {
    let team = try Team()
    _ = try team.ok("alice", ["profile", "set", "project_title", "Title A", "--session", team.a])
    _ = try team.ok("alice", ["session", "merge", team.a])
    _ = try team.ok("bob", ["profile", "set", "project_title", "Title B", "--session", team.b])
    let main = try team.git(["rev-parse", "main"])

    let refused = try team.run("bob", ["session", "merge", team.b, "--json"])
    #expect(refused.status == 3)
    let error = try #require(try refused.json["error"] as? [String: Any])
    let conflicts = try #require(error["conflicts"] as? [[String: Any]])
    #expect(conflicts.count == 1)
    #expect(conflicts.first?["path"] as? String == "project_title")
    #expect(try team.git(["rev-parse", "main"]) == main, "nothing was written to main")
    // The conflict record, on the session branch, readable with git show.
    let record = try team.git(["show", "sessions/\(team.b):sessions/\(team.b).conflicts.yaml"])
    #expect(record.contains("main: \"\(main)\"") || record.contains("main: \(main)"), "\(record)")
    #expect(record.contains("path: project_title"))
    #expect(try team.trailers("sessions/\(team.b)", "Casebook-Conflict") == ["project_profile.yaml#project_title"])
    // Merging again refuses at once, and writes nothing more.
    let tip = try team.git(["rev-parse", "sessions/\(team.b)"])
    #expect(try team.run("bob", ["session", "merge", team.b]).status == 3)
    #expect(try team.git(["rev-parse", "sessions/\(team.b)"]) == tip)

    // Anyone with a clone can resolve it.
    let clone = team.cli.root + "/clone.git"
    _ = try team.git(["clone", "--bare", team.repo, clone], in: team.cli.root)
    var bob = team.cli
    bob.user = "bob"
    let resolved = try bob.ok([
      "resolve", "--session", team.b, "project_profile.yaml", "project_title", "--value", "Title C", "--repo", clone,
    ])
    #expect(resolved["merged"] as? Bool == true)
    #expect(resolved["resolved"] as? [String] == ["project_profile.yaml#project_title"])
    let resolution = try team.git(["rev-parse", "sessions/\(team.b)"], in: clone)
    #expect(try team.git(["show", "-s", "--format=%P", resolution], in: clone) == "\(tip) \(main)")
    #expect(
      try team.git(["log", "-1", "--format=%(trailers:key=Casebook-Resolved,valueonly)", resolution], in: clone)
        == "project_profile.yaml#project_title")
    #expect(
      try team.git(["log", "-1", "--format=%(trailers:key=Casebook-Action,valueonly)", resolution], in: clone)
        == "resolve-conflict")
    #expect(try runGit(["cat-file", "-e", "\(resolution):sessions/\(team.b).conflicts.yaml"], in: clone).status != 0)

    let merged = try bob.ok(["session", "merge", team.b, "--repo", clone])
    let landed = try #require(merged["commit"] as? String)
    #expect(try team.git(["show", "-s", "--format=%P", landed], in: clone) == "\(main) \(resolution)")
    #expect(try team.git(["show", "main:project_profile.yaml"], in: clone).contains("project_title: Title C"))
    #expect(try runGit(["fsck", "--strict"], in: clone).status == 0)
    #expect(try team.git(["log", "--graph", "--oneline", "--all"], in: clone).contains("resolve 1 conflict(s)"))
  }

  @Test("several conflicts resolved one by one and all at once; a Markdown conflict takes the session's text")
  func resolveOneByOneAndAll() throws {
    let team = try Team()
    _ = try team.ok("alice", ["profile", "set", "senior_responsible_owner", "Owner A", "--session", team.a])
    _ = try team.ok("alice", ["profile", "set", "project_title", "Alice's title", "--session", team.a])
    _ = try team.ok("alice", ["session", "merge", team.a])
    _ = try team.ok("bob", ["profile", "set", "senior_responsible_owner", "Owner B", "--session", team.b])
    _ = try team.ok("bob", ["profile", "set", "project_title", "Bob's title", "--session", team.b])
    #expect(try team.run("bob", ["session", "merge", team.b]).status == 3)

    let first = try team.ok(
      "bob", ["resolve", "--session", team.b, "project_profile.yaml", "senior_responsible_owner", "--ours"])
    #expect(first["merged"] as? Bool == false)
    #expect(first["remaining"] as? [String] == ["project_profile.yaml#project_title"])
    #expect(try team.run("bob", ["session", "merge", team.b]).status == 3, "one is still open")
    let last = try team.ok("bob", ["resolve", "--session", team.b, "--theirs"])
    #expect(last["merged"] as? Bool == true)
    _ = try team.ok("bob", ["session", "merge", team.b])
    let profile = try team.git(["show", "main:project_profile.yaml"])
    #expect(profile.contains("senior_responsible_owner: Owner A"))
    #expect(profile.contains("project_title: Bob's title"))

    // Both draft the same section: the text conflicts line by line, the metadata key by key.
    let c = try #require(try team.ok("alice", ["session", "start"])["session_id"] as? String)
    let d = try #require(try team.ok("bob", ["session", "start"])["session_id"] as? String)
    _ = try team.ok(
      "alice", ["section", "draft", "rationale", "--session", c, "--from", "-"], stdin: "# R\n\nAlice.\n")
    _ = try team.ok("alice", ["session", "merge", c])
    // Alice gives up her edit lock (taken by the draft), so that Bob may draft the section too.
    _ = try team.ok("alice", ["lock", "release", "rationale", "--session", c])
    _ = try team.ok("bob", ["section", "draft", "rationale", "--session", d, "--from", "-"], stdin: "# R\n\nBob.\n")
    #expect(try team.run("bob", ["session", "merge", d]).status == 3)
    let record = try team.git(["show", "sessions/\(d):sessions/\(d).conflicts.yaml"])
    #expect(record.contains("file: sections/rationale.md"))
    let edited = try team.cli.file("rationale-edited.md", "# R\n\nAlice and Bob.\n")
    let text = try team.ok("bob", ["resolve", "--session", d, "sections/rationale.md", "--file", edited])
    #expect(text["merged"] as? Bool == false)
    _ = try team.ok("bob", ["resolve", "--session", d, "sections/rationale.yaml", "--theirs"])
    _ = try team.ok("bob", ["session", "merge", d])
    #expect(try team.git(["show", "main:sections/rationale.md"]) == "# R\n\nAlice and Bob.")
    #expect(try team.git(["show", "main:sections/rationale.yaml"]).contains("updated_by: bob"))
    #expect(try runGit(["fsck", "--strict"], in: team.repo).status == 0)
  }

  @Test("a refresh that conflicts keeps the conflict on the session branch and leaves main alone")
  func refreshConflict() throws {
    let team = try Team()
    _ = try team.ok("alice", ["profile", "set", "project_title", "Title A", "--session", team.a])
    _ = try team.ok("alice", ["session", "merge", team.a])
    _ = try team.ok("bob", ["profile", "set", "project_title", "Title B", "--session", team.b])
    let main = try team.git(["rev-parse", "main"])
    let result = try team.run("bob", ["session", "refresh", team.b])
    #expect(result.status == 3)
    #expect(result.stderr.contains("casebook resolve"))
    #expect(try team.git(["rev-parse", "main"]) == main)
    #expect(
      try team.git(["show", "sessions/\(team.b):sessions/\(team.b).conflicts.yaml"]).contains(
        "operation: refresh-session"))
    _ = try team.ok("bob", ["resolve", "--session", team.b, "--theirs"])
    #expect(try team.git(["merge-base", "main", "sessions/\(team.b)"]) == main)
    _ = try team.ok("bob", ["session", "merge", team.b])
    #expect(try team.git(["show", "main:project_profile.yaml"]).contains("project_title: Title B"))
  }

  @Test("resume whose refresh conflicts: the session is active again, the conflict recorded in the same commit, exit 3")
  func resumeConflict() throws {
    let team = try Team()
    _ = try team.ok("bob", ["profile", "set", "project_title", "Title B", "--session", team.b])
    _ = try team.ok("bob", ["session", "close", team.b])
    _ = try team.ok("alice", ["profile", "set", "project_title", "Title A", "--session", team.a])
    _ = try team.ok("alice", ["session", "merge", team.a])
    let main = try team.git(["rev-parse", "main"])

    let resumed = try team.run("bob", ["session", "resume", "--json"])
    #expect(resumed.status == 3)
    #expect(try team.git(["rev-parse", "main"]) == main)
    let tip = "sessions/\(team.b)"
    #expect(try team.trailers(tip, "Casebook-Action") == ["session-resume"])
    #expect(try team.git(["show", "\(tip):sessions/\(team.b).yaml"]).contains("status: active"))
    #expect(try team.git(["show", "\(tip):sessions/\(team.b).conflicts.yaml"]).contains("operation: session-resume"))
    let shown = try team.ok("bob", ["session", "show", team.b])["session"] as? [String: Any]
    #expect(shown?["status"] as? String == "active")
    _ = try team.ok("bob", ["resolve", "--session", team.b, "--ours"])
    _ = try team.ok("bob", ["session", "merge", team.b])
    #expect(try team.git(["show", "main:project_profile.yaml"]).contains("project_title: Title A"))
    #expect(try runGit(["fsck", "--strict"], in: team.repo).status == 0)
  }
}
