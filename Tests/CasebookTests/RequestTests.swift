import Foundation
import TestSupport
import Testing

/// `--request-id`: every write command, retried with the same key and the same request, prints
/// its first result and writes nothing; the same key with another request exits 3 and writes
/// nothing; the record is in the history (a file on the branch and a trailer).
@Suite("casebook --request-id: safe retries")
struct RequestTests {
  struct Fixture {
    var cli: CLI
    let repo: String
    let session: String
    /// A second session of the same user.
    let spare: String
    var counter = 0

    init() throws {
      cli = try CLI()
      (repo, session) = try cli.project()
      spare = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    }

    /// Runs `args` with a new key, then again with the same key (the same result, nothing
    /// written, a warning), then `other` with that key (exit 3, nothing written). Returns the
    /// first result.
    @discardableResult
    mutating func once(
      _ args: [String], other: [String]?, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
      counter += 1
      let key = "req-\(counter)-\(UUID().uuidString)"
      let full = args + ["--request-id", key, "--repo", repo]
      let made = try cli.run(full + ["--json"])
      #expect(made.status == 0, "\(args): \(made.stderr)", sourceLocation: sourceLocation)
      let before = try cli.state(of: repo)
      let again = try cli.run(full + ["--json"])
      #expect(again.status == 0, "retry of \(args): \(again.stderr)", sourceLocation: sourceLocation)
      // Byte for byte: the JSON is printed with sorted keys.
      #expect(again.stdout == made.stdout, "retry of \(args) gave \(again.stdout)", sourceLocation: sourceLocation)
      #expect(again.stderr.contains("was done already"), sourceLocation: sourceLocation)
      #expect(try cli.state(of: repo) == before, "the retry of \(args) wrote", sourceLocation: sourceLocation)
      guard let other else { return try made.json }
      try cli.expectRefused(
        other + ["--request-id", key], repo: repo, status: 3, message: "already used for a different request",
        sourceLocation: sourceLocation)
      return try made.json
    }

    func file(_ name: String, _ text: String) throws -> String { try cli.file(name, text) }
  }

  @Test("every write command: a retry returns the first result and writes nothing; another request is refused")
  func everyWrite() throws {
    var f = try Fixture()
    let s = ["--session", f.session]
    let one = try f.file("one.md", "# Rationale\n\nOne.\n")
    let two = try f.file("two.md", "# Rationale\n\nTwo.\n")
    let three = try f.file("three.md", "# Rationale\n\nThree.\n")
    let note = try f.file("note.txt", "A note.\n")
    let other = try f.file("other.txt", "Another note.\n")
    let profile = try f.file("profile.yaml", "project_title: Applied\n")
    let profile2 = try f.file("profile2.yaml", "project_title: Applied again\n")

    try f.once(["input", "add", note] + s, other: ["input", "add", other] + s)
    try f.once(
      ["profile", "set", "project_title", "Set"] + s, other: ["profile", "set", "project_title", "Other"] + s)
    try f.once(["profile", "apply", profile] + s, other: ["profile", "apply", profile2] + s)
    try f.once(
      ["section", "draft", "rationale", "--from", one] + s, other: ["section", "draft", "strategic-case"] + s)
    try f.once(
      ["section", "revise", "rationale", "--from", two] + s,
      other: ["section", "revise", "rationale", "--from", three] + s
    )
    let exchange = try f.once(
      ["exchange", "record", "--tool", "draft", "--status", "200", "--prompt-id", "p-1"] + s,
      other: ["exchange", "record", "--tool", "draft", "--status", "500"] + s)
    let id = try #require(exchange["exchange_id"] as? String)
    let shown = try f.cli.git(
      ["show", "sessions/\(f.session):exchanges/\(f.session)/0000/\(String(repeating: "0", count: 6))1.yaml"],
      in: f.repo)
    #expect(shown.contains("prompt_id: p-1") && shown.contains("request_id: req-") && shown.contains(id))
    try f.once(["rollback", "--last", "1"] + s, other: ["rollback", "--last", "2"] + s)
    // A lock's request is kept in the lock's own history: its key is the section's lock's.
    try f.once(
      ["lock", "take", "strategic-case"] + s, other: ["lock", "take", "strategic-case", "--session", f.spare])
    try f.once(
      ["lock", "release", "strategic-case"] + s, other: ["lock", "release", "strategic-case", "--session", f.spare])
    try f.once(
      ["lock", "take", "management-case"] + s, other: ["lock", "take", "management-case", "--session", f.spare])
    try f.once(
      ["unlock", "management-case", "--force", "--reason", "stuck"],
      other: ["unlock", "management-case", "--force", "--reason", "other"])
    let committed = try f.once(
      ["section", "commit", "rationale"] + s, other: ["section", "commit", "strategic-case"] + s)
    #expect(committed["main_commit"] as? String != nil)
    try f.once(
      ["approve", "rationale", "--reviewer", "finance-lead"],
      other: ["approve", "rationale", "--reviewer", "finance-lead", "--decision", "rejected"])
    try f.once(["section", "reopen", "rationale"] + s, other: ["section", "reopen", "strategic-case"] + s)
    try f.once(["gate", "advance"] + s, other: ["gate", "advance", "--to", "Gate 2", "--force"] + s)
    try f.once(["session", "merge", f.session], other: ["session", "close", f.session])
    try f.once(["session", "close", f.session], other: ["session", "refresh", f.session])
    try f.once(["session", "resume", f.session], other: ["session", "close", f.session])
    // A start has no session yet: its key is the user's, and a retry finds the same session.
    // (Nothing else is a start of the user's, so there is no other request to refuse.)
    let started = try f.once(["session", "start"], other: nil)
    let sessions = try f.cli.ok(["session", "list", "--repo", f.repo])["sessions"] as? [[String: Any]]
    #expect(sessions?.count == 3)
    // Everything Casebook wrote is still sound to git.
    #expect(try runGit(["fsck", "--strict"], in: f.repo).status == 0)
    #expect(started["session_id"] as? String != f.session)
  }

