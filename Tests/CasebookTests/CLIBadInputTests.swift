import Foundation
import TestSupport
import Testing

/// Every bad input gets a clear message and its exit code, and leaves the repository exactly as
/// it was: same refs, same HEAD, same objects, same working tree, and `git fsck --strict` clean.
@Suite("casebook CLI, bad input")
struct CLIBadInputTests {
  /// A project with: alice's active session `s` holding an input and a drafted section, bob's
  /// session `bob`, and alice's closed session `closed`.
  struct Fixture {
    var cli: CLI
    let repo: String
    let s: String
    let bob: String
    let closed: String
    let input: String
    let files: [String: String]

    init() throws {
      cli = try CLI()
      let (repo, s) = try cli.project()
      self.repo = repo
      self.s = s
      closed = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      _ = try cli.ok(["session", "close", closed, "--repo", repo])
      cli.user = "bob"
      bob = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      cli.user = "alice"
      let notes = try cli.file("notes.md", "# Notes\n\nline 3\nline 4\n")
      input = try #require(try cli.ok(["input", "add", notes, "--session", s, "--repo", repo])["input_id"] as? String)
      let text = try cli.file("draft.md", "# Rationale\n\nText.\n")
      _ = try cli.ok(["section", "draft", "rationale", "--session", s, "--from", text, "--repo", repo])
      try FileManager.default.createDirectory(atPath: cli.root + "/a-folder", withIntermediateDirectories: true)
      files = [
        "empty": try cli.file("empty.md", ""),
        "latin1": try cli.file("latin1.txt", bytes: [0x63, 0x61, 0x66, 0xe9, 0x0a]),
        "control": try cli.file("bad\u{7}name.md", "text\n"),
        "dupkeys": try cli.file("dup.yaml", "gate_stage: Gate 1\ngate_stage: Gate 2\n"),
        "invalid": try cli.file("invalid.yaml", "stakeholders: [unclosed\n"),
        "laughs": try cli.file("laughs.yaml", Self.billionLaughs),
        "wrongtype": try cli.file("wrong.yaml", "stakeholders: Finance\n"),
        "badutf8yaml": try cli.file("bad-utf8.yaml", bytes: Array("project_title: caf".utf8) + [0xff, 0x0a]),
        "scalar": try cli.file("scalar.yaml", "just a string\n"),
        "folder": cli.root + "/a-folder",
        "missing": cli.root + "/no-such-file.md",
        "text": text,
      ]
    }

