import Foundation
import TestSupport
import Testing

/// A repository damaged underneath Casebook: a lock record that no longer parses, an object
/// folder that cannot be written. Each is a clear repository error (exit 4) that names what is
/// wrong, and the repository is left exactly as it was.
@Suite("damaged repository")
struct DamageTests {
  @Test("a lock record that does not parse is a repository error naming its ref")
  func damagedLock() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    // A lock commit made with plain git in another repository, whose lock.yaml is not YAML,
    // fetched in and put where the section's lock belongs.
    let other = cli.root + "/damage"
    _ = try cli.git(["init", "-q", other], in: cli.root)
    try Data("section_id: [unclosed\n".utf8).write(to: URL(fileURLWithPath: other + "/lock.yaml"))
    _ = try cli.git(["add", "lock.yaml"], in: other)
    _ = try cli.git(
      ["-c", "user.name=x", "-c", "user.email=x@example.invalid", "commit", "-q", "-m", "damaged"], in: other)
    _ = try cli.git(["fetch", "-q", other, "HEAD"], in: repo)
    _ = try cli.git(["update-ref", "refs/casebook/locks/rationale", "FETCH_HEAD"], in: repo)
    let text = try cli.file("draft.md", "# Rationale\n\nText.\n")
    for args in [
      ["lock", "list"], ["section", "draft", "rationale", "--session", session, "--from", text],
    ] {
      try cli.expectRefused(args, repo: repo, status: 4, message: "refs/casebook/locks/rationale: lock.yaml")
    }
  }

  @Test(
    "a repository another user owns: git's safe.directory check named, and how to allow it",
    .enabled(if: getuid() == 0, "needs root to give the repository to another user"))
  func foreignOwner() throws {
    let cli = try CLI()
    let (repo, _) = try cli.project()
    let chown = try runCommand("/bin/chown", ["-R", "65534", repo])
    #expect(chown.status == 0, "\(chown.stderr)")
    let refused = try cli.run(["log", "--repo", repo])
    #expect(refused.status == 4, "exit \(refused.status): \(refused.stderr)")
    #expect(refused.stderr.contains("owned by user id 65534"), "\(refused.stderr)")
    #expect(refused.stderr.contains("git config --global --add safe.directory \(repo)"), "\(refused.stderr)")
    // What the message says to do works, for git and Casebook alike.
    let sub = try cli.run(["log", "--repo", repo + "/sections"])
    #expect(sub.status == 4 && sub.stderr.contains("safe.directory \(repo)"), "from a subfolder: \(sub.stderr)")
    let allow = try runCommand(
      "/usr/bin/git", ["config", "--global", "--add", "safe.directory", repo],
      environment: ["HOME": cli.root, "PATH": "/usr/bin:/bin"])
    #expect(allow.status == 0, "\(allow.stderr)")
    #expect(try cli.run(["log", "--repo", repo]).status == 0)
  }

  @Test("a lock file left by a killed writer: exit 3 that says so and when doctor --fix clears it")
  func staleLockFile() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let lock = repo + "/.git/refs/heads/sessions/\(session).lock"
    FileManager.default.createFile(atPath: lock, contents: Data("0".utf8))
    let args = ["exchange", "record", "--tool", "t", "--session", session]
    let refs = try cli.git(["for-each-ref"], in: repo)
    let refused = try cli.run(args + ["--repo", repo])
    #expect(refused.status == 3, "exit \(refused.status): \(refused.stderr)")
    #expect(refused.stderr.contains("killed mid-write"), "\(refused.stderr)")
    #expect(
      refused.stderr.contains("casebook doctor --fix") && refused.stderr.contains(" s old: in "), "\(refused.stderr)")
    // Nothing was published (the commit it built is left unreferenced, as git leaves one).
    #expect(try cli.git(["for-each-ref"], in: repo) == refs)
    // Once it is old enough, doctor --fix removes it and the session writes again.
    try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: lock)
    let stale = try cli.run(args + ["--repo", repo])
    #expect(stale.status == 3 && !stale.stderr.contains(" s old: in "), "\(stale.stderr)")
    _ = try cli.ok(["doctor", "--fix", "--repo", repo])
    _ = try cli.ok(args + ["--repo", repo])
  }

  @Test("an object that cannot be written is a repository error; no temporary file or ref is left")
  func unwritableObject() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let first = try cli.file("first.md", "# Rationale\n\nFirst.\n")
    _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", first, "--repo", repo])
    // A revision whose text would go into an object folder that does not exist yet: put a file
    // there instead, so the folder cannot be made.
    let objects = repo + "/.git/objects/"
    var text = ""
    var folder = ""
    for attempt in 0..<4_096 {
      let candidate = try cli.file("next.md", "# Rationale\n\nRevision \(attempt).\n")
      let id = try cli.git(["hash-object", candidate], in: repo)
      folder = objects + id.prefix(2)
      if !FileManager.default.fileExists(atPath: folder) {
        text = candidate
        break
      }
    }
    try #require(!text.isEmpty, "every object folder exists already")
    try Data("not a folder".utf8).write(to: URL(fileURLWithPath: folder))
    let revise = ["section", "revise", "rationale", "--session", session, "--from", text, "--repo", repo]
    let before = try cli.state(of: repo)
    let refused = try cli.run(revise)
    #expect(refused.status == 4, "\(refused.stderr)")
    #expect(refused.stderr.contains("cannot create \(folder)"), "\(refused.stderr)")
    #expect(try cli.state(of: repo) == before, "the repository changed")
    // The damage itself is what git fsck would report; once it is gone, all is clean and the
    // same write goes through.
    try FileManager.default.removeItem(atPath: folder)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
    _ = try cli.ok(revise)
  }
}