  @Test("resolve and refresh: a retry returns the first result; another choice under the key is refused")
  func resolveAndRefresh() throws {
    var f = try Fixture()
    var bob = f.cli
    bob.user = "bob"
    let b = try #require(try bob.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    _ = try f.cli.ok(["profile", "set", "project_title", "Title A", "--session", f.session, "--repo", f.repo])
    _ = try f.cli.ok(["session", "merge", f.session, "--repo", f.repo])
    _ = try bob.ok(["profile", "set", "project_title", "Title B", "--session", b, "--repo", f.repo])
    #expect(try bob.run(["session", "merge", b, "--repo", f.repo]).status == 3)
    f.cli = bob
    let resolved = try f.once(
      ["resolve", "project_profile.yaml", "project_title", "--ours", "--session", b],
      other: ["resolve", "project_profile.yaml", "project_title", "--theirs", "--session", b])
    #expect(resolved["merged"] as? Bool == true)
    // Main moves again; bob's refresh brings it in once.
    _ = try f.cli.ok(["session", "merge", b, "--repo", f.repo])
    var alice = bob
    alice.user = "alice"
    _ = try alice.ok(["profile", "set", "key_risks", "[late consent]", "--session", f.spare, "--repo", f.repo])
    _ = try alice.ok(["session", "merge", f.spare, "--repo", f.repo])
    try f.once(["session", "refresh", b], other: ["session", "close", b])
  }

  @Test("a retried compose whose revise landed does not go on to commit the section")
  func composeRetry() throws {
    let f = try Fixture()
    let s = ["--session", f.session, "--repo", f.repo]
    _ = try f.cli.ok(["section", "draft", "rationale", "--from", try f.file("a.md", "# R\n\nA.\n")] + s)
    let text = try f.file("b.md", "# R\n\nB.\n")
    let first = try f.cli.ok(["compose", "rationale", "--from", text, "--request-id", "turn-7"] + s)
    #expect(first["action"] as? String == "revise")
    let again = try f.cli.ok(["compose", "rationale", "--from", text, "--request-id", "turn-7"] + s)
    #expect(again["action"] as? String == "revise" && again["commit"] as? String == first["commit"] as? String)
    let section = try f.cli.ok(["section", "show", "rationale"] + s)
    #expect((section["record"] as? [String: Any])?["status"] as? String == "revised")
    // Nothing of the section reached main: the retry did not commit it.
    #expect(try runGit(["cat-file", "-e", "main:sections/rationale.yaml"], in: f.repo).status != 0)
    // Without a key, the same compose commits, as before.
    let plain = try f.cli.ok(["compose", "rationale", "--from", text] + s)
    #expect(plain["action"] as? String == "commit")
  }

