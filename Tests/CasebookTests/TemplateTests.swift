import Foundation
import TestSupport
import Testing
import YAML

@testable import Casebook

/// The gate templates, `template list/show`, custom template folders, Mustache skeletons and
/// moving a project from gate to gate, through the real binary and real git.
@Suite("templates and gates")
struct TemplateTests {
  static let library = TemplateLibrary(searchPaths: [CLI.templates])
  static let gate0IDs = [
    "executive-summary", "rationale", "strategic-case", "economic-case", "commercial-case", "financial-case",
    "management-case", "key-risks",
  ]

  /// A profile with something in every key the skeletons use, `&` included (Markdown, not HTML).
  static let fullProfile: Mapping = {
    var map = Mapping()
    map["project_id"] = "abc123"
    map["project_title"] = "Roads & Bridges"
    map["gate_stage"] = "Gate 0"
    map["stakeholders"] = .sequence([
      .mapping(["name": "Finance", "role": "Reviewer"]), .mapping(["name": "Estates & FM"]),
    ])
    map["key_risks"] = .sequence(["Delayed procurement"])
    map["strategic_alignment"] = .sequence(["Estate Strategy 2023"])
    map["spending_objectives"] = .sequence(["Step-free access to all 40 buildings by 2028"])
    map["senior_responsible_owner"] = "Director of Estates"
    map["contract_value"] = .int(12_500_000)
    return map
  }()

