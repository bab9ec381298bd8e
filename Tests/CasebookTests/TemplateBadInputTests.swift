import Foundation
import TestSupport
import Testing

/// Bad templates and bad gate moves: a clear message, exit 1 (2 for a name not found), the
/// project exactly as it was, and no half-made folder left where `init` was asked to create one.
@Suite("templates and gates, bad input")
struct TemplateBadInputTests {
  /// A gate-0 project with alice's active session `s` (a rationale drafted), bob's session, alice's
  /// closed session, and a gate-5 project with a session of its own.
  struct Fixture {
    var cli: CLI
    let repo: String
    let s: String
    let bob: String
    let closed: String
    let last: String
    let lastRepo: String

    init() throws {
      cli = try CLI()
      let (repo, s) = try cli.project()
      self.repo = repo
      self.s = s
      _ = try cli.ok(["section", "draft", "rationale", "--session", s, "--repo", repo])
      closed = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      _ = try cli.ok(["session", "close", closed, "--repo", repo])
      cli.user = "bob"
      bob = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
      cli.user = "alice"
      lastRepo = cli.root + "/last"
      _ = try cli.ok(["init", lastRepo, "--template", "gate-5", "--project-id", "z9", "--title", "Last"])
      last = try #require(try cli.ok(["session", "start", "--repo", lastRepo])["session_id"] as? String)
    }
  }

  /// A template folder made from the good one in TemplateTests with one thing broken.
  struct Broken: Sendable {
    var yaml: String? = nil
    var files: [String: [UInt8]] = [:]
    var remove: [String] = []

    func write(in cli: CLI, name: String) throws -> String {
      let folder = try TemplateTests.writeCustomTemplate(cli, name: name)
      if let yaml { _ = try cli.file("\(name)/template.yaml", yaml) }
      for (path, bytes) in files {
        let url = URL(fileURLWithPath: folder + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
      }
      for path in remove { try FileManager.default.removeItem(atPath: folder + "/" + path) }
      return folder
    }
  }

  struct TemplateCase: CustomTestStringConvertible, Sendable {
    let name: String
    let message: String
    let broken: Broken
    var testDescription: String { name }
  }

  static let head = "id: council-capital\ntitle: Council capital scheme\ngate_stage: Gate 0\n"
  static let goodSections = "sections:\n  - id: summary\n    title: Summary\n  - id: people\n    title: Who\n"

  static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

