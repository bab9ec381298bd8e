import Foundation
import TestSupport
import Testing

/// Bad input to refresh, resume, expired sessions and `casebook resolve`: a clear message, the
/// exit code, and the repository exactly as it was.
@Suite("casebook CLI, bad input to refresh, resume and resolve")
struct SessionResolveBadInputTests {
  /// alice's session `a` (merged), bob's session `b` with one recorded conflict on project_title,
  /// bob's session `clean` with nothing recorded, alice's `closed` session, alice's `idle` one
  /// (expired), and a file with conflict markers.
  struct Fixture {
    var cli: CLI
    let repo: String
    let a: String
    let b: String
    let clean: String
    let closed: String
    let idle: String
    let files: [String: String]

    init() throws {
      cli = try CLI()
      let (repo, a) = try cli.project()
      self.repo = repo
      self.a = a
      b = try Self.start(cli, "bob", repo)
      clean = try Self.start(cli, "bob", repo)
      closed = try Self.start(cli, "alice", repo)
      idle = try Self.start(cli, "alice", repo)
      var bob = cli
      bob.user = "bob"
      _ = try cli.ok(["session", "close", closed, "--repo", repo])
      _ = try cli.ok(["profile", "set", "project_title", "Title A", "--session", a, "--repo", repo])
      _ = try cli.ok(["session", "merge", a, "--repo", repo])
      _ = try bob.ok(["profile", "set", "project_title", "Title B", "--session", b, "--repo", repo])
      #expect(try bob.run(["session", "merge", b, "--repo", repo]).status == 3)
      // idle: its branch tip is ten hours old (the default limit is 480 minutes).
      let tip = try cli.git(["rev-parse", "refs/heads/sessions/\(idle)"], in: repo).trimmingCharacters(
        in: .whitespacesAndNewlines)
      let tree = try cli.git(["rev-parse", "\(tip)^{tree}"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
      let time = Int(Date().timeIntervalSince1970) - 36_000
      let object = try cli.file(
        "idle-commit.txt",
        "tree \(tree)\nparent \(tip)\nauthor alice <a@x.invalid> \(time) +0000\ncommitter alice <a@x.invalid> \(time) +0000\n\nidle\n"
      )
      let idleCommit = try cli.git(["hash-object", "-t", "commit", "-w", object], in: repo)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      _ = try cli.git(["update-ref", "refs/heads/sessions/\(idle)", idleCommit, tip], in: repo)
      files = [
        "markers": try cli.file(
          "markers.yaml", "<<<<<<< main\nproject_title: Title A\n=======\nproject_title: Title B\n>>>>>>> session\n"),
        "invalid": try cli.file("invalid.yaml", "project_title: [unclosed\n"),
        "scalar": try cli.file("scalar.yaml", "just text\n"),
        "missing": cli.root + "/no-such.yaml",
        "text": try cli.file("text.md", "# T\n\nText.\n"),
        "two-line title": try cli.file(
          "two-line.yaml", "project_id: abc123\nproject_title: \"a\\nb\"\ngate_stage: Gate 0\n"),
      ]
    }

    static func start(_ cli: CLI, _ user: String, _ repo: String) throws -> String {
      var cli = cli
      cli.user = user
      return try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    }
  }

  typealias Case = Refusal<Fixture>

  static let gate = ["project_profile.yaml", "project_title"]

  static let cases: [Case] = [
    // resolve
    Case(name: "resolve without a choice", user: "bob", status: 1, message: "exactly one of") {
      ["resolve", "--session", $0.b] + gate
    },
    Case(name: "resolve with both --ours and --theirs", user: "bob", status: 1, message: "exactly one of") {
      ["resolve", "--session", $0.b, "--ours", "--theirs"] + gate
    },
    Case(name: "resolve a conflict that does not exist", user: "bob", status: 2, message: "no open conflict") {
      ["resolve", "--session", $0.b, "project_profile.yaml", "key_risks", "--ours"]
    },
    Case(name: "resolve in a file with no conflict", user: "bob", status: 2, message: "no open conflict") {
      ["resolve", "--session", $0.b, "casebook.yaml", "--ours"]
    },
    Case(name: "resolve when none is recorded", user: "bob", status: 1, message: "no unresolved conflicts") {
      ["resolve", "--session", $0.clean, "--ours"]
    },
    // resolutions pass profile set's checks (a two-line or empty title once landed on main)
    Case(name: "resolve with a two-line title", user: "bob", status: 1, message: "one non-empty line") {
      ["resolve", "--session", $0.b] + gate + ["--value", "\"a\\nb\""]
    },
    Case(name: "resolve with an empty title", user: "bob", status: 1, message: "one non-empty line") {
      ["resolve", "--session", $0.b] + gate + ["--value", "\"\""]
    },
    Case(name: "resolve with a title that is not a string", user: "bob", status: 1, message: "must be a string") {
      ["resolve", "--session", $0.b] + gate + ["--value", "[a, b]"]
    },
    Case(
      name: "resolve --file whose profile has a two-line title", user: "bob", status: 1, message: "one non-empty line"
    ) {
      ["resolve", "--session", $0.b, "project_profile.yaml", "--file", $0.files["two-line title"]!]
    },
    Case(name: "resolve with an invalid YAML value", user: "bob", status: 1, message: "--value for") {
      ["resolve", "--session", $0.b] + gate + ["--value", "[unclosed"]
    },
    Case(name: "resolve --value without a path", user: "bob", status: 1, message: "--value needs") {
      ["resolve", "--session", $0.b, "--value", "Title C"]
    },
    Case(name: "resolve --file with a path", user: "bob", status: 1, message: "--file needs") {
      ["resolve", "--session", $0.b] + gate + ["--file", $0.files["text"]!]
    },
    Case(name: "resolve --file that is missing", user: "bob", status: 1, message: "no such file") {
      ["resolve", "--session", $0.b, "project_profile.yaml", "--file", $0.files["missing"]!]
    },
    Case(name: "resolve --file that is not YAML", user: "bob", status: 1, message: "invalid.yaml") {
      ["resolve", "--session", $0.b, "project_profile.yaml", "--file", $0.files["invalid"]!]
    },
    Case(name: "resolve --file that is not a mapping", user: "bob", status: 1, message: "expected a YAML mapping") {
      ["resolve", "--session", $0.b, "project_profile.yaml", "--file", $0.files["scalar"]!]
    },
    Case(name: "resolve --file with conflict markers left", user: "bob", status: 1, message: "conflict markers") {
      ["resolve", "--session", $0.b, "project_profile.yaml", "--file", $0.files["markers"]!]
    },
    Case(name: "resolve someone else's session", user: "alice", status: 1, message: "belongs to bob") {
      ["resolve", "--session", $0.b, "--ours"]
    },
    Case(name: "resolve an unknown session", user: "bob", status: 2, message: "not found") { _ in
      ["resolve", "--session", String(repeating: "a", count: 32), "--ours"]
    },
    Case(name: "resolve a malformed session id", user: "bob", status: 1, message: "session id") { _ in
      ["resolve", "--session", "../x", "--ours"]
    },
    Case(name: "resolve without a session", user: "bob", status: 1, message: "needs a session") { _ in
      ["resolve", "--ours"]
    },
    // merge and refresh with recorded conflicts
    Case(name: "session merge with unresolved conflicts", user: "bob", status: 3, message: "unresolved conflict") {
      ["session", "merge", $0.b]
    },
    Case(name: "session refresh with unresolved conflicts", user: "bob", status: 3, message: "unresolved conflict") {
      ["session", "refresh", $0.b]
    },
    Case(name: "session merge of someone else's session", user: "alice", status: 1, message: "belongs to bob") {
      ["session", "merge", $0.clean]
    },
    Case(
      name: "session merge of someone else's session with conflicts", user: "alice", status: 1,
      message: "belongs to bob"
    ) {
      ["session", "merge", $0.b]
    },
    Case(name: "session refresh of someone else's session", user: "alice", status: 1, message: "belongs to bob") {
      ["session", "refresh", $0.clean]
    },
    Case(name: "session refresh of a closed session", user: "alice", status: 1, message: "is closed") {
      ["session", "refresh", $0.closed]
    },
    Case(name: "session refresh of an unknown session", user: "alice", status: 2, message: "not found") { _ in
      ["session", "refresh", String(repeating: "c", count: 32)]
    },
    Case(name: "session refresh of a malformed id", user: "alice", status: 1, message: "session id") { _ in
      ["session", "refresh", "XYZ"]
    },
    // expiry
    Case(name: "profile set in an expired session", user: "alice", status: 1, message: "session resume") {
      ["profile", "set", "project_title", "Title A", "--session", $0.idle]
    },
    Case(name: "section draft in an expired session", user: "alice", status: 1, message: "expired") {
      ["section", "draft", "rationale", "--session", $0.idle, "--from", $0.files["text"]!]
    },
    Case(name: "session refresh of an expired session", user: "alice", status: 1, message: "expired") {
      ["session", "refresh", $0.idle]
    },
    // resume
    Case(name: "session resume of someone else's session", user: "alice", status: 1, message: "belongs to bob") {
      ["session", "resume", $0.clean]
    },
    Case(name: "session resume of an unknown session", user: "alice", status: 2, message: "not found") { _ in
      ["session", "resume", String(repeating: "d", count: 32)]
    },
    Case(name: "session resume of a malformed id", user: "alice", status: 1, message: "session id") { _ in
      ["session", "resume", "nope"]
    },
  ]

  @Test("refused, with its exit code and message, leaving the repository as it was", arguments: cases)
  func refused(_ c: Case) throws {
    var fixture = try Fixture()
    fixture.cli.user = c.user
    try fixture.cli.expectRefused(c.args(fixture), repo: fixture.repo, status: c.status, message: c.message)
  }

  @Test("resolve --theirs on a section locked on main is refused; --ours settles it")
  func lockedSection() throws {
    let cli = try CLI()
    let (repo, a) = try cli.project()
    var bob = cli
    bob.user = "bob"
    let b = try #require(try bob.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    _ = try bob.ok(
      ["section", "draft", "rationale", "--session", b, "--from", "-", "--repo", repo], stdin: "# R\n\nBob.\n")
    _ = try bob.ok(["session", "merge", b, "--repo", repo])
    // Each gives up the edit lock after writing, so that both can change the section.
    _ = try bob.ok(["lock", "release", "rationale", "--session", b, "--repo", repo])
    _ = try cli.ok(["session", "refresh", a, "--repo", repo])
    _ = try cli.ok(
      ["section", "revise", "rationale", "--session", a, "--from", "-", "--repo", repo], stdin: "# R\n\nAlice.\n")
    _ = try cli.ok(["lock", "release", "rationale", "--session", a, "--repo", repo])
    _ = try bob.ok(["section", "commit", "rationale", "--session", b, "--repo", repo])
    #expect(try cli.run(["session", "merge", a, "--repo", repo]).status == 3)
    try cli.expectRefused(
      ["resolve", "--session", a, "sections/rationale.md", "--theirs"], repo: repo, status: 1, message: "locked on main"
    )
    try cli.expectRefused(
      ["resolve", "--session", a, "sections/rationale.md", "", "--value", "x"], repo: repo, status: 1,
      message: "locked on main")
    _ = try cli.ok(["resolve", "--session", a, "--ours", "--repo", repo])
    _ = try cli.ok(["session", "merge", a, "--repo", repo])
    #expect(try cli.git(["show", "main:sections/rationale.md"], in: repo).contains("Bob."))
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }
}
