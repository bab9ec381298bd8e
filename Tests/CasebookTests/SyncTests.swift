import Foundation
import Synchronization
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

@Suite("Sync: clashes, failures and bad input")
struct SyncFailureTests {
  @Test("two offline approvals of one name: a clash reported, neither tag overwritten")
  func tagClash() throws {
    let team = try Team()
    _ = try team.commitSection("alice", "rationale", "Agreed text.\n")
    try team.ok("alice", ["sync"])
    try team.ok("bob", ["sync"])
    try team.ok("alice", ["approve", "rationale", "--reviewer", "finance-lead"])
    try team.ok("bob", ["approve", "rationale", "--reviewer", "estates-lead", "--comment", "From Bob's machine"])
    try team.ok("alice", ["sync"])
    let remoteTag = try team.cli.git(["rev-parse", "approved/rationale/v1"], in: team.remote)
    let bobTag = try team.cli.git(["rev-parse", "approved/rationale/v1"], in: team.path("bob"))
    #expect(remoteTag != bobTag)
    let result = try team.run("bob", ["sync", "--json"])
    #expect(result.status == 3, "\(result.stdout) \(result.stderr)")
    let problems = try #require(try result.json["problems"] as? [String])
    #expect(problems.contains { $0.contains("approval tag approved/rationale/v1") && $0.contains("never overwritten") })
    #expect(try team.cli.git(["rev-parse", "approved/rationale/v1"], in: team.remote) == remoteTag)
    #expect(try team.cli.git(["rev-parse", "approved/rationale/v1"], in: team.path("bob")) == bobTag)
    // Reported again on every sync until someone settles it.
    #expect(try team.run("bob", ["sync"]).status == 3)
  }

