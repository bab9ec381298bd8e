import Casebook
import Foundation
import TestSupport
import Testing
import YAML

/// The `merge:` section of casebook.yaml: parsing, errors, globs, the line merge, and its use by
/// session merges, by the merge driver and by plain `git merge`.
@Suite struct MergePolicyWiringTests {
  private func settings(_ yaml: String) throws -> MergeSettings {
    try MergeSettings(try YAML.parse(yaml))
  }

  @Test func defaultsRoundTripThroughYAML() throws {
    let node = MergeSettings.defaults.node
    #expect(try MergeSettings(node) == .defaults)
    #expect(
      YAML.emit(node) == """
        project_profile.yaml:
          identity:
            stakeholders:
              - name
          policies:
            gate_stage: forward-only
        sessions/*.yaml:
          policies:
            last_active: newest

        """)
  }

  @Test func aForwardOnlyOrderRoundTrips() throws {
    let parsed = try settings("p.yaml:\n  policies:\n    stage: {take: forward-only, order: [SOC, OBC, FBC]}\n")
    #expect(parsed.options(forFile: "p.yaml").policies["stage"] == .forwardOnly(order: ["SOC", "OBC", "FBC"]))
    #expect(try MergeSettings(parsed.node) == parsed)
  }

  @Test(arguments: [
    ("[a, b]", "must be a mapping of file globs"),
    ("/abs.yaml: {}", "not a file glob relative"),
    ("p.yaml: [x]", "must be a mapping with identity and/or policies"),
    ("p.yaml: {rules: {}}", "unknown key 'rules'"),
    (
      "p.yaml: {policies: {gate_stage: forwards}}",
      "unknown policy 'forwards' (use newest, max, forward-only, always-conflict)"
    ),
    ("p.yaml: {policies: {gate_stage: {take: latest}}}", "unknown policy 'latest'"),
    ("p.yaml: {policies: {gate_stage: {order: [a]}}}", "order applies to forward-only only"),
    ("p.yaml: {policies: {gate_stage: {take: forward-only, order: []}}}", "order must be a list of distinct values"),
    (
      "p.yaml: {policies: {gate_stage: {take: forward-only, order: [a, a]}}}", "order must be a list of distinct values"
    ),
    ("p.yaml: {policies: {gate_stage: {take: max, why: x}}}", "unknown key 'why'"),
    ("p.yaml: {policies: {gate_stage: [max]}}", "expected a policy name"),
    ("p.yaml: {policies: {'a..b': max}}", "bad path 'a..b': empty key before '.'"),
    ("p.yaml: {policies: {'a[0]': max}}", "bad path 'a[0]'"),
    ("p.yaml: {identity: {'x=y': [id]}}", "bad path 'x=y'"),
    ("p.yaml: {identity: {stakeholders: []}}", "expected a key or a list of keys"),
    ("p.yaml: {identity: {stakeholders: [1]}}", "expected a key or a list of keys"),
    ("p.yaml: {policies: [max]}", "must be a mapping of paths"),
  ])
  func badSectionsAreRefusedWithTheirPlace(_ yaml: String, _ message: String) throws {
    #expect {
      try settings(yaml)
    } throws: { error in
      guard case .repository(let text) = error as? CasebookError else { return false }
      return text.hasPrefix("casebook.yaml: merge: ") && text.contains(message)
    }
  }

  @Test(arguments: [
    ("project_profile.yaml", "project_profile.yaml", true), ("project_profile.yaml", "x/project_profile.yaml", false),
    ("sessions/*.yaml", "sessions/ab12.yaml", true), ("sessions/*.yaml", "sessions/a/b.yaml", false),
    ("*.yaml", "casebook.yaml", true), ("*.yaml", "sections/a.yaml", false), ("**/*.yaml", "sections/a.yaml", true),
    ("**/*.yaml", "a.yaml", true), ("sections/**", "sections/a/b.md", true),
    ("sections/?.yaml", "sections/a.yaml", true),
    ("sections/?.yaml", "sections/ab.yaml", false),
  ])
  func globs(_ glob: String, _ path: String, _ matches: Bool) throws {
    let parsed = try settings("'\(glob)': {policies: {x: max}}")
    #expect((parsed.options(forFile: path).policies["x"] != nil) == matches)
  }

  @Test func laterEntriesWinForTheSamePath() throws {
    let parsed = try settings(
      "'*.yaml': {policies: {a: max, b: max}, identity: {l: [k]}}\np.yaml: {policies: {a: newest}}\n")
    let options = parsed.options(forFile: "p.yaml")
    #expect(options.policies == ["a": .newest, "b": .max])
    #expect(options.identityKeys == ["l": ["k"]])
    #expect(try settings("p.yaml:\n").options(forFile: "p.yaml").policies.isEmpty)
  }

  @Test func theLineMergeKeepsBothInsertionsAndRefusesOverlaps() throws {
    let merge = try #require(MergeSettings.defaults.options(forFile: "x.yaml").mergeText)
    #expect(merge("a\nb\n", "a\nb\nc\n", "a\nb\nd\n") == "a\nb\nc\nd\n")
    #expect(merge("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n") == "A\nb\nC\n")
    #expect(merge("a\nb\nc\n", "a\nB\nc\n", "a\nβ\nc\n") == nil)
    // Inserted at the same place while one side also changed a line there: a person decides.
    #expect(merge("a\nb\n", "a\nx\nB\n", "a\ny\nb\n") == nil)
    // Strip chomping: no final newline unless a side added one.
    #expect(merge("a\nb", "a\nb\nc", "a\nb\nd") == "a\nb\nc\nd")
    #expect(merge("a\nb", "a\nb\n", "z\na\nb") == "z\na\nb\n")
    // A text holding conflict-marker lines is never resolved by the union rule.
    #expect(merge("a\n", "a\n<<<<<<< x\n", "a\ny\n") == nil)
  }

  @Test func initWritesTheDefaultPoliciesAndTheStoreUsesThem() throws {
    var cli = try CLI()
    let (repo, _) = try cli.project()
    let config = try runGit(["show", "main:casebook.yaml"], in: repo).stdout
    #expect(config.contains("merge:\n  project_profile.yaml:\n"))
    #expect(config.contains("gate_stage: forward-only"))
    #expect(config.contains("last_active: newest"))
    #expect(
      try runGit(["config", "merge.casebook-yaml.driver"], in: repo).stdout == "casebook merge-yaml %O %A %B %P\n")
    #expect(try runGit(["show", "main:.gitattributes"], in: repo).stdout.contains("*.yaml merge=casebook-yaml"))
    let project = try Project.open(at: repo)
    #expect(project.mergeOptions(forFile: "project_profile.yaml").policies == ["gate_stage": .forwardOnly(order: [])])
    #expect(project.mergeOptions(forFile: "sessions/0123.yaml").policies == ["last_active": .newest])

    // Two sessions move the gate stage differently: in the profile the furthest wins instead of
    // a conflict. A gate move also rewrites casebook.yaml's template and sections, and two moves
    // to different gates conflict there: a person says which template the project follows.
    cli.user = "alice"
    let a = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    cli.user = "bob"
    let b = try #require(try cli.ok(["session", "start", "--repo", repo])["session_id"] as? String)
    cli.user = "alice"
    _ = try cli.ok(["profile", "set", "gate_stage", "Gate 2", "--force", "--session", a, "--repo", repo])
    cli.user = "bob"
    _ = try cli.ok(["profile", "set", "gate_stage", "Gate 1", "--session", b, "--repo", repo])
    cli.user = "alice"
    _ = try cli.ok(["session", "merge", a, "--repo", repo])
    cli.user = "bob"
    let refused = try cli.run(["session", "merge", b, "--repo", repo, "--json"])
    #expect(refused.status == 3)
    let conflicts = try #require((try refused.json["error"] as? [String: Any])?["conflicts"] as? [[String: Any]])
    #expect(!conflicts.isEmpty)
    #expect(conflicts.allSatisfy { $0["file"] as? String == "casebook.yaml" }, "\(conflicts)")
    _ = try cli.ok(["resolve", "--session", b, "--ours", "--repo", repo])
    _ = try cli.ok(["session", "merge", b, "--repo", repo])
    #expect(try runGit(["show", "main:project_profile.yaml"], in: repo).stdout.contains("gate_stage: Gate 2\n"))
    #expect(try runGit(["show", "main:casebook.yaml"], in: repo).stdout.contains("template: gate-2\n"))
  }

  @Test func plainGitMergeUsesThePoliciesOfTheFilesPath() throws {
    let cli = try CLI()
    let repo = cli.root + "/plain"
    _ = try cli.git(["init", "-q", "-b", "main", repo], in: cli.root)
    func write(_ file: String, _ text: String) throws {
      try Data(text.utf8).write(to: URL(fileURLWithPath: repo + "/" + file))
    }
    try write(".gitattributes", "*.yaml merge=casebook-yaml\n")
    try write(
      "casebook.yaml", "format: 1\nproject_id: abc123\nmerge:\n  '*.yaml':\n    policies:\n      reviewed_at: newest\n")
    try write("a.yaml", "title: Estates\nreviewed_at: 2025-01-01T09:00:00Z\n")
    _ = try cli.git(["config", "merge.casebook-yaml.driver", "\(CLI.binary) merge-yaml %O %A %B %P"], in: repo)
    _ = try cli.git(["add", "."], in: repo)
    _ = try cli.git(["commit", "-qm", "base"], in: repo)
    _ = try cli.git(["checkout", "-qb", "other"], in: repo)
    try write("a.yaml", "title: Estates\nreviewed_at: 2025-03-02T09:00:00Z\n")
    _ = try cli.git(["commit", "-qam", "review"], in: repo)
    _ = try cli.git(["checkout", "-q", "main"], in: repo)
    try write("a.yaml", "title: Estates and Facilities\nreviewed_at: 2025-02-01T09:00:00Z\n")
    _ = try cli.git(["commit", "-qam", "rename"], in: repo)
    _ = try cli.git(["merge", "-q", "--no-edit", "other"], in: repo)
    let merged = try String(contentsOfFile: repo + "/a.yaml", encoding: .utf8)
    #expect(merged == "title: Estates and Facilities\nreviewed_at: \"2025-03-02T09:00:00Z\"\n")
  }

  @Test func theDriverRefusesABadMergeSectionAndLeavesOursAlone() throws {
    let cli = try CLI()
    let folder = cli.root + "/driver"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let files = ["base": "a: 1\n", "ours": "a: 2\n", "theirs": "a: 3\n"]
    for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/" + name)) }
    try Data("merge:\n  a.yaml:\n    policies:\n      a: biggest\n".utf8).write(
      to: URL(fileURLWithPath: folder + "/casebook.yaml"))
    let result = try cli.run(["merge-yaml", "base", "ours", "theirs", "a.yaml"], in: folder)
    // A bad casebook.yaml is a repository error (exit 4) here as in every other command.
    #expect(result.status == 4)
    #expect(result.stderr.contains("casebook.yaml: merge: 'a.yaml' policies 'a': unknown policy 'biggest'"))
    #expect(try String(contentsOfFile: folder + "/ours", encoding: .utf8) == "a: 2\n")
  }

  @Test func aBadMergeSectionOnMainIsRefusedByEveryCommand() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    var config = try String(contentsOfFile: repo + "/casebook.yaml", encoding: .utf8)
    config = config.replacingOccurrences(of: "gate_stage: forward-only", with: "gate_stage: forwards")
    try Data(config.utf8).write(to: URL(fileURLWithPath: repo + "/casebook.yaml"))
    _ = try cli.git(["commit", "-qam", "a hand edit"], in: repo)
    let message = "casebook.yaml: merge: 'project_profile.yaml' policies 'gate_stage': unknown policy 'forwards'"
    try cli.expectRefused(["session", "start"], repo: repo, status: 4, message: message)
    try cli.expectRefused(["session", "merge", session], repo: repo, status: 4, message: message)
    try cli.expectRefused(
      ["profile", "set", "project_title", "X", "--session", session], repo: repo, status: 4, message: message)
  }
}