  static let templateCases: [TemplateCase] = [
    TemplateCase(name: "no template.yaml", message: "has no template.yaml", broken: Broken(remove: ["template.yaml"])),
    TemplateCase(name: "invalid YAML", message: "line", broken: Broken(yaml: head + "sections: [unclosed\n")),
    TemplateCase(
      name: "duplicate YAML key", message: "duplicate key", broken: Broken(yaml: head + "id: again\n" + goodSections)),
    TemplateCase(name: "not a mapping", message: "expected a mapping", broken: Broken(yaml: "- just\n- a list\n")),
    TemplateCase(
      name: "unknown top-level key", message: "unknown key 'sectons'", broken: Broken(yaml: head + "sectons: []\n")),
    TemplateCase(
      name: "unknown section key", message: "unknown key 'guidence'",
      broken: Broken(yaml: head + goodSections + "    guidence: typo\n")),
    TemplateCase(
      name: "required is not a bool", message: "'required' must be true or false",
      broken: Broken(yaml: head + goodSections + "    required: perhaps\n")),
    TemplateCase(
      name: "questions is not a list", message: "'questions' must be a list",
      broken: Broken(yaml: head + goodSections + "    questions: one question\n")),
    TemplateCase(
      name: "guidance is a list", message: "'guidance' must be text",
      broken: Broken(yaml: head + goodSections + "    guidance: [a, b]\n")),
    TemplateCase(
      name: "id missing", message: "'id' is missing",
      broken: Broken(yaml: "title: T\ngate_stage: Gate 0\n" + goodSections)),
    TemplateCase(
      name: "template id not a slug", message: "template id",
      broken: Broken(yaml: "id: Council Capital\ntitle: T\ngate_stage: Gate 0\n" + goodSections)),
    TemplateCase(
      name: "unknown gate", message: "'gate_stage' must be one of",
      broken: Broken(yaml: "id: c\ntitle: T\ngate_stage: Gate 7\n" + goodSections)),
    TemplateCase(name: "no sections", message: "at least one section", broken: Broken(yaml: head + "sections: []\n")),
    TemplateCase(
      name: "duplicate section ids", message: "section 'summary' is listed twice",
      broken: Broken(yaml: head + goodSections + "  - id: summary\n    title: Again\n")),
    TemplateCase(
      name: "bad section id", message: "section id 'Summary' is not valid",
      broken: Broken(yaml: head + "sections:\n  - id: Summary\n    title: S\n")),
    TemplateCase(
      name: "section id with a path", message: "section id '../x' is not valid",
      broken: Broken(yaml: head + "sections:\n  - id: ../x\n    title: S\n")),
    TemplateCase(
      name: "section without a title", message: "'title' must be one non-empty line",
      broken: Broken(yaml: head + "sections:\n  - id: summary\n")),
    TemplateCase(
      name: "profile stub sets gate_stage", message: "may not set 'gate_stage'",
      broken: Broken(yaml: head + "profile:\n  gate_stage: Gate 3\n" + goodSections)),
    TemplateCase(
      name: "profile stub of the wrong type", message: "'stakeholders' must be a list",
      broken: Broken(yaml: head + "profile:\n  stakeholders: Finance\n" + goodSections)),
    TemplateCase(
      name: "profile is a list", message: "'profile' must be a mapping",
      broken: Broken(yaml: head + "profile: [a]\n" + goodSections)),
    TemplateCase(
      name: "skeleton missing", message: "has no skeleton: create sections/people.md",
      broken: Broken(remove: ["sections/people.md"])),
    TemplateCase(
      name: "skeleton for no section", message: "sections/peopel.md belongs to no section",
      broken: Broken(files: ["sections/peopel.md": text("# typo\n")])),
    TemplateCase(
      name: "Mustache: unclosed section", message: "people.md: Mustache syntax error at line 5, column 1: a section",
      broken: Broken(files: ["sections/people.md": text("# {{section_title}}\n\n{{#stakeholders}}\n- {{name}}\n")])),
    TemplateCase(
      name: "Mustache: mismatched close", message: "does not match the section it closes",
      broken: Broken(files: ["sections/summary.md": text("# S\n{{#a}}x{{/b}}\n")])),
    TemplateCase(
      name: "Mustache: unfinished tag", message: "the text ends inside a tag",
      broken: Broken(files: ["sections/summary.md": text("# S\n{{project_title\n")])),
    TemplateCase(
      name: "Mustache: unknown pragma", message: "an unknown pragma",
      broken: Broken(files: ["sections/summary.md": text("# S\n{{% FOO: bar }}\n")])),
    TemplateCase(
      name: "Mustache: set delimiters", message: "set-delimiter tags",
      broken: Broken(files: ["sections/summary.md": text("# S\n{{=<% %>=}}\n")])),
    TemplateCase(
      name: "Mustache: nested too deep", message: "nest more than 32 deep",
      broken: Broken(files: [
        "sections/summary.md": text(String(repeating: "{{#a}}", count: 5000) + String(repeating: "{{/a}}", count: 5000))
      ])),
    TemplateCase(
      name: "skeleton not UTF-8", message: "not valid UTF-8",
      broken: Broken(files: ["sections/summary.md": [0x23, 0x20, 0xff, 0x0a]])),
    TemplateCase(
      name: "skeleton empty", message: "is empty", broken: Broken(files: ["sections/summary.md": text(" \n\n")])),
  ]

  @Test("init --template FOLDER with a broken template: exit 1, nothing created", arguments: templateCases)
  func initRefused(_ test: TemplateCase) throws {
    let cli = try CLI()
    let (repo, _) = try cli.project()
    let folder = try test.broken.write(in: cli, name: "broken")
    let target = cli.root + "/new-project"
    try cli.expectRefused(
      ["init", target, "--template", folder, "--project-id", "x1", "--title", "T"], repo: repo, status: 1,
      message: test.message)
    #expect(!FileManager.default.fileExists(atPath: target), "init left \(target) behind")
    // The same template is refused by template show, which reads no project.
    try cli.expectRefused(["template", "show", folder], repo: repo, status: 1, message: test.message)
  }