  @Test("every gate template validates, carries the seed's five cases and renders every skeleton", arguments: 0...5)
  func templateRenders(gate: Int) throws {
    let template = try Self.library.template("gate-\(gate)")
    #expect(template.gateStage == "Gate \(gate)")
    #expect(template.description?.isEmpty == false)
    let ids = template.sections.map(\.id)
    #expect(Set(ids).count == ids.count)
    for id in ["strategic-case", "economic-case", "commercial-case", "financial-case", "management-case", "key-risks"] {
      #expect(ids.contains(id), "gate-\(gate) lacks \(id)")
    }
    var profile = Self.fullProfile
    profile["gate_stage"] = .string(template.gateStage)
    for section in template.sections {
      #expect(section.guidance?.isEmpty == false, "\(section.id) has no guidance")
      #expect(section.questions.count >= 1 && section.evidence.count >= 1, "\(section.id) lacks questions or evidence")
      let text = try template.skeleton(for: section, profile: profile)
      #expect(text.hasPrefix("# \(section.title)\n"), "\(section.id): \(text.prefix(80))")
      #expect(text.contains("Roads & Bridges · Gate \(gate) · SRO: Director of Estates"))
      #expect(!text.contains("{{") && !text.contains("&amp;"), "\(section.id) left a tag or escaped HTML")
      #expect(!text.contains("[\""), "\(section.id) printed a list as Swift would")
    }
    // Empty profile values read as "not set yet", never as blanks or crashes.
    var bare = Mapping()
    bare["project_id"] = "p"
    bare["project_title"] = "T"
    bare["gate_stage"] = .string(template.gateStage)
    bare["stakeholders"] = .sequence([])
    bare["senior_responsible_owner"] = ""
    for section in template.sections {
      let text = try template.skeleton(for: section, profile: bare)
      #expect(!text.contains("SRO:"))
      if text.contains("## Stakeholders") { #expect(text.contains("No stakeholders in the profile yet")) }
    }
  }

  @Test("section ids carried from gate to gate stay the same; gate 0 keeps the ids the sample relies on")
  func idsCarry() throws {
    let templates = try (0...5).map { try Self.library.template("gate-\($0)") }
    #expect(templates[0].sections.map(\.id) == Self.gate0IDs)
    #expect(templates[0].sections.first?.required == false)
    for template in templates {
      // Every gate keeps gate 0's sections, in gate 0's order, so that moving gate keeps work.
      #expect(template.sections.map(\.id).filter(Self.gate0IDs.contains) == Self.gate0IDs, "\(template.id)")
    }
    #expect(templates[3].section("procurement-outcome") != nil && templates[3].section("contract-award") != nil)
    for id in ["service-readiness", "transition", "acceptance", "business-continuity"] {
      #expect(templates[4].section(id)?.required == true)
    }
    for id in ["benefits-realisation-review", "lessons-learned", "contract-management"] {
      #expect(templates[5].section(id)?.required == true)
    }
  }

  @Test("init works with every gate's template: profile stub, section list, a skeleton draft", arguments: 0...5)
  func initEachGate(gate: Int) throws {
    let cli = try CLI()
    let repo = cli.root + "/p"
    let made = try cli.ok(["init", repo, "--template", "gate-\(gate)", "--project-id", "abc123", "--title", "T"])
    #expect(made["template"] as? String == "gate-\(gate)")
    let template = try Self.library.template("gate-\(gate)")
    let settings = try YAML.parse(try cli.git(["show", "main:casebook.yaml"], in: repo))
    #expect(settings["template"]?.string == "gate-\(gate)")
    #expect(settings["sections"]?.sequence?.compactMap { $0["id"]?.string } == template.sections.map(\.id))
    let profile = try YAML.parse(try cli.git(["show", "main:project_profile.yaml"], in: repo))
    #expect(profile["gate_stage"]?.string == "Gate \(gate)")
    for key in template.profile.keys { #expect(profile[key] != nil, "profile lacks \(key)") }
    let listed = try #require(try cli.ok(["section", "list", "--repo", repo])["sections"] as? [[String: Any]])
    #expect(listed.map { $0["section_id"] as? String } == template.sections.map(\.id))
    let session = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    let last = template.sections.last!
    _ = try cli.ok(["section", "draft", last.id, "--session", session, "--repo", repo])
    let text = try cli.git(["show", "sessions/\(session):sections/\(last.id).md"], in: repo)
    #expect(text.hasPrefix("# \(last.title)\n\n*T · Gate \(gate)*"))
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("template list: id, title, gate and number of sections, plain and --json")
  func templateList() throws {
    let cli = try CLI()
    let json = try cli.ok(["template", "list"])
    let listed = try #require(json["templates"] as? [[String: Any]])
    #expect(listed.map { $0["id"] as? String } == (0...5).map { "gate-\($0)" })
    for (gate, entry) in listed.enumerated() {
      let template = try Self.library.template("gate-\(gate)")
      #expect(entry["gate_stage"] as? String == "Gate \(gate)")
      #expect(entry["title"] as? String == template.title)
      #expect(entry["section_count"] as? Int == template.sections.count)
      #expect(entry["required_count"] as? Int == template.sections.filter(\.required).count)
    }
    #expect((json["invalid"] as? [Any])?.isEmpty == true)
    let plain = try cli.run(["template", "list"])
    #expect(plain.status == 0)
    let lines = plain.stdout.split(separator: "\n")
    #expect(lines.count == 6)
    #expect(lines[3].hasPrefix("gate-3") && lines[3].contains("Gate 3") && lines[3].contains("13 sections"))
    #expect(lines[3].contains("Investment decision (Full Business Case)"))
  }

  @Test("template list names a broken template instead of failing, and still lists the good ones")
  func templateListBroken() throws {
    let cli = try CLI()
    _ = try Self.writeCustomTemplate(cli, name: "library/council-capital")
    _ = try Self.writeCustomTemplate(cli, name: "library/broken")
    _ = try cli.file("library/broken/sections/extra.md", "# stray\n")
    _ = try cli.file("library/not-a-template/notes.md", "ignored\n")
    _ = try Self.writeCustomTemplate(cli, name: "library/renamed")
    let env = ["CASEBOOK_TEMPLATES": cli.root + "/library"]
    let json = try cli.run(["template", "list", "--json"], env: env).json
    let listed = try #require(json["templates"] as? [[String: Any]])
    #expect(listed.first?["id"] as? String == "council-capital")
    #expect(listed.first?["directory"] as? String == cli.root + "/library/council-capital")
    let invalid = try #require(json["invalid"] as? [[String: Any]])
    #expect(invalid.map { $0["name"] as? String } == ["broken", "renamed"])
    #expect((invalid.first?["error"] as? String)?.contains("sections/extra.md belongs to no section") == true)
    #expect((invalid.last?["error"] as? String)?.contains("a library template's id must be its folder's name") == true)
    let plain = try cli.run(["template", "list"], env: env)
    #expect(plain.status == 0)
    #expect(plain.stdout.hasPrefix("council-capital  Gate 0   2 sections  Council capital scheme\n"))
    #expect(plain.stderr.contains("warning: template broken is not usable"))
    // A library folder named other than its template's id: projects could not find it again by id.
    let shown = try cli.run(["template", "show", "renamed"], env: env)
    #expect(shown.status == 1 && shown.stderr.contains("has id 'council-capital'"))
  }

  @Test("template show: sections in order, required or optional, with guidance; plain and --json")
  func templateShow() throws {
    let cli = try CLI()
    let json = try cli.ok(["template", "show", "gate-3"])
    #expect(json["id"] as? String == "gate-3")
    #expect(json["gate_stage"] as? String == "Gate 3")
    let sections = try #require(json["sections"] as? [[String: Any]])
    #expect(sections.map { $0["order"] as? Int } == Array(1...sections.count).map { Optional($0) })
    let award = try #require(sections.first { $0["id"] as? String == "contract-award" })
    #expect(award["required"] as? Bool == true)
    #expect((award["guidance"] as? String)?.isEmpty == false)
    #expect((award["questions"] as? [String])?.contains { $0.contains("standstill") } == true)
    #expect(sections.first?["required"] as? Bool == false)
    #expect((json["profile"] as? [String: Any])?["preferred_supplier"] as? String == "")

    let plain = try cli.run(["template", "show", "gate-3"])
    #expect(plain.status == 0)
    #expect(plain.stdout.hasPrefix("gate-3: Gate 3 — Investment decision (Full Business Case)\ngate: Gate 3\n"))
    #expect(plain.stdout.contains("1. executive-summary: Executive summary (optional)"))
    #expect(plain.stdout.contains(". procurement-outcome: Procurement outcome and evaluation (required)"))
    #expect(plain.stdout.contains("   Questions:\n   - ") && plain.stdout.contains("   Evidence:\n   - "))
  }

  /// A team's own template: two sections, one profile key of its own.
  static func writeCustomTemplate(_ cli: CLI, name: String = "council") throws -> String {
    _ = try cli.file(
      "\(name)/template.yaml",
      """
      id: council-capital
      title: Council capital scheme
      gate_stage: Gate 0
      profile:
        ward: ""
      sections:
        - id: summary
          title: Summary
          guidance: Say what the scheme is, briefly.
          questions: [What is proposed?]
          evidence: [Cabinet report]
        - id: people
          title: Who is involved
          required: false

      """)
    _ = try cli.file(
      "\(name)/sections/summary.md",
      "# {{section_title}}\n\n{{project_title}} in {{ward}}{{^ward}}an unnamed ward{{/ward}}.\n")
    _ = try cli.file(
      "\(name)/sections/people.md",
      "# {{section_title}}\n\n{{#stakeholders}}\n- {{name}}{{#role}}, {{role}}{{/role}}\n{{/stakeholders}}\n{{^stakeholders}}\nNobody yet.\n{{/stakeholders}}\n"
    )
    return cli.root + "/\(name)"
  }

  @Test("a team's own template folder: validated, shown, used by init, its skeletons filled with Mustache")
  func customTemplate() throws {
    let cli = try CLI()
    let folder = try Self.writeCustomTemplate(cli)
    let shown = try cli.ok(["template", "show", folder])
    #expect(shown["id"] as? String == "council-capital")
    #expect((shown["sections"] as? [[String: Any]])?.count == 2)
    let repo = cli.root + "/p"
    _ = try cli.ok(["init", repo, "--template", folder, "--project-id", "c1", "--title", "Town Hall Lift"])
    // The template folder is not needed after init: skeletons live in casebook.yaml.
    try FileManager.default.removeItem(atPath: folder)
    let session = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    _ = try cli.ok(["section", "draft", "people", "--session", session, "--repo", repo])
    #expect(
      try cli.git(["show", "sessions/\(session):sections/people.md"], in: repo) == "# Who is involved\n\nNobody yet.\n")
    _ = try cli.ok(["profile", "set", "ward", "Riverside", "--session", session, "--repo", repo])
    _ = try cli.ok(["section", "draft", "summary", "--session", session, "--repo", repo])
    #expect(
      try cli.git(["show", "sessions/\(session):sections/summary.md"], in: repo)
        == "# Summary\n\nTown Hall Lift in Riverside.\n")
    // Another session, with stakeholders in its profile, gets them listed (once the first
    // session has let go of its edit lock on the section).
    _ = try cli.ok(["lock", "release", "people", "--session", session, "--repo", repo])
    let second = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    _ = try cli.ok([
      "profile", "set", "stakeholders", "[{name: Finance, role: Reviewer}, {name: 'Estates & FM'}]",
      "--session", second, "--repo", repo,
    ])
    _ = try cli.ok(["section", "draft", "people", "--session", second, "--repo", repo])
    #expect(
      try cli.git(["show", "sessions/\(second):sections/people.md"], in: repo)
        == "# Who is involved\n\n- Finance, Reviewer\n- Estates & FM\n")
  }

