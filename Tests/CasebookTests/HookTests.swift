import Foundation
import TestSupport
import Testing

/// `casebook hooks install` and the pre-receive hook, with the real `git push` into a bare
/// repository: ordinary pushes go through, every rule's breach is refused whole, and the shared
/// repository's refs and objects stay exactly as they were.
@Suite("hooks: the shared bare repository's pre-receive rules")
struct HookTests {
  /// A project with a committed and approved section (so main, a session, a lock ref with two
  /// commits and an approval tag), pushed to a bare repository with the hook installed.
  struct Fixture {
    let cli: CLI
    let repo: String
    let session: String
    let bare: String

    static let refspecs = [
      "refs/heads/*:refs/heads/*", "refs/tags/approved/*:refs/tags/approved/*",
      "refs/casebook/locks/*:refs/casebook/locks/*", "refs/casebook/documents/*:refs/casebook/documents/*",
    ]

    init() throws {
      cli = try CLI()
      (repo, session) = try cli.project()
      let text = try cli.file("draft.md", "# Rationale\n\nText.\n")
      _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
      _ = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
      _ = try cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", repo])
      bare = cli.root + "/shared.git"
      _ = try cli.git(["init", "--bare", "-q", bare], in: cli.root)
      let installed = try cli.ok(["hooks", "install", "--repo", bare])
      #expect(installed["hook"] as? String == bare + "/hooks/pre-receive")
      let pushed = try runGit(["push", bare] + Self.refspecs, in: repo)
      #expect(pushed.status == 0, "the first push: \(pushed.stderr)")
    }

    /// The bare repository's refs and object files: what a refused push must leave as it was.
    func state() throws -> String {
      let refs = try cli.git(["for-each-ref", "--format=%(refname) %(objectname)"], in: bare)
      let objects = try FileManager.default.subpathsOfDirectory(atPath: bare + "/objects").sorted()
      return refs + "--\n" + objects.joined(separator: "\n")
    }

    /// A clone of the bare repository with `files` committed on main (the commit is not pushed).
    func cloneWithCommit(_ files: [String: String]) throws -> String {
      let work = cli.root + "/work-\(UUID().uuidString.prefix(8))"
      _ = try cli.git(["clone", "-q", bare, work], in: cli.root)
      for (path, text) in files {
        let url = URL(fileURLWithPath: work).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
      }
      _ = try cli.git(["add", "-A"], in: work)
      _ = try cli.git(["commit", "-q", "-m", "by hand"], in: work)
      return work
    }
  }

  /// One push a rule refuses: where it is pushed from, its arguments, and the rule.
  struct Breach: CustomTestStringConvertible, Sendable {
    let name: String
    let rule: String
    let push: @Sendable (Fixture) throws -> (folder: String, args: [String])
    var testDescription: String { name }
  }

