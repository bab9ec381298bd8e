import Foundation
import TestSupport
import Testing

/// A team on one bare remote: each author works offline in a clone of their own and syncs.
struct Team {
  let cli: CLI
  let remote: String

  /// Alice's project, pushed to a new bare remote; `clones` more authors clone it.
  init(authors: [String] = ["alice", "bob"]) throws {
    cli = try CLI()
    remote = cli.root + "/remote.git"
    _ = try cli.git(["init", "-q", "--bare", remote], in: cli.root)
    let first = path(authors[0])
    _ = try author(authors[0]).ok([
      "init", first, "--template", "gate-0", "--project-id", "abc123", "--title", "Building Accessibility Upgrade",
    ])
    _ = try author(authors[0]).ok(["remote", "add", "origin", remote, "--repo", first])
    _ = try author(authors[0]).ok(["sync", "--repo", first])
    for name in authors.dropFirst() {
      _ = try author(name).ok(["clone", remote, path(name)])
    }
  }

  func path(_ author: String) -> String { cli.root + "/" + author }

  func author(_ author: String) -> CLI {
    var cli = self.cli
    cli.user = author
    return cli
  }

  /// Runs `casebook ARGS --repo <author's clone>` as the author, which must succeed.
  @discardableResult
  func ok(_ author: String, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any]
  {
    try self.author(author).ok(args + ["--repo", path(author)], sourceLocation: sourceLocation)
  }

  func run(_ author: String, _ args: [String]) throws -> CLI.Result {
    try self.author(author).run(args + ["--repo", path(author)])
  }

  func start(_ author: String) throws -> String {
    try #require(try ok(author, ["session", "start"])["session_id"] as? String)
  }

  /// Drafts `section` with `text` in a new session of the author and commits it to main.
  func commitSection(_ author: String, _ section: String, _ text: String) throws -> String {
    let session = try start(author)
    let file = try cli.file("\(author)-\(section)-\(UUID().uuidString).md", text)
    try ok(author, ["section", "draft", section, "--session", session, "--from", file])
    try ok(author, ["section", "commit", section, "--session", session])
    return session
  }

