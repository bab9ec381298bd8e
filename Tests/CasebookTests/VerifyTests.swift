import Foundation
import TestSupport
import Testing

/// `casebook verify` against tampering that `git fsck --strict` accepts, each done with plain git.
@Suite("casebook verify")
struct VerifyTests {
  /// A project with an input, a committed and approved section (approvers: dana), verified clean.
  struct Fixture {
    var cli: CLI
    let repo: String
    let input: String

    init() throws {
      cli = try CLI()
      let (repo, session) = try cli.project()
      self.repo = repo
      let notes = try cli.file("notes.md", "# Notes\n\nThe lift fails 3 audits.\n")
      input = try #require(
        try cli.ok(["input", "add", notes, "--session", session, "--repo", repo])["input_id"] as? String)
      let text = try cli.file("rationale.md", "# Rationale\n\nAccess for all.\n")
      _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
      _ = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
      let admin = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      _ = try cli.ok(["approver", "add", "dana", "--session", admin, "--repo", repo])
      _ = try cli.ok(["session", "merge", admin, "--repo", repo])
      cli.user = "dana"
      _ = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
      cli.user = "alice"
      let clean = try cli.run(["verify", "--json", "--repo", repo])
      #expect(clean.status == 0, "\(clean.stdout)")
    }

    /// `verify` after tampering: exit 3 and a finding of `rule`; `git fsck --strict` still clean.
    func expectFinding(_ rule: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
      #expect(try runGit(["fsck", "--strict"], in: repo).status == 0, sourceLocation: sourceLocation)
      let result = try cli.run(["verify", "--json", "--repo", repo])
      #expect(result.status == 3, "\(result.stdout)", sourceLocation: sourceLocation)
      let findings = try #require(try result.json["findings"] as? [[String: Any]], sourceLocation: sourceLocation)
      #expect(findings.contains { $0["rule"] as? String == rule }, "\(findings)", sourceLocation: sourceLocation)
      #expect(try cli.run(["verify", "--repo", repo]).stdout.contains(rule), sourceLocation: sourceLocation)
    }

    func git(_ args: [String], env: [String: String] = [:]) throws -> String {
      let result = try runGit(args, in: repo, environment: env)
      #expect(result.status == 0, "git \(args): \(result.stderr)")
      return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits `files` on main with plain git (a commit Casebook never made).
    func commitOnMain(_ files: [String: String]) throws {
      for (path, text) in files { try text.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8) }
      _ = try git(["add", "-A"])
      _ = try git(["commit", "-q", "-m", "by hand"])
    }
  }

  @Test("an approval tag re-pointed with plain git")
  func repointedTag() throws {
    let f = try Fixture()
    let message = try f.git(["tag", "-l", "--format=%(contents)", "approved/rationale/v1"])
    let file = try f.cli.file("message.txt", message + "\n")
    _ = try f.git(["tag", "-f", "-a", "-F", file, "approved/rationale/v1", "main~1"])
    try f.expectFinding("approval-target")
  }

  @Test("an input's bytes swapped under an unchanged meta.yaml")
  func swappedInput() throws {
    let f = try Fixture()
    try f.commitOnMain(["inputs/\(f.input)/original.md": "# Notes\n\nThe lift passes every audit.\n"])
    try f.expectFinding("input-bytes")
  }

  @Test("a kept approved document edited with plain git")
  func editedDocument() throws {
    let f = try Fixture()
    let scratch = f.cli.root + "/scratch"
    _ = try f.git(["worktree", "add", "-q", "--detach", scratch, "refs/casebook/documents/rationale/v1"])
    let html = scratch + "/approved.html"
    let original = try String(contentsOfFile: html, encoding: .utf8)
    try original.replacingOccurrences(of: "Access for all", with: "Access for some").write(
      toFile: html, atomically: true, encoding: .utf8)
    _ = try runGit(["commit", "-qam", "edit"], in: scratch)
    let edited = try runGit(["rev-parse", "HEAD"], in: scratch).stdout.trimmingCharacters(in: .newlines)
    _ = try f.git(["update-ref", "refs/casebook/documents/rationale/v1", edited])
    try f.expectFinding("approval-document")
  }

  @Test("an approval by a user who may not approve, written with plain git")
  func unauthorisedApproval() throws {
    let f = try Fixture()
    var message = try f.git(["tag", "-l", "--format=%(contents)", "approved/rationale/v1"])
    message = message.replacingOccurrences(of: "version: 1", with: "version: 2")
      .replacingOccurrences(of: "recorded_by: dana", with: "recorded_by: mallory")
      .split(separator: "\n").filter { !$0.hasPrefix("document:") }.joined(separator: "\n")
    let file = try f.cli.file("forged.txt", message + "\n")
    let target = try f.git(["rev-parse", "approved/rationale/v1^{commit}"])
    _ = try f.git(
      ["tag", "-a", "-F", file, "approved/rationale/v2", target],
      env: ["GIT_COMMITTER_NAME": "mallory", "GIT_COMMITTER_EMAIL": "mallory@example.invalid"])
    try f.expectFinding("approval-authorised")
    // A shared repository with Casebook's hook refuses the forged tag outright.
    let bare = f.cli.root + "/shared.git"
    _ = try f.git(["init", "-q", "--bare", bare])
    _ = try f.cli.ok(["hooks", "install", "--repo", bare])
    let forged = try runGit(
      ["push", bare, "refs/heads/*:refs/heads/*", "refs/tags/approved/*:refs/tags/approved/*"], in: f.repo)
    #expect(forged.status != 0 && forged.stderr.contains("approval-authorised"), "\(forged.stderr)")
    #expect(try runGit(["for-each-ref"], in: bare).stdout.isEmpty)
    let honest = try runGit(
      ["push", bare, "refs/heads/*:refs/heads/*", "refs/tags/approved/rationale/v1:refs/tags/approved/rationale/v1"],
      in: f.repo)
    #expect(honest.status == 0, "\(honest.stderr)")
  }

  @Test("a section changed after its approval is stale, not tampering: verify passes and says so")
  func staleIsNotTampering() throws {
    let f = try Fixture()
    let session = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    _ = try f.cli.ok(["section", "reopen", "rationale", "--session", session, "--repo", f.repo])
    let text = try f.cli.file("v2.md", "# Rationale\n\nAccess for everyone, every day.\n")
    _ = try f.cli.ok(["section", "revise", "rationale", "--session", session, "--from", text, "--repo", f.repo])
    _ = try f.cli.ok(["section", "commit", "rationale", "--session", session, "--repo", f.repo])
    let result = try f.cli.run(["verify", "--json", "--repo", f.repo])
    #expect(result.status == 0, "\(result.stdout)")
    let approvals = try #require(try result.json["approvals"] as? [[String: Any]])
    #expect(approvals.first?["state"] as? String == "stale")
    #expect(try f.cli.run(["verify", "--repo", f.repo]).stdout.contains("stale (not tampering)"))
  }

  @Test("a record that does not parse, committed with plain git")
  func brokenRecord() throws {
    let f = try Fixture()
    try f.commitOnMain(["project_profile.yaml": "project_id: [unclosed\n"])
    try f.expectFinding("yaml-parses")
  }
}