  /// Bytes that a careless rewrite would change: no final newline, trailing spaces, CRLF, Unicode.
  static let draftText =
    "# Rationale\r\n\nThe estate has 40 buildings; 14 lack step-free access.  \n\n£19.6m — “phased”"

  @Test("moving gate keeps every drafted section byte for byte and adds the next gate's sections")
  func gateAdvanceKeepsWork() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    let draft = try cli.file("rationale.md", Self.draftText)
    _ = try cli.ok(["section", "draft", "rationale", "--session", s, "--from", draft, "--repo", repo])
    _ = try cli.ok(["section", "commit", "rationale", "--session", s, "--repo", repo])
    _ = try cli.ok(["section", "draft", "strategic-case", "--session", s, "--repo", repo])
    func blobs() throws -> String {
      try cli.git(["ls-tree", "-r", "sessions/\(s)", "sections/"], in: repo)
    }
    let before = try blobs()
    var listed = Set(Self.gate0IDs)

    // Dry run first: the report, and nothing written.
    let head = try cli.git(["rev-parse", "sessions/\(s)"], in: repo)
    let preview = try cli.ok(["gate", "advance", "--session", s, "--dry-run", "--repo", repo])
    #expect(preview["commit"] == nil)
    #expect(try cli.git(["rev-parse", "sessions/\(s)"], in: repo) == head)