  func tree(_ repo: String, _ rev: String = "main") throws -> String {
    try cli.git(["rev-parse", "\(rev)^{tree}"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func show(_ author: String, _ path: String) throws -> String {
    try cli.git(["show", "main:\(path)"], in: self.path(author))
  }

  /// Every ref of a repository with its target.
  func refs(_ repo: String) throws -> String {
    try cli.git(["for-each-ref", "--format=%(refname) %(objectname)"], in: repo)
  }
}

@Suite("Sync through git remotes")
struct SyncTests {
  @Test("two authors, offline edits to the profile and to different sections, syncs in every order")
  func twoAuthors() throws {
    let team = try Team()
    // Offline on both sides: each commits a section and changes the profile.
    _ = try team.commitSection("alice", "rationale", "Why we act: the estate fails accessibility audits.\n")
    _ = try team.commitSection("bob", "strategic-case", "Fits the estates strategy.\n")
    let a = try team.start("alice")
    try team.ok("alice", ["profile", "set", "key_risks", "[Procurement delay]", "--session", a])
    try team.ok("alice", ["session", "merge", a])
    let b = try team.start("bob")
    try team.ok("bob", ["profile", "set", "gate_stage", "Gate 1", "--session", b])
    try team.ok("bob", ["session", "merge", b])

    let first = try team.ok("alice", ["sync"])
    #expect((first["changes"] as? [[String: Any]])?.contains { $0["action"] as? String == "pushed" } == true)
    let second = try team.ok("bob", ["sync"])  // merges alice's main, pushes the merge
    #expect(
      (second["changes"] as? [[String: Any]])?.contains {
        $0["ref"] as? String == "refs/heads/main" && $0["action"] as? String == "merged"
      } == true)
    try team.ok("alice", ["sync"])  // fast-forwards to bob's merge
    try team.ok("bob", ["sync"])  // nothing to do

    let trees = try ["alice", "bob"].map { try team.tree(team.path($0)) }
    #expect(Set(trees + [try team.tree(team.remote)]).count == 1)
    for author in ["alice", "bob"] {
      #expect(try team.show(author, "sections/rationale.md").contains("fails accessibility audits"))
      #expect(try team.show(author, "sections/strategic-case.md").contains("estates strategy"))
      let profile = try team.show(author, "project_profile.yaml")
      #expect(profile.contains("Procurement delay") && profile.contains("Gate 1"))
      #expect(try runGit(["fsck", "--strict"], in: team.path(author)).status == 0)
      // Every session of both authors is a local branch in both clones.
      let branches = try team.cli.git(
        ["for-each-ref", "--format=%(refname)", "refs/heads/sessions"], in: team.path(author))
      #expect(branches.split(separator: "\n").count == 4)
      let status = try team.ok(author, ["status"])
      let remotes = try #require(status["remotes"] as? [[String: Any]])
      #expect(remotes.first?["confirmed"] as? Bool == true, "\(status)")
    }
    // The merge commit is one commit with two parents and says what it merged.
    let merge = try team.cli.git(
      ["log", "-1", "--format=%P%n%(trailers:key=Casebook-Action,valueonly)", "main"], in: team.path("bob"))
    #expect(merge.split(separator: "\n").first?.split(separator: " ").count == 2)
    #expect(merge.contains("sync-merge"))
  }

  @Test("three authors edit the same section offline: a conflict is kept for resolve, nothing is lost")
  func threeAuthorsSameSection() throws {
    let team = try Team(authors: ["alice", "bob", "carol"])
    _ = try team.commitSection("alice", "rationale", "Alice's rationale.\n")
    _ = try team.commitSection("bob", "rationale", "Bob's rationale.\n")
    _ = try team.commitSection("carol", "economic-case", "Carol's economics.\n")
    try team.ok("alice", ["sync"])
    let remoteBefore = try team.refs(team.remote)
    let bobBefore = try team.cli.git(["rev-parse", "main"], in: team.path("bob"))
    let conflicted = try team.run("bob", ["sync", "--json"])
    #expect(conflicted.status == 3, "\(conflicted.stdout) \(conflicted.stderr)")
    let error = try #require(try conflicted.json["error"] as? [String: Any])
    let message = try #require(error["message"] as? String)
    #expect(message.contains("nothing was pushed"))
    #expect(try team.refs(team.remote) == remoteBefore, "nothing half-done was pushed")
    #expect(try team.cli.git(["rev-parse", "main"], in: team.path("bob")) == bobBefore)
    // The conflicts are data on a session of bob's, found by the message.
    let session = try #require(
      message.split(separator: " ").first { $0.count == 32 && $0.allSatisfy(\.isHexDigit) }.map(String.init))
    let conflicts = try team.cli.git(
      ["show", "sessions/\(session):sessions/\(session).conflicts.yaml"], in: team.path("bob"))
    #expect(conflicts.contains("sections/rationale.md"))
    // Alice's session came in all the same; a second sync before the resolution reuses the
    // same session for the conflicts.
    let again = try team.run("bob", ["sync"])
    #expect(again.status == 3 && again.stderr.contains(session))
    #expect(
      try team.cli.git(["for-each-ref", "refs/heads/sessions"], in: team.path("bob")).split(separator: "\n").count == 3)
    // Bob keeps both texts' owner in mind and takes his own; then merges and syncs.
    try team.ok("bob", ["resolve", "--session", session, "--ours"])
    try team.ok("bob", ["session", "merge", session])
    try team.ok("bob", ["sync"])
    try team.ok("carol", ["sync"])
    try team.ok("alice", ["sync"])
    try team.ok("bob", ["sync"])
    let trees = try ["alice", "bob", "carol"].map { try team.tree(team.path($0)) }
    #expect(Set(trees + [try team.tree(team.remote)]).count == 1)
    #expect(try team.show("alice", "sections/rationale.md").contains("Bob's rationale"))
    #expect(try team.show("alice", "sections/economic-case.md").contains("Carol's economics"))
    // Alice's text is not lost: it is in main's history and on her session's branch.
    let history = try team.cli.git(
      ["log", "-p", "--full-history", "main", "--", "sections/rationale.md"], in: team.path("carol"))
    #expect(history.contains("Alice's rationale"))
  }

  @Test("a remote whose main was rewritten is reported, not followed, and nothing is pushed")
  func rewrittenRemote() throws {
    let team = try Team()
    _ = try team.commitSection("alice", "rationale", "First.\n")
    try team.ok("alice", ["sync"])
    try team.ok("bob", ["sync"])
    // Someone rewinds the remote's main with plain git.
    let root = try team.cli.git(["rev-list", "--max-parents=0", "main"], in: team.remote).trimmingCharacters(
      in: .newlines)
    _ = try team.cli.git(["update-ref", "refs/heads/main", root], in: team.remote)
    _ = try team.commitSection("bob", "strategic-case", "Offline work.\n")
    let before = try team.cli.state(of: team.path("bob"))
    let remoteBefore = try team.refs(team.remote)
    for _ in 0..<2 {  // reported again on the next sync, never taken
      let result = try team.run("bob", ["sync"])
      #expect(result.status == 5, "\(result.stderr)")
      #expect(result.stderr.contains("rewritten"))
    }
    #expect(try team.refs(team.remote) == remoteBefore)
    #expect(try team.cli.state(of: team.path("bob")) == before)
  }
}