  static let breaches: [Breach] = [
    Breach(name: "moving an approval tag", rule: "approval-tag-immutable") { f in
      (f.repo, ["push", "--force", f.bare, "main~1:refs/tags/approved/rationale/v1"])
    },
    Breach(name: "deleting an approval tag", rule: "approval-tag-immutable") { f in
      (f.repo, ["push", f.bare, ":refs/tags/approved/rationale/v1"])
    },
    Breach(name: "moving an approved document", rule: "approval-document-immutable") { f in
      (f.repo, ["push", "--force", f.bare, "main:refs/casebook/documents/rationale/v1"])
    },
    Breach(name: "deleting an approved document", rule: "approval-document-immutable") { f in
      (f.repo, ["push", f.bare, ":refs/casebook/documents/rationale/v1"])
    },
    Breach(name: "a lightweight approval tag", rule: "approval-tag-annotated") { f in
      (f.repo, ["push", f.bare, "main:refs/tags/approved/rationale/v2"])
    },
    Breach(name: "rewinding main", rule: "main-forward-only") { f in
      (f.repo, ["push", "--force", f.bare, "main~1:refs/heads/main"])
    },
    Breach(name: "deleting main", rule: "main-forward-only") { f in
      (f.repo, ["push", f.bare, ":refs/heads/main"])
    },
    Breach(name: "deleting a session branch", rule: "session-forward-only") { f in
      (f.repo, ["push", f.bare, ":refs/heads/sessions/\(f.session)"])
    },
    Breach(name: "rewinding a session branch", rule: "session-forward-only") { f in
      (f.repo, ["push", "--force", f.bare, "sessions/\(f.session)~1:refs/heads/sessions/\(f.session)"])
    },
    Breach(name: "rewinding a lock ref", rule: "lock-forward-only") { f in
      (f.repo, ["push", "--force", f.bare, "refs/casebook/locks/rationale~1:refs/casebook/locks/rationale"])
    },
    Breach(name: "deleting a lock ref", rule: "lock-forward-only") { f in
      (f.repo, ["push", f.bare, ":refs/casebook/locks/rationale"])
    },
    Breach(name: "a YAML file that does not parse, on main", rule: "yaml-parses") { f in
      (try f.cloneWithCommit(["notes/broken.yaml": "a: [1, 2\nb: c\n"]), ["push", "origin", "main"])
    },
    Breach(name: "a YAML file that does not parse, on a new branch", rule: "yaml-parses") { f in
      (try f.cloneWithCommit(["broken.yaml": "a: 1\na: 2\n"]), ["push", "origin", "main:refs/heads/elsewhere"])
    },
    Breach(name: "a section record that does not read", rule: "record-reads") { f in
      (try f.cloneWithCommit(["sections/rationale.yaml": "title: no status\n"]), ["push", "origin", "main"])
    },
    Breach(name: "a profile that fails its schema", rule: "record-reads") { f in
      (
        try f.cloneWithCommit(["project_profile.yaml": "project_id: other\nproject_title: T\ngate_stage: Gate 0\n"]),
        ["push", "origin", "main"]
      )
    },
  ]

  @Test("an ordinary push of main, sessions, approval tags and lock refs goes through, and so do later ones")
  func ordinaryPushes() throws {
    let f = try Fixture()
    let shared = [
      "refs/heads/main", "refs/heads/sessions/\(f.session)", "refs/tags/approved/rationale/v1",
      "refs/casebook/locks/rationale",
    ]
    let format = "--format=%(refname) %(objectname)"
    let pushed = try f.cli.git(["for-each-ref", format] + shared, in: f.bare)
    #expect(pushed == (try f.cli.git(["for-each-ref", format] + shared, in: f.repo)))
    #expect(pushed.split(separator: "\n").count == 4)

    // More work moves the session forward and adds a lock ref and a second session.
    let text = try f.cli.file("key-risks.md", "# Key risks\n\nCost.\n")
    _ = try f.cli.ok(["section", "draft", "key-risks", "--session", f.session, "--from", text, "--repo", f.repo])
    _ = try f.cli.ok(["session", "start", "--repo", f.repo])
    let again = try runGit(["push", f.bare] + Fixture.refspecs, in: f.repo)
    #expect(again.status == 0, "\(again.stderr)")
    let all = try f.cli.git(
      ["for-each-ref", format, "refs/heads", "refs/tags", "refs/casebook/locks", "refs/casebook/documents"], in: f.repo)
    #expect(try f.cli.git(["for-each-ref", format], in: f.bare) == all)
    // A YAML file of one's own that parses is no business of the hook's.
    let work = try f.cloneWithCommit(["notes/plan.yaml": "steps: [one, two]\n"])
    let own = try runGit(["push", "origin", "main:refs/heads/notes"], in: work)
    #expect(own.status == 0, "\(own.stderr)")
    #expect(try runGit(["fsck", "--strict"], in: f.bare).status == 0)
  }

  @Test("a push that breaks a rule is refused whole, naming the rule", arguments: breaches)
  func refused(_ breach: Breach) throws {
    let f = try Fixture()
    let (folder, args) = try breach.push(f)
    let before = try f.state()
    let result = try runGit(args, in: folder)
    #expect(result.status != 0, "the push went through")
    #expect(result.stderr.contains("pre-receive hook declined"), "\(result.stderr)")
    let refusals = result.stderr.split(separator: "\n").filter { $0.contains("casebook: refused ") }
    #expect(refusals.contains { $0.contains(": \(breach.rule): ") && $0.contains("refs/") }, "\(result.stderr)")
    #expect(try f.state() == before, "the shared repository changed")
  }