  @Test("two offline locks on one section: a clash reported, the remote's lock stands, no text lost")
  func lockClash() throws {
    let team = try Team()
    let a = try team.start("alice")
    let b = try team.start("bob")
    let aliceText = try team.cli.file("alice.md", "Alice's offline draft.\n")
    let bobText = try team.cli.file("bob.md", "Bob's offline draft.\n")
    try team.ok("alice", ["section", "draft", "rationale", "--session", a, "--from", aliceText])
    try team.ok("bob", ["section", "draft", "rationale", "--session", b, "--from", bobText])
    try team.ok("alice", ["sync"])
    let result = try team.run("bob", ["sync", "--json"])
    #expect(result.status == 3, "\(result.stdout) \(result.stderr)")
    let problems = try #require(try result.json["problems"] as? [String])
    #expect(problems.contains { $0.contains("lock clash on section rationale") })
    // Alice's lock stands in both clones and on the remote; Bob's take is in the history.
    let lock = try team.ok("bob", ["lock", "list"])
    let held = try #require((lock["locks"] as? [[String: Any]])?.first)
    #expect(held["user_id"] as? String == "alice")
    let history = try team.cli.git(["log", "--format=%an %s", "refs/casebook/locks/rationale"], in: team.path("bob"))
    #expect(history.contains("bob") && history.contains("alice"))
    #expect(
      try team.cli.git(["rev-parse", "refs/casebook/locks/rationale"], in: team.remote)
        == team.cli.git(["rev-parse", "refs/casebook/locks/rationale"], in: team.path("bob")))
    // Bob's text is where he wrote it.
    #expect(
      try team.cli.git(["show", "sessions/\(b):sections/rationale.md"], in: team.path("bob")).contains("Bob's offline"))
    // Bob cannot commit over Alice's lock.
    let commit = try team.run("bob", ["section", "commit", "rationale", "--session", b])
    #expect(commit.status == 3 && commit.stderr.contains("locked by alice"), "\(commit.stderr)")
  }

  @Test("an unreachable remote: exit 5, a clear message, nothing changed")
  func unreachable() throws {
    let team = try Team()
    _ = try team.commitSection("bob", "rationale", "Offline.\n")
    for url in [team.cli.root + "/missing.git", "http://127.0.0.1:9/project.git", "ssh://127.0.0.1:9/project.git"] {
      try team.ok("bob", ["remote", "add", "far", url])
      let before = try team.cli.state(of: team.path("bob"))
      let result = try team.run("bob", ["sync", "far"])
      #expect(result.status == 5, "\(url): \(result.stderr)")
      #expect(result.stderr.contains("cannot fetch from far"), "\(result.stderr)")
      #expect(try team.cli.state(of: team.path("bob")) == before)
      try team.ok("bob", ["remote", "remove", "far"])
    }
  }

  @Test("a push the remote refuses lands nowhere and stays here; the next sync finishes it")
  func refusedThenFinished() throws {
    let team = try Team()
    _ = try team.commitSection("bob", "rationale", "Offline.\n")
    // A hook on the shared folder: git's receive-pack runs it for a local remote too.
    let hook = team.remote + "/hooks/pre-receive"
    try "#!/bin/sh\necho 'the remote is read-only today' >&2\nexit 1\n".write(
      toFile: hook, atomically: true, encoding: .utf8)
    chmod(hook, 0o755)
    let remoteBefore = try team.refs(team.remote)
    let before = try team.cli.state(of: team.path("bob"))
    let result = try team.run("bob", ["sync", "--json"])
    #expect(result.status == 5, "\(result.stdout)")
    let problems = try #require(try result.json["problems"] as? [String])
    #expect(
      problems.contains { $0.contains("refused the push, so nothing was pushed") && $0.contains("read-only today") },
      "\(problems)")
    // One atomic push: main, the session and its lock all stayed out, and all stay here.
    #expect(try team.refs(team.remote) == remoteBefore)
    #expect(try team.cli.state(of: team.path("bob")) == before)
    let status = try #require(try team.ok("bob", ["status"])["remotes"] as? [[String: Any]]).first
    #expect(status?["confirmed"] as? Bool == false)
    #expect(((status?["main"] as? [String: Any])?["ahead"] as? Int ?? 0) > 0)
    #expect((status?["unconfirmed_locks"] as? [String]) == ["rationale"])
    try FileManager.default.removeItem(atPath: hook)
    try team.ok("bob", ["sync"])
    let after = try #require(try team.ok("bob", ["status"])["remotes"] as? [[String: Any]]).first
    #expect(after?["confirmed"] as? Bool == true)
    #expect(try team.tree(team.remote) == team.tree(team.path("bob")))
  }

  static let refusals: [Refusal<Team>] = [
    Refusal(name: "remote add: a password in the URL", status: 1, message: "holds a password") {
      ["remote", "add", "up", "https://bob:s3cret@example.org/p.git", "--repo", $0.path("alice")]
    },
    Refusal(name: "remote add: a bad name", status: 1, message: "not a valid remote name") {
      ["remote", "add", "bad name", "/tmp/x.git", "--repo", $0.path("alice")]
    },
    Refusal(name: "remote add: the name is taken", status: 3, message: "already exists") {
      ["remote", "add", "origin", "/tmp/x.git", "--repo", $0.path("alice")]
    },
    Refusal(name: "remote add: a control character in the URL", status: 1, message: "not a valid remote URL") {
      ["remote", "add", "up", "/tmp/x\n.git", "--repo", $0.path("alice")]
    },
    Refusal(name: "remote remove: unknown", status: 2, message: "no remote named") {
      ["remote", "remove", "nowhere", "--repo", $0.path("alice")]
    },
    Refusal(name: "sync: unknown remote", status: 2, message: "no remote named") {
      ["sync", "nowhere", "--repo", $0.path("alice")]
    },
    Refusal(name: "clone: into a folder that is not empty", status: 3, message: "not an empty folder") {
      ["clone", $0.remote, $0.path("alice"), "--repo", $0.path("alice")]
    },
    Refusal(name: "clone: a repository that is not a project", status: 2, message: "not a Casebook project") {
      ["clone", $0.cli.root + "/empty.git", $0.cli.root + "/nothing-here", "--repo", $0.path("alice")]
    },
    Refusal(name: "clone: unreachable", status: 5, message: "cannot clone") {
      ["clone", "http://127.0.0.1:9/p.git", $0.cli.root + "/nothing-here", "--repo", $0.path("alice")]
    },
  ]

  @Test("bad input to remote, sync and clone: a clear message, exit code, nothing changed", arguments: refusals)
  func refused(_ refusal: Refusal<Team>) throws {
    let team = try Team()
    _ = try team.cli.git(["init", "-q", "--bare", team.cli.root + "/empty.git"], in: team.cli.root)
    try team.author(refusal.user).expectRefused(
      refusal.args(team), repo: team.path("alice"), status: refusal.status, message: refusal.message)
    #expect(!FileManager.default.fileExists(atPath: team.cli.root + "/nothing-here"))
    #expect(
      try runGit(["config", "--get-regexp", "remote"], in: team.path("alice")).stdout.contains("s3cret") == false)
  }

  @Test("a remote holding another project: exit 5, nothing merged or pushed")
  func anotherProject() throws {
    let team = try Team()
    let other = team.cli.root + "/other"
    _ = try team.author("carol").ok([
      "init", other, "--template", "gate-0", "--project-id", "zzz999", "--title", "Another project",
    ])
    let otherRemote = team.cli.root + "/other.git"
    _ = try team.cli.git(["clone", "-q", "--bare", other, otherRemote], in: team.cli.root)
    try team.ok("alice", ["remote", "add", "elsewhere", otherRemote])
    let remoteBefore = try team.refs(otherRemote)
    let mainBefore = try team.cli.git(["rev-parse", "main"], in: team.path("alice"))
    let result = try team.run("alice", ["sync", "elsewhere"])
    #expect(result.status == 5 && result.stderr.contains("another project"), "\(result.stderr)")
    #expect(try team.refs(otherRemote) == remoteBefore)
    #expect(try team.cli.git(["rev-parse", "main"], in: team.path("alice")) == mainBefore)
  }

  @Test("sync with no remote says how to add one")
  func noRemote() throws {
    let cli = try CLI()
    let project = try cli.project()
    try cli.expectRefused(["sync"], repo: project.path, status: 1, message: "casebook remote add")
  }
}

