import Foundation
import Git
import TestSupport
import Testing

@testable import Casebook

/// Section locks (`refs/casebook/locks/<id>`): taken by drafting and revising, refused to other
/// sessions with exit 3, released by commit, close, expiry or an audited `unlock --force`, and
/// every lock event readable with plain git.
@Suite("section locks")
struct LockTests {
  /// A CLI project with alice's session `a` (rationale drafted, so locked) and bob's `b`.
  struct Fixture {
    var cli: CLI
    let repo: String
    let a: String
    let b: String
    let text: String

    init() throws {
      cli = try CLI()
      (repo, a) = try cli.project()
      cli.user = "bob"
      b = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      cli.user = "alice"
      text = try cli.file("draft.md", "# Rationale\n\nText.\n")
      _ = try cli.ok(["section", "draft", "rationale", "--session", a, "--from", text, "--repo", repo])
    }

    func git(_ args: [String]) throws -> String { try cli.git(args, in: repo) }
    func locks() throws -> [[String: Any]] {
      try #require(try cli.ok(["lock", "list", "--repo", repo])["locks"] as? [[String: Any]])
    }
  }

  @Test("drafting takes the lock; another session is refused with exit 3 naming the holder")
  func draftTakesLock() throws {
    var f = try Fixture()
    let locks = try f.locks()
    #expect(locks.count == 1)
    #expect(locks.first?["section_id"] as? String == "rationale")
    #expect(locks.first?["session_id"] as? String == f.a)
    #expect(locks.first?["user_id"] as? String == "alice")
    #expect(locks.first?["expired"] as? Bool == false)
    #expect(locks.first?["expires"] is String && locks.first?["since"] is String)

    f.cli.user = "bob"
    try f.cli.expectRefused(
      ["section", "draft", "rationale", "--session", f.b, "--from", f.text], repo: f.repo, status: 3,
      message: "locked by alice (session \(f.a)) since")
    try f.cli.expectRefused(
      ["lock", "take", "rationale", "--session", f.b], repo: f.repo, status: 3, message: "expires")

    // The holder's own session writes on, and the lock stays one held lock.
    f.cli.user = "alice"
    let revised = try f.cli.file("r2.md", "# Rationale\n\nBetter text.\n")
    _ = try f.cli.ok(["section", "revise", "rationale", "--session", f.a, "--from", revised, "--repo", f.repo])
    #expect(try f.locks().count == 1)

    // Plain git reads the lock: a commit whose tree is lock.yaml, with Casebook trailers.
    let shown = try f.git(["show", "refs/casebook/locks/rationale:lock.yaml"])
    #expect(shown.contains("state: held") && shown.contains("user_id: alice") && shown.contains(f.a))
    let trailers = try f.git(["log", "-1", "--format=%(trailers)", "refs/casebook/locks/rationale"])
    #expect(trailers.contains("Casebook-Action: lock-section") && trailers.contains("Casebook-Section: rationale"))
    #expect(try runGit(["fsck", "--strict"], in: f.repo).status == 0)
  }

  @Test("section commit and session close release the session's locks")
  func commitAndCloseRelease() throws {
    let f = try Fixture()
    _ = try f.cli.ok(["section", "commit", "rationale", "--session", f.a, "--repo", f.repo])
    #expect(try f.locks().isEmpty)
    let released = try f.git(["log", "-1", "--format=%(trailers)", "refs/casebook/locks/rationale"])
    #expect(released.contains("Casebook-Action: release-lock"))
    #expect(try f.git(["show", "refs/casebook/locks/rationale:lock.yaml"]).contains("reason: section committed"))

    let text = try f.cli.file("k.md", "# Key risks\n\nDelay.\n")
    _ = try f.cli.ok(["section", "draft", "key-risks", "--session", f.a, "--from", text, "--repo", f.repo])
    _ = try f.cli.ok(["lock", "take", "executive-summary", "--session", f.a, "--repo", f.repo])
    #expect(try f.locks().count == 2)
    _ = try f.cli.ok(["session", "close", f.a, "--repo", f.repo])
    #expect(try f.locks().isEmpty)
    // A released lock is free for anyone.
    var bob = f.cli
    bob.user = "bob"
    _ = try bob.ok(["section", "draft", "key-risks", "--session", f.b, "--from", text, "--repo", f.repo])
    #expect(try f.locks().first?["user_id"] as? String == "bob")
    #expect(try runGit(["fsck", "--strict"], in: f.repo).status == 0)
  }

