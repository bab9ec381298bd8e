import Foundation
import TestSupport
import Testing

/// Every refused export: a clear message, its exit code (plain and `--json`), and the
/// repository exactly as it was.
@Suite("casebook export, bad input")
struct ExportBadInputTests {
  /// The export fixture plus what the cases point at: a commit that is not a Casebook commit,
  /// an approval-like tag from before exports were recorded, one whose record names an approval
  /// that does not exist, and a few places an export cannot be written.
  struct Fixture {
    let base: ExportFixture
    let foreign: String
    let folder: String

    init() throws {
      base = try ExportFixture()
      let cli = base.cli
      let emptyTree = try cli.git(["hash-object", "-t", "tree", "-w", "/dev/null"], in: base.repo)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      foreign = try cli.git(["commit-tree", emptyTree, "-m", "not a casebook commit"], in: base.repo)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let message = try cli.git(["tag", "-l", "--format=%(contents)", "approved/rationale/v1"], in: base.repo)
      let legacy = message.split(separator: "\n").filter { !$0.hasPrefix("export_") && !$0.hasPrefix("  ") }
        .joined(separator: "\n")
      _ = try cli.git(
        ["tag", "-a", "approved/rationale/v50", "-F", try cli.file("legacy.txt", legacy), "main"], in: base.repo)
      let missing = message.replacingOccurrences(
        of: "export_approvals: []", with: "export_approvals:\n  - approved/gone/v1")
      _ = try cli.git(
        ["tag", "-a", "approved/rationale/v51", "-F", try cli.file("missing.txt", missing), "main"], in: base.repo)
      _ = try cli.git(["tag", "-a", "approved/rationale/notes", "-m", "just a note", "main"], in: base.repo)
      folder = cli.root + "/exports"
      try FileManager.default.createDirectory(atPath: folder + "/a-folder.html", withIntermediateDirectories: true)
      try Data("x".utf8).write(to: URL(fileURLWithPath: cli.root + "/a-file"))
    }
  }

  typealias Case = Refusal<Fixture>

  static let cases: [Case] = [
    Case(name: "unknown branch", status: 2, message: "not found") { _ in ["export", "no-such-branch", "--format", "md"]
    },
    Case(name: "unknown commit id", status: 2, message: "not found") { _ in
      ["export", String(repeating: "0123456789", count: 4), "--format", "html"]
    },
    Case(name: "unknown tag", status: 2, message: "not found") { _ in
      ["export", "approved/rationale/v9", "--format", "md"]
    },
    Case(name: "empty revision", status: 1, message: "not valid") { _ in ["export", "", "--format", "md"] },
    Case(name: "option-like revision", status: 64, message: "<revision>") { _ in ["export", "-x", "--format", "md"] },
    Case(name: "a commit that is not a Casebook commit", status: 2, message: "not a casebook commit") {
      ["export", $0.foreign, "--format", "md"]
    },
    Case(name: "unknown format", status: 64, message: "format") { _ in ["export", "main", "--format", "pdf"] },
    Case(name: "no revision", status: 64, message: "revision") { _ in ["export", "--format", "md"] },
    Case(name: "--verify on a branch", status: 1, message: "needs an approval tag") { _ in
      ["export", "main", "--format", "html", "--verify"]
    },
    Case(name: "--verify on an unknown approval tag", status: 2, message: "not found") { _ in
      ["export", "approved/rationale/v7", "--format", "html", "--verify"]
    },
    Case(
      name: "--verify on a tag under approved/ that is not an approval", status: 1, message: "needs an approval tag"
    ) {
      // (One named as approvals are but whose message does not read is damage: RecordRangeTests.)
      _ in ["export", "approved/rationale/notes", "--format", "md", "--verify"]
    },
    Case(name: "--verify on a tag that records no export", status: 1, message: "records no export hash") { _ in
      ["export", "approved/rationale/v50", "--format", "html", "--verify"]
    },
    Case(name: "--verify on a tag whose approvals are missing", status: 4, message: "approved/gone/v1") { _ in
      ["export", "approved/rationale/v51", "--format", "html", "--verify"]
    },
    Case(name: "--out in a missing folder", status: 1, message: "not an existing folder") {
      ["export", "main", "--format", "md", "--out", $0.folder + "/no/such/folder/case.md"]
    },
    Case(name: "--out naming a folder", status: 1, message: "is a folder") {
      ["export", "main", "--format", "html", "--out", $0.folder + "/a-folder.html"]
    },
    Case(name: "--out under a file", status: 1, message: "not an existing folder") {
      ["export", "main", "--format", "html", "--out", $0.base.cli.root + "/a-file/case.html"]
    },
    Case(name: "--out inside the git folder", status: 1, message: "inside a git folder") {
      ["export", "main", "--format", "md", "--out", $0.base.repo + "/.git/case.md"]
    },
    Case(name: "--out where nothing can be created", status: 4, message: "cannot write") { _ in
      ["export", "main", "--format", "md", "--out", "/proc/casebook-export.md"]
    },
    Case(name: "--out empty", status: 1, message: "needs a file path") { _ in
      ["export", "main", "--format", "md", "--out", ""]
    },
  ]

  @Test("refused, with its exit code and message, leaving the repository as it was", arguments: cases)
  func refused(_ c: Case) throws {
    let fixture = try Fixture()
    // Outside the repository (which expectRefused compares itself), no file appears either.
    let files = {
      try FileManager.default.subpathsOfDirectory(atPath: fixture.base.cli.root).filter { !$0.hasPrefix("project") }
        .sorted()
    }
    let before = try files()
    try fixture.base.cli.expectRefused(c.args(fixture), repo: fixture.base.repo, status: c.status, message: c.message)
    let after = try files()
    #expect(after == before, "a refused export left a file behind")
  }
}

extension ExportBadInputTests {
  @Test("--out inside a bare project's folder is refused, though no .git is in its name")
  func bareProject() throws {
    let cli = try CLI()
    let bare = cli.root + "/project.git"
    _ = try cli.ok([
      "init", bare, "--bare", "--template", "gate-0", "--project-id", "abc123", "--title", "Bare project",
    ])
    let refs = try cli.git(["for-each-ref"], in: bare)
    let files = try FileManager.default.subpathsOfDirectory(atPath: bare).sorted()
    for json in [false, true] {
      let result = try cli.run(
        ["export", "main", "--format", "md", "--out", bare + "/case.md", "--repo", bare] + (json ? ["--json"] : []))
      #expect(result.status == 1)
      #expect((json ? result.stdout : result.stderr).contains("inside a git folder"))
    }
    #expect(try cli.git(["for-each-ref"], in: bare) == refs)
    #expect(try FileManager.default.subpathsOfDirectory(atPath: bare).sorted() == files)
    // Beside it is fine.
    #expect(try cli.run(["export", "main", "--out", cli.root + "/case.md", "--repo", bare]).status == 0)
  }
}