@Suite("Team-wide locks and concurrent syncs")
struct TeamLockTests {
  /// Runs `body` for every author at once, on threads of their own.
  static func together(_ authors: [String], _ body: @escaping @Sendable (String) throws -> CLI.Result) -> [String: CLI
    .Result]
  {
    let results = Mutex<[String: CLI.Result]>([:])
    DispatchQueue.concurrentPerform(iterations: authors.count) { index in
      if let result = try? body(authors[index]) { results.withLock { $0[authors[index]] = result } }
    }
    return results.withLock { $0 }
  }

  @Test("a lock taken with the remote reachable is taken there too: a second author on another machine is refused")
  func confirmedLock() throws {
    let team = try Team()
    let a = try team.start("alice")
    let b = try team.start("bob")
    let taken = try team.ok("alice", ["lock", "take", "rationale", "--session", a])
    #expect(taken["confirmed_by"] as? String == "origin")
    #expect(try team.cli.git(["show", "refs/casebook/locks/rationale:lock.yaml"], in: team.remote).contains("alice"))
    let before = try team.cli.git(["rev-parse", "refs/heads/main", "sessions/\(b)"], in: team.path("bob"))
    let refused = try team.run("bob", ["lock", "take", "rationale", "--session", b])
    #expect(refused.status == 3 && refused.stderr.contains("locked by alice"), "\(refused.stderr)")
    #expect(try team.cli.git(["rev-parse", "refs/heads/main", "sessions/\(b)"], in: team.path("bob")) == before)
    // Offline, the lock is local and unconfirmed until the next sync, which sends it.
    try FileManager.default.moveItem(atPath: team.remote, toPath: team.remote + ".away")
    let offline = try team.ok("bob", ["lock", "take", "strategic-case", "--session", b])
    #expect(offline["confirmed_by"] == nil || offline["confirmed_by"] is NSNull)
    #expect((offline["unconfirmed"] as? String)?.contains("could not be reached") == true)
    try FileManager.default.moveItem(atPath: team.remote + ".away", toPath: team.remote)
    let status = try #require(try team.ok("bob", ["status"])["remotes"] as? [[String: Any]]).first
    #expect(status?["unconfirmed_locks"] as? [String] == ["strategic-case"])
    try team.ok("bob", ["sync"])
    #expect(
      try team.cli.git(["show", "refs/casebook/locks/strategic-case:lock.yaml"], in: team.remote).contains("bob"))
  }

  @Test("four authors take one lock at the same moment: exactly one holds it", arguments: 0..<3)
  func lockRace(_ trial: Int) throws {
    let authors = ["alice", "bob", "carol", "dan"]
    let team = try Team(authors: authors)
    var sessions: [String: String] = [:]
    for author in authors { sessions[author] = try team.start(author) }
    let frozen = sessions
    let results = Self.together(authors) { author in
      try team.run(author, ["lock", "take", "economic-case", "--session", frozen[author]!])
    }
    let winners = results.filter { $0.value.status == 0 }.map(\.key)
    #expect(winners.count == 1, "\(results.mapValues { "\($0.status) \($0.stderr)" })")
    #expect(
      results.values.allSatisfy { $0.status == 0 || $0.status == 3 },
      "\(results.mapValues { "\($0.status) \($0.stderr)" })")
    let holder = try team.cli.git(["show", "refs/casebook/locks/economic-case:lock.yaml"], in: team.remote)
    #expect(winners.first.map { holder.contains("user_id: \($0)") } == true)
  }

  @Test("three authors sync at the same moment: no push overwrites another, and nothing is lost")
  func syncRace() throws {
    let authors = ["alice", "bob", "carol"]
    let team = try Team(authors: authors)
    let sections = ["alice": "rationale", "bob": "strategic-case", "carol": "economic-case"]
    for author in authors { _ = try team.commitSection(author, sections[author]!, "\(author) wrote this.\n") }
    _ = Self.together(authors) { try team.run($0, ["sync"]) }
    // Whatever lost a race syncs again; bounded.
    for _ in 0..<6 {
      let results = Self.together(authors) { try team.run($0, ["sync"]) }
      if results.values.allSatisfy({ $0.status == 0 }) { break }
    }
    for author in authors { try team.ok(author, ["sync"]) }
    let trees = try authors.map { try team.tree(team.path($0)) }
    #expect(Set(trees + [try team.tree(team.remote)]).count == 1)
    for (author, section) in sections {
      #expect(try team.show("alice", "sections/\(section).md").contains("\(author) wrote this"))
    }
    #expect(try runGit(["fsck", "--strict"], in: team.remote).status == 0)
  }
}