  @Test("unlock --force breaks another's lock and is recorded for audit")
  func forcedUnlockIsAudited() throws {
    var f = try Fixture()
    f.cli.user = "bob"
    let broken = try f.cli.ok(["unlock", "rationale", "--force", "--reason", "alice is on leave", "--repo", f.repo])
    let commit = try #require(broken["commit"] as? String)
    #expect(try f.locks().isEmpty)
    // git log shows who broke whose lock, and why.
    let log = try f.git(["log", "-1", "--format=%an%n%B", "refs/casebook/locks/rationale"])
    #expect(log.hasPrefix("bob\nforce-unlock rationale held by alice (session \(f.a))"))
    #expect(log.contains("Casebook-Action: force-unlock") && log.contains("Casebook-Reason: alice is on leave"))
    #expect(try f.git(["show", commit + ":lock.yaml"]).contains("forced: true"))
    // The lock history is kept: the broken lock is the parent of the break.
    #expect(
      try f.git(["rev-list", "--count", "refs/casebook/locks/rationale"]).trimmingCharacters(
        in: .whitespacesAndNewlines) == "2")
    // casebook audit lists it.
    let events = try #require(try f.cli.ok(["audit", "--repo", f.repo])["events"] as? [[String: Any]])
    #expect(events.contains { $0["action"] as? String == "force-unlock" && $0["user"] as? String == "bob" })
    // Bob can now draft; alice's next revise is refused while bob holds it.
    _ = try f.cli.ok(["section", "draft", "rationale", "--session", f.b, "--from", f.text, "--repo", f.repo])
    f.cli.user = "alice"
    try f.cli.expectRefused(
      ["section", "revise", "rationale", "--session", f.a, "--from", f.text], repo: f.repo, status: 3,
      message: "locked by bob")
    #expect(try runGit(["fsck", "--strict"], in: f.repo).status == 0)
  }

  /// A clock that starts where the test says and moves only when told.
  final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var date: Date
    init(_ date: Date) { self.date = date }
    var now: Date { lock.withLock { date } }
    func advance(minutes: Double) { lock.withLock { date += minutes * 60 } }
  }

  @Test("a lock lasts settings.lock_minutes after the last write; then another session takes it over")
  func expiryAndTakeover() throws {
    let dir = try TemporaryDirectory()
    let template = try TemplateLibrary(searchPaths: [CLI.templates]).template("gate-0")
    let (created, _) = try Project.initialize(
      InitOptions(path: dir.path + "/p", template: template, projectID: "abc123", title: "T", user: try User("alice")))
    #expect(created.settings.lockMinutes == 30)
    let clock = Clock(Date(timeIntervalSince1970: 1_800_000_000))
    let project = try Project.open(at: dir.path + "/p", now: { clock.now })
    let alice = try User("alice")
    let bob = try User("bob")
    let a = try project.startSession(by: alice).sessionId
    let b = try project.startSession(by: bob).sessionId
    _ = try project.draftSection("rationale", session: a, edit: SectionEdit(content: "A\n"), by: alice)
    let first = try #require(try project.sectionLock("rationale"))

    // Within the first half of its time a write leaves the lock as it is; later it extends it.
    clock.advance(minutes: 10)
    _ = try project.reviseSection("rationale", session: a, edit: SectionEdit(content: "A2\n"), by: alice)
    #expect(try project.sectionLock("rationale")?.commit == first.commit)
    clock.advance(minutes: 10)
    _ = try project.reviseSection("rationale", session: a, edit: SectionEdit(content: "A3\n"), by: alice)
    let extended = try #require(try project.sectionLock("rationale"))
    #expect(extended.commit != first.commit && extended.since == first.since && extended.expires > first.expires)

    // 29 minutes after the last extension bob is still refused; at 31 he takes it over.
    clock.advance(minutes: 29)
    #expect(throws: CasebookError.self) {
      try project.draftSection("rationale", session: b, edit: SectionEdit(content: "B\n"), by: bob)
    }
    clock.advance(minutes: 2)
    #expect(try project.sectionLocks().first?.expired == true)
    _ = try project.draftSection("rationale", session: b, edit: SectionEdit(content: "B\n"), by: bob)
    let taken = try #require(try project.sectionLock("rationale"))
    #expect(taken.sessionId == b && taken.userId == "bob" && !taken.expired)
    let log = try runGit(["log", "--format=%s", "refs/casebook/locks/rationale"], in: dir.path + "/p").stdout
    #expect(log.hasPrefix("take over expired lock on rationale from alice (session \(a))"))
    // Alice's session, having lost the lock, may neither revise nor commit the section now.
    #expect(throws: CasebookError.self) {
      try project.reviseSection("rationale", session: a, edit: SectionEdit(content: "A4\n"), by: alice)
    }
    let mainBefore = try runGit(["rev-parse", "main"], in: dir.path + "/p").stdout
    #expect(throws: Project.heldError(taken)) {
      try project.commitSection("rationale", session: a, by: alice)
    }
    #expect(try runGit(["rev-parse", "main"], in: dir.path + "/p").stdout == mainBefore)
    #expect(try project.sectionLock("rationale")?.sessionId == b)
    #expect(try runGit(["fsck", "--strict"], in: dir.path + "/p").status == 0)
  }

  @Test("a refused write takes no lock, and a write that fails after taking one gives it back")
  func refusedWritesLeaveNoLock() throws {
    let dir = try TemporaryDirectory()
    let template = try TemplateLibrary(searchPaths: [CLI.templates]).template("gate-0")
    let (project, _) = try Project.initialize(
      InitOptions(path: dir.path + "/p", template: template, projectID: "abc123", title: "T", user: try User("alice")))
    let alice = try User("alice")
    let a = try project.startSession(by: alice).sessionId
    #expect(throws: CasebookError.self) {
      try project.draftSection("rationale", session: a, edit: SectionEdit(content: "  \n"), by: alice)
    }
    #expect(throws: CasebookError.self) {
      try project.draftSection("not-in-template", session: a, edit: SectionEdit(content: "x\n"), by: alice)
    }
    #expect(try project.sectionLock("rationale") == nil && project.sectionLock("not-in-template") == nil)
    #expect(try project.sectionLocks().isEmpty)

    // The claim a section write makes: taken before the session write, given back when the write then
    // fails (here: never kept), left alone when the session already held the lock.
    do {
      let claim = project.claimSectionLock(try SectionID("rationale"), session: try SessionID(a), by: alice)
      defer { claim.finish() }
      try claim.take()
      #expect(try project.sectionLocks().count == 1)
    }
    #expect(try project.sectionLocks().isEmpty)
    #expect(try project.sectionLock("rationale")?.reason == "the write that took it failed")
    _ = try project.acquireSectionLock("rationale", session: a, by: alice)
    do {
      let claim = project.claimSectionLock(try SectionID("rationale"), session: try SessionID(a), by: alice)
      defer { claim.finish() }
      try claim.take()
    }
    #expect(try project.sectionLocks().count == 1)
    #expect(try runGit(["fsck", "--strict"], in: dir.path + "/p").status == 0)
  }
}
