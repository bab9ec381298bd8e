import Foundation
import Git
import TestSupport
import Testing

@testable import Casebook

/// `casebook doctor`: each kind of crash damage made for real, found, repaired with `--fix`,
/// and the repository left clean for `git fsck --strict`.
@Suite("casebook doctor")
struct DoctorTests {
  /// Runs `casebook doctor ARGS --json` and returns its exit status and findings by kind.
  static func doctor(_ cli: CLI, _ repo: String, _ args: [String] = []) throws -> (
    status: Int32, healthy: Bool?, findings: [[String: Any]]
  ) {
    let result = try cli.run(["doctor", "--repo", repo, "--json"] + args)
    let json = try result.json
    return (result.status, json["healthy"] as? Bool, json["findings"] as? [[String: Any]] ?? [])
  }

  static func kinds(_ findings: [[String: Any]]) -> [String] { findings.compactMap { $0["kind"] as? String } }

  static func age(_ path: String, minutes: Double) throws {
    try FileManager.default.setAttributes([.modificationDate: Date() - minutes * 60], ofItemAtPath: path)
  }

  @Test("a healthy project: exit 0, no findings, human output says so")
  func healthy() throws {
    let cli = try CLI()
    let (repo, _) = try cli.project()
    let result = try Self.doctor(cli, repo)
    #expect(result.status == 0 && result.healthy == true && result.findings.isEmpty)
    let plain = try cli.run(["doctor", "--repo", repo])
    #expect(plain.status == 0 && plain.stdout.contains("healthy"))
  }