@Suite("Sync: clocks, progress and plain git")
struct SyncPlainGitTests {
  @Test("a lock from a machine whose clock is two hours slow lasts its full length here")
  func clockFreeExpiry() throws {
    let team = try Team()
    let a = try team.start("alice")
    try team.ok("alice", ["sync"])
    // Alice's clock is two hours slow: her 30-minute lock "expired" 90 minutes ago by bob's clock.
    let slow = Date().addingTimeInterval(-2 * 3600)
    let stamp = { (date: Date) in ISO8601DateFormatter().string(from: date) }
    let record = """
      section_id: rationale
      user_id: alice
      session_id: \(a)
      state: held
      since: '\(stamp(slow))'
      expires: '\(stamp(slow.addingTimeInterval(30 * 60)))'

      """
    // Written with plain git, as her Casebook would have: one commit holding lock.yaml.
    let scratch = team.cli.root + "/scratch"
    _ = try team.cli.git(["init", "-q", scratch], in: team.cli.root)
    try record.write(toFile: scratch + "/lock.yaml", atomically: true, encoding: .utf8)
    _ = try team.cli.git(["add", "lock.yaml"], in: scratch)
    _ = try team.cli.git(["commit", "-qm", "lock rationale for session \(a)"], in: scratch)
    _ = try team.cli.git(["fetch", "-q", scratch, "+HEAD:refs/casebook/locks/rationale"], in: team.path("alice"))
    try team.ok("alice", ["sync"])
    try team.ok("bob", ["sync"])
    // By Alice's own expiry the lock is long gone; here it lasts 30 minutes from its arrival.
    let locks = try #require(try team.ok("bob", ["lock", "list"])["locks"] as? [[String: Any]])
    let lock = try #require(locks.first)
    #expect(lock["expired"] as? Bool == false, "\(lock)")
    let expires = try #require((lock["expires"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
    #expect(expires > Date().addingTimeInterval(25 * 60))
    let b = try team.start("bob")
    let refused = try team.run("bob", ["lock", "take", "rationale", "--session", b])
    #expect(refused.status == 3 && refused.stderr.contains("locked by alice"), "\(refused.stderr)")
  }

