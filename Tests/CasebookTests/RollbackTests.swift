import Foundation
import TestSupport
import Testing

/// `casebook rollback`: a session's latest writes undone as one new commit, history kept, never
/// across a merge into main; the failed exchange linked.
@Suite("casebook rollback")
struct RollbackTests {
  /// A session that drafted rationale (revision 1), revised it twice, and recorded a failed
  /// exchange; `afterDraft` is the draft's commit.
  struct Fixture {
    var cli: CLI
    let repo: String
    let session: String
    let afterDraft: String
    let failed: String

    init() throws {
      cli = try CLI()
      (repo, session) = try cli.project()
      for (n, text) in ["One.", "Two.", "Three."].enumerated() {
        let file = try cli.file("v\(n).md", "# Rationale\n\n\(text)\n")
        let verb = n == 0 ? "draft" : "revise"
        _ = try cli.ok(["section", verb, "rationale", "--from", file, "--session", session, "--repo", repo])
      }
      afterDraft = try cli.git(["rev-parse", "sessions/\(session)~2"], in: repo).trimmingCharacters(
        in: .whitespacesAndNewlines)
      failed = try #require(
        try cli.ok([
          "exchange", "record", "--tool", "revise_section", "--status", "500", "--session", session, "--repo", repo,
        ])["exchange_id"] as? String)
    }

    func text() throws -> String {
      try cli.git(["show", "sessions/\(session):sections/rationale.md"], in: repo)
    }
  }

  @Test("--last undoes the latest writes as one new commit; history and the session file are kept")
  func last() throws {
    let f = try Fixture()
    let before = try f.cli.git(["rev-list", "--count", "sessions/\(f.session)"], in: f.repo)
    let result = try f.cli.ok([
      "rollback", "--last", "3", "--reason", "the revisions went wrong", "--exchange", f.failed, "--session", f.session,
      "--repo", f.repo,
    ])
    #expect((result["undone"] as? [[String: Any]])?.count == 3)
    #expect(result["restored"] as? String == f.afterDraft)
    #expect(try f.text() == "# Rationale\n\nOne.\n")
    let after = try f.cli.git(["rev-list", "--count", "sessions/\(f.session)"], in: f.repo)
    #expect(
      Int(after.trimmingCharacters(in: .whitespacesAndNewlines)) == Int(
        before.trimmingCharacters(in: .whitespacesAndNewlines))! + 1)
    let trailers = try f.cli.git(["show", "-s", "--format=%(trailers)", "sessions/\(f.session)"], in: f.repo)
    #expect(trailers.contains("Casebook-Action: rollback") && trailers.contains("Casebook-Exchange: \(f.failed)"))
    #expect(trailers.components(separatedBy: "Casebook-Rolled-Back:").count == 4)
    #expect(trailers.contains("Casebook-Reason: the revisions went wrong"))
    // The section's record is back at revision 1; the session is still active and writable.
    let section = try f.cli.ok(["section", "show", "rationale", "--session", f.session, "--repo", f.repo])
    #expect((section["record"] as? [String: Any])?["revision"] as? Int == 1)
    let again = try f.cli.file("v4.md", "# Rationale\n\nFour.\n")
    _ = try f.cli.ok(["section", "revise", "rationale", "--from", again, "--session", f.session, "--repo", f.repo])
    #expect(try runGit(["fsck", "--strict"], in: f.repo).status == 0)
  }

  @Test("--to goes back to an earlier commit of the session")
  func to() throws {
    let f = try Fixture()
    _ = try f.cli.ok(["rollback", "--to", f.afterDraft, "--session", f.session, "--repo", f.repo])
    #expect(try f.text() == "# Rationale\n\nOne.\n")
  }

  typealias Case = Refusal<Fixture>

  static let cases: [Case] = [
    Case(name: "neither --to nor --last", status: 1, message: "exactly one of") {
      ["rollback", "--session", $0.session]
    },
    Case(name: "both --to and --last", status: 1, message: "exactly one of") {
      ["rollback", "--to", $0.afterDraft, "--last", "1", "--session", $0.session]
    },
    Case(name: "--last 0", status: 1, message: "--last must be") {
      ["rollback", "--last", "0", "--session", $0.session]
    },
    Case(name: "--last past the session's start", status: 1, message: "start of session") {
      ["rollback", "--last", "6", "--session", $0.session]
    },
    Case(name: "--to a commit not of the session", status: 1, message: "not an earlier commit") {
      ["rollback", "--to", "refs/casebook/locks/rationale", "--session", $0.session]
    },
    Case(name: "--to an unknown revision", status: 2, message: "not found") {
      ["rollback", "--to", "no-such-thing", "--session", $0.session]
    },
    Case(name: "someone else's session", user: "bob", status: 1, message: "belongs to alice") {
      ["rollback", "--last", "1", "--session", $0.session]
    },
    Case(name: "an exchange of another session", status: 1, message: "is not one of session") {
      ["rollback", "--last", "1", "--exchange", "\(String(repeating: "b", count: 32))-1", "--session", $0.session]
    },
  ]

  @Test("refused with its exit code and message, the repository as it was", arguments: cases)
  func refused(_ c: Case) throws {
    var f = try Fixture()
    f.cli.user = c.user
    try f.cli.expectRefused(c.args(f), repo: f.repo, status: c.status, message: c.message)
  }

  @Test("never across a merge into main")
  func notAcrossMain() throws {
    let f = try Fixture()
    _ = try f.cli.ok(["section", "commit", "rationale", "--session", f.session, "--repo", f.repo])
    try f.cli.expectRefused(
      ["rollback", "--last", "2", "--session", f.session], repo: f.repo, status: 3, message: "merged into main")
  }
}