  @Test("stale ref lock files and temporary objects: found when old, removed by --fix, writes work again")
  func staleFiles() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let git = repo + "/.git"
    let mainLock = git + "/refs/heads/main.lock"
    let sessionLock = git + "/refs/heads/sessions/\(session).lock"
    let temp = git + "/objects/tmp_object_git2_AbCdEf"
    let text = try cli.file("e.md", "# Summary\n\nText.\n")
    _ = try cli.ok(["section", "draft", "executive-summary", "--session", session, "--from", text, "--repo", repo])
    for path in [mainLock, sessionLock, temp] { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
    // Fresh ones may belong to a live writer: left alone under the default threshold.
    #expect(try Self.doctor(cli, repo).healthy == true)
    // While main.lock is there, main cannot move: the merge gives up with a conflict.
    let blocked = try cli.run(["session", "merge", session, "--repo", repo])
    #expect(blocked.status == 3, "\(blocked.stderr)")
    for path in [mainLock, sessionLock, temp] { try Self.age(path, minutes: 5) }
    let found = try Self.doctor(cli, repo)
    #expect(found.status == 4 && found.healthy == false)
    #expect(Self.kinds(found.findings).sorted() == ["stale-ref-lock", "stale-ref-lock", "stale-temp-object"])
    #expect(found.findings.allSatisfy { $0["fixed"] as? Bool == false })
    #expect(FileManager.default.fileExists(atPath: mainLock))
    let fixed = try Self.doctor(cli, repo, ["--fix"])
    #expect(fixed.status == 0 && fixed.healthy == true && fixed.findings.allSatisfy { $0["fixed"] as? Bool == true })
    for path in [mainLock, sessionLock, temp] { #expect(!FileManager.default.fileExists(atPath: path)) }
    let merged = try cli.ok(["session", "merge", session, "--repo", repo])
    #expect(merged["merged"] as? Bool == true)
    #expect(try Self.doctor(cli, repo).findings.isEmpty)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("an expired section lock is reported and released; an idle active session is marked expired")
  func expiredLockAndIdleSession() throws {
    let cli = try CLI()
    let (repo, _) = try cli.project()
    // Written through the library with the clock set back: a lock that expired an hour ago,
    // and a session whose last activity is two days old.
    let hourAgo = Date() - 2 * 3600
    let old = try Project.open(at: repo, now: { hourAgo })
    let alice = try User("alice")
    let s = try old.startSession(by: alice).sessionId
    _ = try old.draftSection("rationale", session: s, edit: SectionEdit(content: "# R\n\nOld.\n"), by: alice)
    let twoDaysAgo = Date() - 2 * 86_400
    let idle = try Project.open(at: repo, now: { twoDaysAgo }).startSession(by: try User("carol")).sessionId

    let found = try Self.doctor(cli, repo)
    #expect(found.status == 4)
    #expect(Self.kinds(found.findings).sorted() == ["expired-lock", "idle-session"])
    #expect(found.findings.contains { $0["subject"] as? String == "rationale" })
    #expect(found.findings.contains { $0["subject"] as? String == idle })

    let fixed = try Self.doctor(cli, repo, ["--fix"])
    #expect(fixed.status == 0 && fixed.healthy == true)
    let project = try Project.open(at: repo)
    #expect(try project.sectionLocks().isEmpty)
    #expect(try project.sectionLock("rationale")?.reason == "expired; released by casebook doctor")
    #expect(try project.session(idle).session.status == .expired)
    let trailers = try cli.git(["log", "-1", "--format=%(trailers)", "refs/heads/sessions/\(idle)"], in: repo)
    #expect(trailers.contains("Casebook-Action: session-expire"))
    // An expired session is refused like a closed one, and resumes.
    var carol = cli
    carol.user = "carol"
    try carol.expectRefused(
      ["exchange", "record", "--session", idle, "--tool", "t"], repo: repo, status: 1, message: "resume")
    _ = try carol.ok(["session", "resume", "--repo", repo])
    #expect(try Self.doctor(cli, repo).findings.isEmpty)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("a section commit that stopped between its two ref updates is finished with a real merge")
  func unfinishedMerge() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let text = try cli.file("r.md", "# Rationale\n\nWhy.\n")
    _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
    // What a crash after the session update leaves: the marker at the session's tip, main behind.
    let tip = try cli.git(["rev-parse", "refs/heads/sessions/\(session)"], in: repo)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    _ = try cli.git(["update-ref", "refs/casebook/merging/\(session)", tip], in: repo)
    let found = try Self.doctor(cli, repo)
    #expect(found.status == 4 && Self.kinds(found.findings) == ["unfinished-merge"])
    // Whoever runs doctor finishes it, not only the session's owner (a crash leaves it to anyone).
    var admin = cli
    admin.user = "admin"
    let fixed = try Self.doctor(admin, repo, ["--fix"])
    #expect(fixed.status == 0 && fixed.healthy == true)
    #expect(try cli.git(["merge-base", "--is-ancestor", tip, "main"], in: repo).isEmpty)
    #expect(try cli.git(["show", "main:sections/rationale.md"], in: repo).contains("Why."))
    #expect(try cli.git(["for-each-ref", "refs/casebook/merging"], in: repo).isEmpty)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("an unfinished merge that conflicts with main is reported, not forced")
  func unfinishedMergeConflict() throws {
    var cli = try CLI()
    let (repo, alice) = try cli.project()
    cli.user = "bob"
    let bob = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    _ = try cli.ok(["profile", "set", "project_title", "Title A", "--session", bob, "--repo", repo])
    _ = try cli.ok(["session", "merge", bob, "--repo", repo])
    cli.user = "alice"
    _ = try cli.ok(["profile", "set", "project_title", "Title B", "--session", alice, "--repo", repo])
    let tip = try cli.git(["rev-parse", "refs/heads/sessions/\(alice)"], in: repo)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    _ = try cli.git(["update-ref", "refs/casebook/merging/\(alice)", tip], in: repo)
    let mainBefore = try cli.git(["rev-parse", "main"], in: repo)
    let fixed = try Self.doctor(cli, repo, ["--fix"])
    #expect(fixed.status == 4 && fixed.healthy == false)
    let finding = try #require(fixed.findings.first)
    #expect(finding["kind"] as? String == "unfinished-merge" && finding["fixed"] as? Bool == false)
    #expect((finding["detail"] as? String)?.contains("conflicts") == true)
    #expect(try cli.git(["rev-parse", "main"], in: repo) == mainBefore)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("a damaged object reachable from a ref is reported and cannot be fixed")
  func damagedObject() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let text = try cli.file("r.md", "# Rationale\n\nA sentence only this blob has.\n")
    _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
    let blob = try cli.git(["rev-parse", "sessions/\(session):sections/rationale.md"], in: repo)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let path = repo + "/.git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))"
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    try Data("not zlib at all".utf8).write(to: URL(fileURLWithPath: path))
    let found = try Self.doctor(cli, repo, ["--fix"])
    #expect(found.status == 4 && found.healthy == false)
    let finding = try #require(found.findings.first { $0["subject"] as? String == blob })
    #expect(["unreadable-object", "corrupt-object"].contains(finding["kind"] as? String ?? ""))
    #expect(finding["fixed"] as? Bool == false)
    let plain = try cli.run(["doctor", "--repo", repo])
    #expect(plain.status == 4 && plain.stdout.contains(blob) && plain.stdout.contains("problems remain"))
  }
}