    static let billionLaughs: String = {
      var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
      for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].enumerated() {
        let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i]
        lines.append("\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ", ") + "]")
      }
      return lines.joined(separator: "\n") + "\n"
    }()
  }

  typealias Case = Refusal<Fixture>

  static let badIDs = ["../x", "a/b", "", String(repeating: "a", count: 65), "Rationale"]

  static let cases: [Case] =
    badIDs.flatMap { id in
      [
        Case(name: "section draft id '\(id.prefix(8))'", status: 1, message: "section id") {
          ["section", "draft", id, "--session", $0.s, "--from", $0.files["text"]!]
        },
        Case(name: "section show id '\(id.prefix(8))'", status: 1, message: "section id") { _ in
          ["section", "show", id]
        },
        Case(name: "approve id '\(id.prefix(8))'", status: 1, message: "section id") { _ in
          ["approve", id, "--reviewer", "r"]
        },
        Case(name: "session close id '\(id.prefix(8))'", status: 1, message: "session id") { _ in
          ["session", "close", id]
        },
        Case(name: "input show id '\(id.prefix(8))'", status: 1, message: "input id") { _ in ["input", "show", id] },
      ]
    } + [
      // sessions
      Case(name: "session show unknown", status: 2, message: "not found") { _ in
        ["session", "show", String(repeating: "0", count: 32)]
      },
      Case(name: "session merge unknown", status: 2, message: "not found") { _ in
        ["session", "merge", String(repeating: "a", count: 32)]
      },
      Case(name: "session close another user's", status: 1, message: "belongs to bob") {
        ["session", "close", $0.bob]
      },
      Case(name: "session close closed", status: 1, message: "is closed") { ["session", "close", $0.closed] },
      Case(name: "session id upper case", status: 1, message: "session id") { ["session", "show", $0.s.uppercased()] },
      // inputs
      Case(name: "input add missing file", status: 1, message: "no such file") {
        ["input", "add", $0.files["missing"]!, "--session", $0.s]
      },
      Case(name: "input add empty file", status: 1, message: "is empty") {
        ["input", "add", $0.files["empty"]!, "--session", $0.s]
      },
      Case(name: "input add a folder", status: 1, message: "not a regular file") {
        ["input", "add", $0.files["folder"]!, "--session", $0.s]
      },
      Case(name: "input add invalid UTF-8 text", status: 1, message: "not valid UTF-8") {
        ["input", "add", $0.files["latin1"]!, "--session", $0.s]
      },
      Case(name: "input add control characters in name", status: 1, message: "control characters") {
        ["input", "add", $0.files["control"]!, "--session", $0.s]
      },
      Case(name: "input add to a closed session", status: 1, message: "is closed") {
        ["input", "add", $0.files["text"]!, "--session", $0.closed]
      },
      Case(name: "input add to another user's session", status: 1, message: "belongs to bob") {
        ["input", "add", $0.files["text"]!, "--session", $0.bob]
      },
      Case(name: "input add to an unknown session", status: 2, message: "not found") {
        ["input", "add", $0.files["text"]!, "--session", String(repeating: "b", count: 32)]
      },
      Case(name: "input add without a session", status: 1, message: "needs a session") {
        ["input", "add", $0.files["text"]!]
      },
      Case(name: "input show unknown", status: 2, message: "not found") { _ in ["input", "show", "0123456789abcdef"] },
      // sections
      Case(name: "section draft again", status: 1, message: "already has a draft") {
        ["section", "draft", "rationale", "--session", $0.s, "--from", $0.files["text"]!]
      },
      Case(name: "section draft in a closed session", status: 1, message: "is closed") {
        ["section", "draft", "strategic-case", "--session", $0.closed, "--from", $0.files["text"]!]
      },
      Case(name: "section draft in another user's session", status: 1, message: "belongs to bob") {
        ["section", "draft", "strategic-case", "--session", $0.bob, "--from", $0.files["text"]!]
      },
      Case(name: "section draft invalid UTF-8", status: 1, message: "not valid UTF-8") {
        ["section", "draft", "strategic-case", "--session", $0.s, "--from", $0.files["latin1"]!]
      },
      Case(name: "section draft empty text", status: 1, message: "empty") {
        ["section", "draft", "strategic-case", "--session", $0.s, "--from", $0.files["empty"]!]
      },
      Case(name: "section draft missing file", status: 1, message: "no such file") {
        ["section", "draft", "strategic-case", "--session", $0.s, "--from", $0.files["missing"]!]
      },
      Case(name: "section draft unknown source", status: 1, message: "not in this session") {
        [
          "section", "draft", "strategic-case", "--session", $0.s, "--from", $0.files["text"]!, "--source",
          "feedfeedfeedfeed",
        ]
      },
      Case(name: "section draft locator out of range", status: 1, message: "locator") {
        [
          "section", "draft", "strategic-case", "--session", $0.s, "--from", $0.files["text"]!, "--source",
          "\($0.input):L99",
        ]
      },
      Case(name: "section draft empty locator", status: 1, message: "locator") {
        [
          "section", "draft", "strategic-case", "--session", $0.s, "--from", $0.files["text"]!, "--source",
          "\($0.input):",
        ]
      },
      Case(name: "section draft locator that is not a line range", status: 1, message: "locator") {
        [
          "section", "draft", "strategic-case", "--session", $0.s, "--from", $0.files["text"]!, "--source",
          "\($0.input):L4-2",
        ]
      },
      Case(name: "section draft custom id without title", status: 1, message: "--title") {
        ["section", "draft", "annex-a", "--session", $0.s, "--from", $0.files["text"]!]
      },
      Case(name: "section revise undrafted", status: 2, message: "no draft") {
        ["section", "revise", "economic-case", "--session", $0.s, "--from", $0.files["text"]!]
      },
      Case(name: "section commit undrafted", status: 2, message: "no draft") {
        ["section", "commit", "economic-case", "--session", $0.s]
      },
      Case(name: "section reopen uncommitted", status: 1, message: "not committed") {
        ["section", "reopen", "rationale", "--session", $0.s]
      },
      Case(name: "section show unknown", status: 2, message: "not found") { _ in ["section", "show", "economic-case"] },
      Case(name: "section show unknown revision", status: 2, message: "not found") { _ in
        ["section", "show", "rationale", "--at", "no-such-branch"]
      },
      // profile
      Case(name: "profile set wrong type", status: 1, message: "must be a list") {
        ["profile", "set", "stakeholders", "Finance", "--session", $0.s]
      },
      Case(name: "profile set unknown gate", status: 1, message: "gate_stage") {
        ["profile", "set", "gate_stage", "Gate 9", "--session", $0.s]
      },
      Case(name: "profile set invalid YAML", status: 1, message: "value for stakeholders") {
        ["profile", "set", "stakeholders", "[unclosed", "--session", $0.s]
      },
      Case(name: "profile set project_id", status: 1, message: "cannot change") {
        ["profile", "set", "project_id", "other", "--session", $0.s]
      },
      Case(name: "profile set in a closed session", status: 1, message: "is closed") {
        ["profile", "set", "gate_stage", "Gate 1", "--session", $0.closed]
      },
      Case(name: "profile apply duplicate keys", status: 1, message: "duplicate key") {
        ["profile", "apply", $0.files["dupkeys"]!, "--session", $0.s]
      },
      Case(name: "profile apply invalid YAML", status: 1, message: "line") {
        ["profile", "apply", $0.files["invalid"]!, "--session", $0.s]
      },
      Case(name: "profile apply billion laughs", status: 1, message: "alias") {
        ["profile", "apply", $0.files["laughs"]!, "--session", $0.s]
      },
      Case(name: "profile apply wrong types", status: 1, message: "must be a list") {
        ["profile", "apply", $0.files["wrongtype"]!, "--session", $0.s]
      },
      Case(name: "profile apply invalid UTF-8", status: 1, message: "UTF-8") {
        ["profile", "apply", $0.files["badutf8yaml"]!, "--session", $0.s]
      },
      Case(name: "profile apply a scalar", status: 1, message: "expected a mapping") {
        ["profile", "apply", $0.files["scalar"]!, "--session", $0.s]
      },
      Case(name: "profile get unknown key", status: 2, message: "no value") { _ in ["profile", "get", "no_such_key"] },
      // approvals
      Case(name: "approve an uncommitted section", status: 1, message: "not committed") { _ in
        ["approve", "rationale", "--reviewer", "finance-lead"]
      },
      Case(name: "approve a template section not on main", status: 1, message: "not committed") { _ in
        ["approve", "economic-case", "--reviewer", "finance-lead"]
      },
      Case(name: "approve an unknown section", status: 2, message: "not on main") { _ in
        ["approve", "annex-z", "--reviewer", "finance-lead"]
      },
      Case(name: "approve with a bad reviewer", status: 1, message: "not valid") { _ in
        ["approve", "rationale", "--reviewer", "Finance Lead <x>"]
      },
      Case(name: "approve with an unknown decision", status: 64, message: "decision") { _ in
        ["approve", "rationale", "--reviewer", "r", "--decision", "maybe"]
      },
      // exchanges
      Case(name: "exchange record bad tool", status: 1, message: "tool name") {
        ["exchange", "record", "--session", $0.s, "--tool", "../x"]
      },
      Case(name: "exchange record bad status", status: 1, message: "out of range") {
        ["exchange", "record", "--session", $0.s, "--tool", "draft", "--status", "5000"]
      },
      Case(name: "exchange record missing payload", status: 1, message: "no such file") {
        ["exchange", "record", "--session", $0.s, "--tool", "draft", "--prompt", $0.files["missing"]!]
      },
      Case(name: "exchange record negative latency", status: 1, message: "negative") {
        ["exchange", "record", "--session", $0.s, "--tool", "draft", "--latency-ms=-5"]
      },
      Case(name: "exchange record invalid UTF-8 payload", status: 1, message: "not valid UTF-8") {
        ["exchange", "record", "--session", $0.s, "--tool", "draft", "--response", $0.files["latin1"]!]
      },
      Case(name: "exchange record in another user's session", status: 1, message: "belongs to bob") {
        ["exchange", "record", "--session", $0.bob, "--tool", "draft"]
      },
      // init and usage
      Case(name: "init into a non-empty folder", status: 1, message: "not empty") {
        ["init", $0.repo, "--template", "gate-0", "--project-id", "x1", "--title", "T"]
      },
      Case(name: "init with a bad project id", status: 1, message: "project id") {
        ["init", $0.cli.root + "/new", "--template", "gate-0", "--project-id", "../x", "--title", "T"]
      },
      Case(name: "init with an empty title", status: 1, message: "--title") {
        ["init", $0.cli.root + "/new", "--template", "gate-0", "--project-id", "x1", "--title", "  "]
      },
      Case(name: "init with a two-line title", status: 1, message: "--title") {
        ["init", $0.cli.root + "/new", "--template", "gate-0", "--project-id", "x1", "--title", "a\nb"]
      },
      Case(name: "init with an unknown template", status: 2, message: "template") {
        ["init", $0.cli.root + "/new", "--template", "gate-9", "--project-id", "x1", "--title", "T"]
      },
      Case(name: "unknown command", status: 64, message: "unknown") { _ in ["frobnicate"] },
      Case(name: "user with spaces", status: 1, message: "user") {
        ["session", "close", $0.s, "--user", "Alice Smith"]
      },
      // reading commands
      Case(name: "log with a bad section id", status: 1, message: "section id") { _ in ["log", "--section", "../x"] },
      Case(name: "log of an unknown session", status: 2, message: "not found") { _ in
        ["log", "--session", String(repeating: "c", count: 32)]
      },
      Case(name: "audit outside a project", status: 2, message: "no casebook project") {
        ["audit", "--repo", $0.cli.root + "/a-folder"]
      },
      Case(name: "session start outside a project", status: 2, message: "no casebook project") {
        ["session", "start", "--repo", $0.cli.root + "/a-folder"]
      },
      Case(name: "session resume with no session", status: 2, message: "no session to resume") { _ in
        ["session", "resume", "--user", "carol"]
      },
      Case(name: "section diff with a bad id", status: 1, message: "section id") { _ in ["section", "diff", "A/B"] },
      Case(name: "section diff of an unknown revision", status: 2, message: "no revision 7") {
        ["section", "diff", "rationale", "7", "--session", $0.s]
      },
      Case(name: "section diff with three revisions", status: 64, message: "at most two") { _ in
        ["section", "diff", "rationale", "1", "2", "3"]
      },
      Case(name: "section list of a malformed session", status: 1, message: "session id") { _ in
        ["section", "list", "--session", "xyz"]
      },
      Case(name: "input list of an unknown session", status: 2, message: "not found") { _ in
        ["input", "list", "--session", String(repeating: "d", count: 32)]
      },
      Case(name: "profile show at an unknown revision", status: 2, message: "not found") { _ in
        ["profile", "show", "--at", "v9.9"]
      },
      Case(name: "profile show at an option-like revision", status: 1, message: "not valid") { _ in
        ["profile", "show", "--at=--all"]
      },
      Case(name: "exchange list of an unknown session", status: 2, message: "not found") { _ in
        ["exchange", "list", "--session", String(repeating: "e", count: 32)]
      },
      Case(name: "compose with a bad id", status: 1, message: "section id") {
        ["compose", "../etc", "--session", $0.s, "--from", $0.files["text"]!]
      },
      Case(name: "compose in a closed session", status: 1, message: "is closed") {
        ["compose", "economic-case", "--session", $0.closed, "--from", $0.files["text"]!]
      },
      Case(name: "merge-yaml on invalid YAML", status: 1, message: "line") {
        ["merge-yaml", $0.files["invalid"]!, $0.files["dupkeys"]!, $0.files["dupkeys"]!]
      },
    ]

  @Test("refused, with its exit code and message, leaving the repository as it was", arguments: cases)
  func refused(_ c: Case) throws {
    let fixture = try Fixture()
    try fixture.cli.expectRefused(c.args(fixture), repo: fixture.repo, status: c.status, message: c.message)
    #expect(!FileManager.default.fileExists(atPath: fixture.cli.root + "/new"))
  }
}
