import Foundation
import TestSupport
import Testing

/// Bad input to `lock`, `unlock` and `doctor`: a clear message, its exit code, and the
/// repository exactly as it was (`CLI.expectRefused`).
@Suite("lock, unlock and doctor, bad input")
struct LockBadInputTests {
  /// alice's session `a` holds the lock on rationale (drafted); bob has session `b`; carol's
  /// session `closed` is closed.
  struct Fixture {
    var cli: CLI
    let repo: String
    let a: String
    let b: String
    let closed: String

    init() throws {
      cli = try CLI()
      (repo, a) = try cli.project()
      let text = try cli.file("draft.md", "# Rationale\n\nText.\n")
      _ = try cli.ok(["section", "draft", "rationale", "--session", a, "--from", text, "--repo", repo])
      cli.user = "bob"
      b = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      cli.user = "carol"
      closed = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      _ = try cli.ok(["session", "close", closed, "--repo", repo])
      cli.user = "alice"
    }
  }

  typealias Case = Refusal<Fixture>

  static let missingSession = String(repeating: "ab", count: 16)

  static let cases: [Case] = [
    // unlock
    Case(name: "unlock without --force", user: "bob", status: 1, message: "pass --force") { _ in
      ["unlock", "rationale"]
    },
    Case(name: "unlock a section that is not locked", status: 2, message: "is not locked") { _ in
      ["unlock", "key-risks", "--force"]
    },
    Case(name: "unlock a bad section id", status: 1, message: "section id") { _ in ["unlock", "../x", "--force"] },
    Case(name: "unlock an empty section id", status: 1, message: "section id") { _ in ["unlock", "", "--force"] },
    Case(name: "unlock with no section", status: 64, message: "missing expected argument") { _ in ["unlock", "--force"]
    },
    // lock take
    Case(name: "lock take a section another session holds", user: "bob", status: 3, message: "locked by alice") {
      ["lock", "take", "rationale", "--session", $0.b]
    },
    Case(name: "lock take a bad section id", status: 1, message: "section id") {
      ["lock", "take", "Rationale", "--session", $0.a]
    },
    Case(name: "lock take a bad session id", status: 1, message: "session id") { _ in
      ["lock", "take", "rationale", "--session", "xyz"]
    },
    Case(name: "lock take for an unknown session", status: 2, message: "not found") { _ in
      ["lock", "take", "key-risks", "--session", missingSession]
    },
    Case(name: "lock take for someone else's session", status: 1, message: "belongs to bob") {
      ["lock", "take", "key-risks", "--session", $0.b]
    },
    Case(name: "lock take for a closed session", user: "carol", status: 1, message: "closed") {
      ["lock", "take", "key-risks", "--session", $0.closed]
    },
    Case(name: "lock take without a session", status: 1, message: "needs a session") { _ in
      ["lock", "take", "key-risks"]
    },
    // lock release
    Case(name: "lock release through someone else's session", user: "bob", status: 1, message: "belongs to alice") {
      ["lock", "release", "rationale", "--session", $0.a]
    },
    Case(name: "lock release a lock another session holds", user: "bob", status: 3, message: "locked by alice") {
      ["lock", "release", "rationale", "--session", $0.b]
    },
    Case(name: "lock release a section that is not locked", status: 2, message: "is not locked") {
      ["lock", "release", "key-risks", "--session", $0.a]
    },
    Case(name: "lock release for an unknown session", status: 2, message: "not found") { _ in
      ["lock", "release", "rationale", "--session", missingSession]
    },
    Case(name: "lock release a bad section id", status: 1, message: "section id") {
      ["lock", "release", "a/b", "--session", $0.a]
    },
    // lock list, doctor
    Case(name: "lock list outside a project", status: 2, message: "no casebook project") {
      ["lock", "list", "--repo", $0.cli.root]
    },
    Case(name: "doctor outside a project", status: 2, message: "no casebook project") {
      ["doctor", "--repo", $0.cli.root]
    },
    Case(name: "doctor with a negative threshold", status: 1, message: "--stale-after") { _ in
      ["doctor", "--stale-after=-1"]
    },
    Case(name: "doctor with a threshold that is not a number", status: 64, message: "stale-after") { _ in
      ["doctor", "--stale-after", "soon"]
    },
    // The write a lock refuses.
    Case(name: "draft a section another session holds", user: "bob", status: 3, message: "unlock rationale --force") {
      ["section", "draft", "rationale", "--session", $0.b]
    },
  ]

  @Test("refused, with its exit code and message, leaving the repository as it was", arguments: cases)
  func refused(_ c: Case) throws {
    var fixture = try Fixture()
    fixture.cli.user = c.user
    try fixture.cli.expectRefused(c.args(fixture), repo: fixture.repo, status: c.status, message: c.message)
  }
}