  @Test("progress: plain lines when not a terminal, a bar on a terminal, nothing with --json")
  func progress() throws {
    let team = try Team()
    _ = try team.commitSection("bob", "rationale", String(repeating: "A long paragraph of text. ", count: 2000) + "\n")
    let plain = try team.run("bob", ["sync"])
    #expect(plain.status == 0)
    #expect(plain.stderr.contains("Writing objects: 100%"), "\(plain.stderr)")
    #expect(!plain.stderr.contains("\r"))
    let json = try team.run("alice", ["sync", "--json"])
    #expect(json.status == 0 && json.stderr.isEmpty, "\(json.stderr)")
    _ = try team.commitSection("alice", "strategic-case", "More.\n")
    // On a terminal (script(1) gives the command one): git's own progress, redrawn in place.
    let terminal = try runCommand(
      "/usr/bin/script", ["-qec", "\(CLI.binary) sync --repo \(team.path("alice"))", "/dev/null"],
      environment: CLI.environment(home: team.cli.root, user: "alice"))
    #expect(terminal.status == 0, "\(terminal.stdout)")
    #expect(terminal.stdout.contains("Writing objects:") && terminal.stdout.contains("\r"), "\(terminal.stdout)")
  }

  @Test("plain git sees the same main, sessions, tags and locks after one config step")
  func plainGitParity() throws {
    let team = try Team()
    _ = try team.commitSection("alice", "rationale", "Agreed.\n")
    try team.ok("alice", ["approve", "rationale", "--reviewer", "finance-lead"])
    try team.ok("alice", ["sync"])
    let plain = team.cli.root + "/plain"
    _ = try team.cli.git(["clone", "-q", team.remote, plain], in: team.cli.root)
    // The one documented step: fetch the lock refs and the approved documents too.
    _ = try team.cli.git(
      ["config", "--add", "remote.origin.fetch", "+refs/casebook/*:refs/remotes/origin/casebook/*"], in: plain)
    _ = try team.cli.git(["fetch", "-q", "origin"], in: plain)
    func refs(_ repo: String, _ pattern: String) throws -> [String] {
      try team.cli.git(["for-each-ref", "--format=%(objectname)", pattern], in: repo).split(separator: "\n").map(
        String.init)
    }
    #expect(try refs(plain, "refs/remotes/origin/main") == refs(team.remote, "refs/heads/main"))
    #expect(try refs(plain, "refs/remotes/origin/sessions/") == refs(team.remote, "refs/heads/sessions/"))
    #expect(try refs(plain, "refs/tags/approved/") == refs(team.remote, "refs/tags/approved/"))
    #expect(try refs(plain, "refs/remotes/origin/casebook/locks/") == refs(team.remote, "refs/casebook/locks/"))
    #expect(try refs(plain, "refs/remotes/origin/casebook/documents/") == refs(team.remote, "refs/casebook/documents/"))
    #expect(!(try refs(plain, "refs/remotes/origin/casebook/documents/")).isEmpty)
    #expect(!(try refs(plain, "refs/tags/approved/")).isEmpty)
    // The Casebook clone keeps the same remote-tracking names, so either tool reads the other's.
    #expect(
      try refs(team.path("alice"), "refs/remotes/origin/sessions/") == refs(plain, "refs/remotes/origin/sessions/"))
    // A second git implementation reads the same history.
    let python = Reference.python
    try #require(FileManager.default.isExecutableFile(atPath: python), "make test-venv installs dulwich")
    let script = """
      import sys
      from dulwich.repo import Repo
      r = Repo(sys.argv[1])
      main = r.refs[b'refs/heads/main']
      count = sum(1 for _ in r.get_walker(include=[main]))
      tag = r[r.refs[b'refs/tags/approved/rationale/v1']]
      text = r[r[r[main].tree][b'sections'][1]][b'rationale.md'][1]
      print(count, tag.tagger.decode(), r[text].data.decode().strip())
      """
    let dulwich = try runCommand(python, ["-c", script, team.remote])
    #expect(dulwich.status == 0, "\(dulwich.stderr)")
    let count = try team.cli.git(["rev-list", "--count", "main"], in: team.remote).trimmingCharacters(in: .newlines)
    #expect(dulwich.stdout.hasPrefix("\(count) ") && dulwich.stdout.contains("Agreed."), "\(dulwich.stdout)")
  }
}

