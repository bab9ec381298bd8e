import Foundation
import TestSupport
import Testing

/// Records edited with plain git into values the store never writes: every number read back is
/// range-checked and every record validated, so damage is exit 4 naming the object, never a
/// trap; and a merge never lands a profile that `profile set` would refuse.
@Suite("damaged records and out-of-range numbers")
struct RecordRangeTests {
  /// A project whose session has drafted rationale, and a clone of it to edit with git.
  struct Fixture {
    let cli: CLI
    let repo: String
    let session: String
    let text: String

    init() throws {
      cli = try CLI()
      (repo, session) = try cli.project()
      text = try cli.file("draft.md", "# Rationale\n\nText.\n")
      _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
    }

    /// Commits `edit` (path -> new content) on top of `branch` with plain git, in a clone, and
    /// pushes it back.
    func commit(on branch: String, _ edit: [String: String]) throws {
      let clone = cli.root + "/edit-\(UUID().uuidString.prefix(8))"
      _ = try cli.git(["clone", "-q", "--branch", branch, repo, clone], in: cli.root)
      for (path, content) in edit {
        try Data(content.utf8).write(to: URL(fileURLWithPath: clone + "/" + path))
      }
      _ = try cli.git(["add", "-A"], in: clone)
      _ = try cli.git(
        ["-c", "user.name=x", "-c", "user.email=x@example.invalid", "commit", "-q", "-m", "edited with git"], in: clone)
      // Fetched in rather than pushed: the project has main checked out.
      _ = try cli.git(["fetch", "-q", clone, "HEAD"], in: repo)
      _ = try cli.git(["update-ref", "refs/heads/\(branch)", "FETCH_HEAD"], in: repo)
      if branch == "main" { _ = try cli.git(["reset", "-q", "--hard"], in: repo) }
    }

    func show(_ spec: String) throws -> String { try cli.git(["show", spec], in: repo) }
  }

  @Test(
    "a section revision out of range is exit 4 naming the record, not an overflow trap",
    arguments: ["9223372036854775807", "-1", "1e400", "many"])
  func revisionOutOfRange(_ revision: String) throws {
    let fixture = try Fixture()
    let branch = "sessions/\(fixture.session)"
    let record = try fixture.show("\(branch):sections/rationale.yaml")
    let damaged = record.split(separator: "\n").map { $0.hasPrefix("revision:") ? "revision: \(revision)" : String($0) }
    try fixture.commit(on: branch, ["sections/rationale.yaml": damaged.joined(separator: "\n") + "\n"])
    try fixture.cli.expectRefused(
      ["section", "revise", "rationale", "--session", fixture.session, "--from", fixture.text], repo: fixture.repo,
      status: 4, message: "sections/rationale.yaml")
  }

  @Test("lock and idle minutes out of range in casebook.yaml are exit 4, not a trap")
  func settingsOutOfRange() throws {
    let fixture = try Fixture()
    let config = try fixture.show("main:casebook.yaml")
    let damaged = config.replacingOccurrences(
      of: "lock_minutes:", with: "lock_minutes: 9223372036854775807\n  old_lock_minutes:")
    #expect(damaged != config)
    try fixture.commit(on: "main", ["casebook.yaml": damaged])
    try fixture.cli.expectRefused(
      ["lock", "take", "key-risks", "--session", fixture.session], repo: fixture.repo, status: 4,
      message: "lock_minutes")
  }

  @Test("an approval tag whose message does not read back is exit 4 naming the tag, in export and approve")
  func damagedApprovalTag() throws {
    let fixture = try Fixture()
    _ = try fixture.cli.ok(["section", "commit", "rationale", "--session", fixture.session, "--repo", fixture.repo])
    _ = try fixture.cli.git(
      [
        "-c", "user.name=x", "-c", "user.email=x@example.invalid", "tag", "-a", "approved/rationale/v1", "-m",
        "section: [unclosed", "main",
      ], in: fixture.repo)
    for args in [["export", "main", "--format", "md"], ["approve", "rationale", "--reviewer", "r"], ["approvals"]] {
      let result = try fixture.cli.run(args + ["--repo", fixture.repo])
      if args[0] == "approvals", result.status == 64 { continue }  // no such command: nothing to check
      #expect(result.status == 4, "\(args): exit \(result.status) \(result.stderr)")
      #expect(result.stderr.contains("approved/rationale/v1"), "\(args): \(result.stderr)")
    }
    // A tag under approved/ whose name the store never gives is not an approval, and not damage.
    _ = try fixture.cli.git(
      ["-c", "user.name=x", "-c", "user.email=x@example.invalid", "tag", "-d", "approved/rationale/v1"],
      in: fixture.repo)
    _ = try fixture.cli.git(
      [
        "-c", "user.name=x", "-c", "user.email=x@example.invalid", "tag", "-a", "approved/notes", "-m", "hello", "main",
      ],
      in: fixture.repo)
    #expect(try fixture.cli.run(["export", "main", "--format", "md", "--repo", fixture.repo]).status == 0)
  }

  @Test("a session whose profile was made invalid with git does not merge it onto main")
  func invalidProfileNotMerged() throws {
    let fixture = try Fixture()
    let branch = "sessions/\(fixture.session)"
    let profile = try fixture.show("\(branch):project_profile.yaml")
    let damaged = profile.split(separator: "\n").map {
      $0.hasPrefix("project_title:") ? "project_title: \"two\\nlines\"" : String($0)
    }
    try fixture.commit(on: branch, ["project_profile.yaml": damaged.joined(separator: "\n") + "\n"])
    try fixture.cli.expectRefused(
      ["session", "merge", fixture.session], repo: fixture.repo, status: 1, message: "project_title")
  }
}