  @Test("init into an empty folder that then fails leaves the folder empty")
  func initEmptyFolderStaysEmpty() throws {
    let cli = try CLI()
    let folder = try Broken(remove: ["sections/people.md"]).write(in: cli, name: "broken")
    let target = cli.root + "/empty"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let result = try cli.run(["init", target, "--template", folder, "--project-id", "x1", "--title", "T"])
    #expect(result.status == 1)
    #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
  }

  typealias Case = Refusal<Fixture>

  static let cases: [Case] = [
    Case(name: "template name that is not a name", status: 1, message: "neither a template name") { _ in
      ["template", "show", "My Template"]
    },
    Case(name: "template show unknown name", status: 2, message: "template 'gate-9' not found") { _ in
      ["template", "show", "gate-9"]
    },
    Case(name: "template folder named without ./", status: 2, message: "write it as ./council") { _ in
      ["template", "show", "council"]
    },
    Case(name: "template show missing folder", status: 1, message: "does not exist") { f in
      ["template", "show", f.cli.root + "/no-such-template"]
    },
    Case(name: "init with a missing template folder", status: 1, message: "does not exist") { f in
      [
        "init", f.cli.root + "/new", "--template", f.cli.root + "/no-such-template", "--project-id", "x1", "--title",
        "T",
      ]
    },
    Case(name: "gate advance back without --force", status: 1, message: "going back to Gate 0 is refused") { f in
      ["gate", "advance", "--to", "Gate 0", "--session", f.last, "--repo", f.lastRepo]
    },
    Case(name: "gate advance skipping a gate", status: 1, message: "skips Gate 1, Gate 2") { f in
      ["gate", "advance", "--to", "Gate 3", "--session", f.s]
    },
    Case(name: "profile set gate_stage skipping a gate", status: 1, message: "skips Gate 1") { f in
      ["profile", "set", "gate_stage", "Gate 2", "--session", f.s]
    },
    Case(name: "profile apply moving back", status: 1, message: "going back") { f in
      ["profile", "apply", f.cli.root + "/gate0.yaml", "--session", f.last, "--repo", f.lastRepo]
    },
    Case(name: "gate advance to an unknown gate", status: 1, message: "'gate_stage' must be one of") { f in
      ["gate", "advance", "--to", "Gate 9", "--session", f.s]
    },
    Case(name: "gate advance to the current gate", status: 1, message: "already at Gate 0") { f in
      ["gate", "advance", "--to", "Gate 0", "--session", f.s]
    },
    Case(name: "gate advance past the last gate", status: 1, message: "the last gate") { f in
      ["gate", "advance", "--session", f.last, "--repo", f.lastRepo]
    },
    Case(name: "gate advance with another gate's template", status: 1, message: "is for Gate 2, not Gate 1") { f in
      ["gate", "advance", "--to", "Gate 1", "--template", "gate-2", "--session", f.s]
    },
    Case(name: "gate advance with an unknown template", status: 2, message: "not found") { f in
      ["gate", "advance", "--template", "gate-x", "--session", f.s]
    },
    Case(name: "gate advance in a closed session", status: 1, message: "is closed") { f in
      ["gate", "advance", "--session", f.closed]
    },
    Case(name: "gate advance in another user's session", status: 1, message: "belongs to bob") { f in
      ["gate", "advance", "--session", f.bob]
    },
    Case(name: "gate advance in an unknown session", status: 2, message: "not found") { _ in
      ["gate", "advance", "--session", String(repeating: "c", count: 32)]
    },
    Case(name: "gate advance with a bad session id", status: 1, message: "session id") { _ in
      ["gate", "advance", "--session", "../x"]
    },
    Case(name: "gate advance without a session", status: 1, message: "needs a session") { _ in ["gate", "advance"] },
    Case(name: "gate advance dry run in a closed session", status: 1, message: "is closed") { f in
      ["gate", "advance", "--dry-run", "--session", f.closed]
    },
  ]

  @Test("bad gate moves and template names are refused and change nothing", arguments: cases)
  func refused(_ test: Case) throws {
    let fixture = try Fixture()
    _ = try fixture.cli.file("gate0.yaml", "gate_stage: Gate 0\n")
    _ = try TemplateTests.writeCustomTemplate(fixture.cli, name: "council")
    let args = test.args(fixture)
    let repo = args.contains(fixture.lastRepo) ? fixture.lastRepo : fixture.repo
    try fixture.cli.expectRefused(args, repo: repo, status: test.status, message: test.message)
  }
}