  @Test("a push with a good ref and two bad ones is refused whole, naming both rules")
  func wholePushRefused() throws {
    let f = try Fixture()
    let text = try f.cli.file("key-risks.md", "# Key risks\n\nCost.\n")
    _ = try f.cli.ok(["section", "draft", "key-risks", "--session", f.session, "--from", text, "--repo", f.repo])
    let before = try f.state()
    let result = try runGit(
      [
        "push", "--force", f.bare, "refs/heads/sessions/*:refs/heads/sessions/*", "main~1:refs/heads/main",
        ":refs/casebook/locks/rationale",
      ], in: f.repo)
    #expect(result.status != 0)
    #expect(result.stderr.contains("refs/heads/main: main-forward-only"), "\(result.stderr)")
    #expect(result.stderr.contains("refs/casebook/locks/rationale: lock-forward-only"), "\(result.stderr)")
    #expect(!result.stderr.contains("session-forward-only"), "the session moved forward: \(result.stderr)")
    #expect(try f.state() == before)
  }

  @Test("hooks install: a folder that is not a repository, a missing one, a working tree, a hook of another's")
  func installRefusals() throws {
    let f = try Fixture()
    let hook = f.bare + "/hooks/pre-receive"
    let plain = f.cli.root + "/plain"
    try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)

    func expectRefused(_ args: [String], status: Int32, message: String, unchanged folder: String) throws {
      let before = try FileManager.default.subpathsOfDirectory(atPath: folder).sorted()
      let result = try f.cli.run(args)
      #expect(result.status == status, "\(args): exit \(result.status), \(result.stderr)")
      #expect(result.stderr.contains(message), "\(result.stderr)")
      let json = try f.cli.run(args + ["--json"])
      #expect(json.status == status)
      let error = try #require(try json.json["error"] as? [String: Any], "\(json.stdout)")
      #expect((error["message"] as? String)?.contains(message) == true)
      #expect(try FileManager.default.subpathsOfDirectory(atPath: folder).sorted() == before)
    }

    try expectRefused(
      ["hooks", "install", "--repo", plain], status: 1, message: "is not a git repository", unchanged: plain)
    try expectRefused(
      ["hooks", "install", "--repo", f.cli.root + "/nowhere"], status: 2, message: "no such folder",
      unchanged: f.cli.root)
    try expectRefused(
      ["hooks", "install", "--repo", f.repo], status: 1, message: "is not a bare repository", unchanged: f.repo)
    try expectRefused(
      ["hooks", "install", "--repo", f.bare, "--casebook", "relative/casebook"], status: 1,
      message: "not an executable file", unchanged: f.bare)

    let foreign = "#!/bin/sh\nexit 0\n"
    try Data(foreign.utf8).write(to: URL(fileURLWithPath: hook))
    try expectRefused(["hooks", "install", "--repo", f.bare], status: 1, message: "pass --force", unchanged: f.bare)
    #expect(try String(contentsOfFile: hook, encoding: .utf8) == foreign)

    let forced = try f.cli.ok(["hooks", "install", "--repo", f.bare, "--force"])
    #expect(forced["replaced"] as? Bool == true)
    let script = try String(contentsOfFile: hook, encoding: .utf8)
    #expect(script.contains("# casebook pre-receive hook") && script.contains("hooks pre-receive"))
    let mode = try FileManager.default.attributesOfItem(atPath: hook)[.posixPermissions] as? Int
    #expect(mode == 0o755)
    // Casebook's own hook is replaced without --force (a new casebook path, say).
    let again = try f.cli.ok(["hooks", "install", "--repo", f.bare, "--casebook", CLI.binary])
    #expect(again["replaced"] as? Bool == true)
    #expect(again["casebook"] as? String == URL(fileURLWithPath: CLI.binary).resolvingSymlinksInPath().path)
    // And the hook still guards the repository.
    let rewind = try runGit(["push", "--force", f.bare, "main~1:refs/heads/main"], in: f.repo)
    #expect(rewind.status != 0 && rewind.stderr.contains("main-forward-only"), "\(rewind.stderr)")
  }
}