    let first = try cli.ok(["gate", "advance", "--session", s, "--repo", repo])
    #expect(first["from_gate"] as? String == "Gate 0" && first["to_gate"] as? String == "Gate 1")
    #expect(first["direction"] as? String == "forward")
    let added = (first["added"] as? [[String: Any]])?.compactMap { $0["section_id"] as? String }
    #expect(added == ["benefits", "next-stage-plan"])
    #expect((preview["added"] as? [[String: Any]])?.count == 2)
    let carried = try #require(first["carried"] as? [[String: Any]])
    let rationale = try #require(carried.first { $0["section_id"] as? String == "rationale" })
    #expect(rationale["status"] as? String == "committed" && rationale["revision"] as? Int == 1)
    #expect((first["profile_keys_added"] as? [String])?.contains("spending_objectives") == true)
    // One commit, touching only the profile and casebook.yaml, with trailers for the audit.
    let changed = try cli.git(["diff", "--name-only", "sessions/\(s)~1", "sessions/\(s)"], in: repo)
    #expect(changed == "casebook.yaml\nproject_profile.yaml\n")
    let trailers = try cli.git(["log", "-1", "--format=%(trailers)", "sessions/\(s)"], in: repo)
    #expect(trailers.contains("Casebook-Action: change-gate") && trailers.contains("Casebook-Gate: Gate 1"))
    #expect(try blobs() == before, "no section file changed")