@Suite("Sync in every order")
struct SyncOrderTests {
  static let orders: [[String]] = [
    ["alice", "bob", "carol"], ["alice", "carol", "bob"], ["bob", "alice", "carol"], ["bob", "carol", "alice"],
    ["carol", "alice", "bob"], ["carol", "bob", "alice"],
  ]

  @Test("three authors, offline edits to the profile and their own sections, sync in this order", arguments: orders)
  func order(_ order: [String]) throws {
    let team = try Team(authors: ["alice", "bob", "carol"])
    let sections = ["alice": "rationale", "bob": "strategic-case", "carol": "economic-case"]
    let profile = [
      "alice": ["key_risks", "[Procurement delay]"], "bob": ["gate_stage", "Gate 1"],
      "carol": ["project_title", "Estate Accessibility Upgrade"],
    ]
    for author in ["alice", "bob", "carol"] {
      _ = try team.commitSection(author, sections[author]!, "\(author)'s offline text.\n")
      let session = try team.start(author)
      try team.ok(author, ["profile", "set"] + profile[author]! + ["--session", session])
      try team.ok(author, ["session", "merge", session])
    }
    for author in order { try team.ok(author, ["sync"]) }
    for author in order { try team.ok(author, ["sync"]) }
    let trees = try ["alice", "bob", "carol"].map { try team.tree(team.path($0)) }
    #expect(Set(trees + [try team.tree(team.remote)]).count == 1)
    let merged = try team.show(order[0], "project_profile.yaml")
    #expect(
      merged.contains("Procurement delay") && merged.contains("Gate 1") && merged.contains("Estate Accessibility"))
    for (author, section) in sections {
      #expect(try team.show(order[0], "sections/\(section).md").contains("\(author)'s offline text"))
    }
  }

  @Test("file:// URLs clone and sync like paths")
  func fileURL() throws {
    let team = try Team(authors: ["alice"])
    try team.author("bob").ok(["clone", "file://" + team.remote, team.path("bob")])
    _ = try team.commitSection("bob", "rationale", "Through file://.\n")
    try team.ok("bob", ["sync"])
    try team.ok("alice", ["sync"])
    #expect(try team.tree(team.path("alice")) == team.tree(team.path("bob")))
    #expect(try team.show("alice", "sections/rationale.md").contains("Through file://"))
  }
}