  @Test("keys are the session's: another session may use the same key; the record is a file and a trailer")
  func scopeAndHistory() throws {
    let f = try Fixture()
    let other = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    for session in [f.session, other] {
      let result = try f.cli.ok([
        "exchange", "record", "--tool", "t", "--request-id", "same-key", "--session", session, "--repo", f.repo,
      ])
      #expect(result["sequence"] as? Int == 1)
    }
    let log = try f.cli.git(
      ["log", "-1", "--format=%(trailers:key=Casebook-Request,valueonly)", "sessions/\(other)"], in: f.repo)
    #expect(log.trimmingCharacters(in: .whitespacesAndNewlines) == "same-key")
    let files = try f.cli.git(["ls-tree", "-r", "--name-only", "sessions/\(f.session)", "requests/"], in: f.repo)
    let path = try #require(files.split(separator: "\n").first.map(String.init))
    let record = try f.cli.git(["show", "sessions/\(f.session):\(path)"], in: f.repo)
    #expect(record.contains("request_id: same-key") && record.contains("action: record-exchange"))
    #expect(record.contains("fingerprint: ") && record.contains("result: "))
  }

  @Test("a rolled-back write's request stays done; a bad key is refused")
  func rollbackKeepsRequests() throws {
    let f = try Fixture()
    let s = ["--session", f.session, "--repo", f.repo]
    let text = try f.file("a.md", "# R\n\nA.\n")
    let first = try f.cli.ok(["section", "draft", "rationale", "--from", text, "--request-id", "k1"] + s)
    _ = try f.cli.ok(["rollback", "--last", "1"] + s)
    let again = try f.cli.ok(["section", "draft", "rationale", "--from", text, "--request-id", "k1"] + s)
    #expect(again["commit"] as? String == first["commit"] as? String)
    // The section stays rolled back: the retry wrote nothing.
    #expect(try f.cli.run(["section", "show", "rationale"] + s).status == 2)
    for bad in ["", "has space", String(repeating: "x", count: 201), "tab\there", "é"] {
      try f.cli.expectRefused(
        ["exchange", "record", "--tool", "t", "--request-id", bad, "--session", f.session], repo: f.repo, status: 1,
        message: "request id")
    }
    for bad in ["", "has space", String(repeating: "p", count: 201)] {
      try f.cli.expectRefused(
        ["exchange", "record", "--tool", "t", "--prompt-id", bad, "--session", f.session], repo: f.repo, status: 1,
        message: "prompt id")
    }
  }

  @Test("the same request sent twice at once lands once", .timeLimit(.minutes(3)))
  func concurrentRetries() async throws {
    let f = try Fixture()
    for trial in 0..<6 {
      let key = "concurrent-\(trial)"
      let args = ["exchange", "record", "--tool", "t", "--request-id", key, "--session", f.session, "--repo", f.repo]
      // Each attempt's commit and sequence: all four must name the one write.
      let results = try await withThrowingTaskGroup(of: (String?, Int?).self) { group in
        for _ in 0..<4 {
          group.addTask {
            let result = try f.cli.ok(args)
            return (result["commit"] as? String, result["sequence"] as? Int)
          }
        }
        var out: [(String?, Int?)] = []
        for try await result in group { out.append(result) }
        return out
      }
      #expect(results.count == 4 && Set(results.map(\.0)).count == 1 && results[0].0 != nil)
      #expect(Set(results.map(\.1)) == [trial + 1])
    }
    let listed = try f.cli.ok(["exchange", "list", "--limit", "100", "--session", f.session, "--repo", f.repo])
    #expect((listed["exchanges"] as? [Any])?.count == 6)
  }

  @Test("a clone answers a retry the same way")
  func cloneAnswers() throws {
    let f = try Fixture()
    let s = ["--session", f.session]
    let first = try f.cli.ok(["exchange", "record", "--tool", "t", "--request-id", "k", "--repo", f.repo] + s)
    let clone = f.cli.root + "/clone"
    _ = try f.cli.git(["clone", "-q", "--mirror", f.repo, clone], in: f.cli.root)
    let again = try f.cli.ok(["exchange", "record", "--tool", "t", "--request-id", "k", "--repo", clone] + s)
    #expect(again["commit"] as? String == first["commit"] as? String)
  }
}