    // The new sections draft from the new template's skeletons in this session at once.
    _ = try cli.ok(["section", "draft", "benefits", "--session", s, "--repo", repo])
    #expect(
      try cli.git(["show", "sessions/\(s):sections/benefits.md"], in: repo).hasPrefix("# Benefits and dis-benefits\n"))
    listed.formUnion(["benefits", "next-stage-plan"])

    // On through every gate: the section list only grows, and the drafts stay as they were.
    for gate in 2...5 {
      let result = try cli.ok(["gate", "advance", "--session", s, "--repo", repo])
      #expect(result["to_gate"] as? String == "Gate \(gate)")
      let settings = try YAML.parse(try cli.git(["show", "sessions/\(s):casebook.yaml"], in: repo))
      #expect(settings["template"]?.string == "gate-\(gate)")
      let ids = settings["sections"]?.sequence?.compactMap { $0["id"]?.string } ?? []
      #expect(listed.isSubset(of: Set(ids)), "gate \(gate) dropped \(listed.subtracting(ids))")
      #expect(Set(ids).count == ids.count)
      let template = try Self.library.template("gate-\(gate)")
      #expect(Array(ids.filter { template.section($0) != nil }) == template.sections.map(\.id))
      for entry in settings["sections"]?.sequence ?? [] where template.section(entry["id"]?.string ?? "") == nil {
        #expect(entry["required"]?.bool == false, "a section kept from an earlier gate is optional now")
      }
      listed.formUnion(ids)
    }
    #expect(try cli.git(["show", "sessions/\(s):sections/rationale.md"], in: repo) == Self.draftText)
    #expect(try cli.git(["show", "main:sections/rationale.md"], in: repo) == Self.draftText)
    let gate3Kept = try cli.ok(["section", "list", "--session", s, "--repo", repo])["sections"] as? [[String: Any]]
    #expect(gate3Kept?.contains { $0["section_id"] as? String == "market-readiness" } == true)

    // The last gate has no next one.
    let last = try cli.run(["gate", "advance", "--session", s, "--repo", repo])
    #expect(last.status == 1 && last.stderr.contains("last gate"))

    // Merged, main is at Gate 5 with every section and the drafts as written.
    _ = try cli.ok(["session", "merge", s, "--repo", repo])
    #expect(try cli.git(["show", "main:project_profile.yaml"], in: repo).contains("gate_stage: Gate 5"))
    #expect(try cli.git(["show", "main:sections/rationale.md"], in: repo) == Self.draftText)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("profile set gate_stage moves gate as gate advance does; back or skip only with --force, losing nothing")
  func profileSetGate() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    _ = try cli.ok(["section", "draft", "rationale", "--session", s, "--repo", repo])
    let set = try cli.ok(["profile", "set", "gate_stage", "Gate 1", "--session", s, "--repo", repo])
    let gate = try #require(set["gate"] as? [String: Any])
    #expect(gate["to_template"] as? String == "gate-1")
    let plain = try cli.run(["profile", "set", "gate_stage", "Gate 3", "--force", "--session", s, "--repo", repo])
    #expect(plain.status == 0)
    #expect(plain.stdout.contains("moved from Gate 1 (gate-1) to Gate 3 (gate-3), skipping a gate"))
    #expect(plain.stdout.contains("+ procurement-outcome"))
    #expect(plain.stdout.contains("= rationale") && plain.stdout.contains("drafted at revision 1"))
    let back = try cli.ok(["gate", "advance", "--to", "Gate 2", "--force", "--session", s, "--repo", repo])
    #expect(back["direction"] as? String == "back")
    let kept = (back["kept"] as? [[String: Any]])?.compactMap { $0["section_id"] as? String } ?? []
    #expect(kept.contains("procurement-outcome") && kept.contains("contract-award"))
    // A plain profile write that does not touch the gate reports no gate move.
    let other = try cli.ok(["profile", "set", "delivery_body", "Estates", "--session", s, "--repo", repo])
    #expect(other["gate"] == nil)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("one session moves gate while another drafts: both merge into main, nothing lost")
  func gateMoveMergesWithOtherWork() throws {
    var cli = try CLI()
    let (repo, alice) = try cli.project()
    cli.user = "bob"
    let bob = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    let text = try cli.file("s.md", "# Strategic case\n\nBob's text.\n")
    _ = try cli.ok(["section", "draft", "strategic-case", "--session", bob, "--from", text, "--repo", repo])
    cli.user = "alice"
    _ = try cli.ok(["gate", "advance", "--session", alice, "--repo", repo])
    _ = try cli.ok(["section", "draft", "benefits", "--session", alice, "--repo", repo])
    _ = try cli.ok(["session", "merge", alice, "--repo", repo])
    cli.user = "bob"
    _ = try cli.ok(["session", "merge", bob, "--repo", repo])
    let settings = try YAML.parse(try cli.git(["show", "main:casebook.yaml"], in: repo))
    #expect(settings["template"]?.string == "gate-1")
    #expect(try cli.git(["show", "main:sections/strategic-case.md"], in: repo) == "# Strategic case\n\nBob's text.\n")
    #expect(try cli.git(["show", "main:sections/benefits.md"], in: repo).hasPrefix("# Benefits"))
    let listed = try #require(try cli.ok(["section", "list", "--repo", repo])["sections"] as? [[String: Any]])
    #expect(listed.count == 10)
  }

  @Test("Mustache: stakeholders render as a list, & stays &, and an empty list says so")
  func stakeholdersRender() throws {
    let cli = try CLI()
    let (repo, s) = try cli.project()
    _ = try cli.ok(["section", "draft", "management-case", "--session", s, "--repo", repo])
    let empty = try cli.git(["show", "sessions/\(s):sections/management-case.md"], in: repo)
    #expect(empty.contains("_No stakeholders in the profile yet"))
    #expect(empty.contains("**Senior responsible owner:** _not yet named (profile: senior_responsible_owner)_"))
    _ = try cli.ok([
      "profile", "set", "stakeholders",
      "[{name: Finance, role: Reviewer}, {name: 'Estates & FM', role: Delivery lead}, {name: Staff network}]",
      "--session", s, "--repo", repo,
    ])
    _ = try cli.ok(["profile", "set", "senior_responsible_owner", "Director <Estates>", "--session", s, "--repo", repo])
    _ = try cli.ok(["section", "draft", "strategic-case", "--session", s, "--repo", repo])
    let text = try cli.git(["show", "sessions/\(s):sections/strategic-case.md"], in: repo)
    #expect(text.contains("\n- **Finance**: Reviewer\n- **Estates & FM**: Delivery lead\n- **Staff network**\n"))
    #expect(text.contains("· SRO: Director <Estates>*"))
    #expect(!text.contains("No stakeholders"))
  }
}
