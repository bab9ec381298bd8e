import Casebook
import Foundation
import TestSupport
import Testing
import YAML

/// The three-way scenarios in Tests/YAMLTests/Corpus, merged with the options the store and the
/// merge driver use. Each folder holds base/ours/theirs.yaml and either expected.yaml (the exact
/// canonical result, written by hand) or conflicts.txt (the exact conflict paths, one a line), and
/// optionally policy.yaml: `file:` (the path whose rules apply, default project_profile.yaml) and
/// `merge:` (a `casebook.yaml` merge section replacing the defaults).
@Suite struct MergeCorpusTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("YAMLTests/Corpus").path

  static let scenarios: [String] =
    ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()

  struct Scenario {
    let base: String
    let ours: String
    let theirs: String
    let expected: String?
    let conflicts: [String]?
    let file: String
    let policy: Node?

    init(_ name: String) throws {
      let folder = MergeCorpusTests.root + "/" + name
      func read(_ file: String) -> String? {
        FileManager.default.contents(atPath: folder + "/" + file).map { String(decoding: $0, as: UTF8.self) }
      }
      base = try #require(read("base.yaml"))
      ours = try #require(read("ours.yaml"))
      theirs = try #require(read("theirs.yaml"))
      expected = read("expected.yaml")
      conflicts = read("conflicts.txt").map {
        $0.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
      }
      let policyNode = try read("policy.yaml").map { try YAML.parse($0) }
      file = policyNode?["file"]?.string ?? "project_profile.yaml"
      policy = policyNode?["merge"]
    }

    func settings() throws -> MergeSettings {
      try policy.map { try MergeSettings($0, origin: "policy.yaml") } ?? .defaults
    }
  }

  @Test func theCorpusHasAtLeastSixtyScenarios() {
    #expect(Self.scenarios.count >= 60)
  }

  @Test(arguments: scenarios)
  func scenario(_ name: String) throws {
    let scenario = try Scenario(name)
    #expect((scenario.expected == nil) != (scenario.conflicts == nil), "exactly one of expected.yaml and conflicts.txt")
    let options = try scenario.settings().options(forFile: scenario.file)
    let result = YAMLMerge.merge(
      base: try YAML.parse(scenario.base), ours: try YAML.parse(scenario.ours), theirs: try YAML.parse(scenario.theirs),
      options: options)
    if let expected = scenario.expected {
      #expect(result.conflicts == [])
      #expect(YAML.emit(try YAML.parse(expected)) == expected, "expected.yaml is written canonically")
      #expect(YAML.emit(result.merged) == expected)
    }
    if let conflicts = scenario.conflicts {
      #expect(result.conflicts.map(\.path) == conflicts)
    }
  }

  /// The merge driver on the same scenario, reading the policies from a casebook.yaml in the folder
  /// it runs in (as git runs it) and picking them by the file's path.
  @Test(arguments: scenarios)
  func driver(_ name: String) throws {
    let scenario = try Scenario(name)
    let folder = try TemporaryDirectory(prefix: "casebook-corpus")
    if let policy = scenario.policy {
      let config: Node = ["format": 1, "project_id": "abc123", "merge": policy]
      try Data(YAML.emit(config).utf8).write(to: URL(fileURLWithPath: folder.appending("casebook.yaml")))
    }
    for (file, text) in [("base", scenario.base), ("ours", scenario.ours), ("theirs", scenario.theirs)] {
      try Data(text.utf8).write(to: URL(fileURLWithPath: folder.appending(file)))
    }
    let outcome = try MergeDriver.run(
      base: folder.appending("base"), ours: folder.appending("ours"), theirs: folder.appending("theirs"),
      path: scenario.file, root: folder.path)
    let written = String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder.appending("ours"))), as: UTF8.self)
    if let expected = scenario.expected {
      #expect(outcome.clean)
      let crlf = scenario.ours.contains("\r\n")
      #expect(written == (crlf ? expected.replacingOccurrences(of: "\n", with: "\r\n") : expected))
    }
    if let conflicts = scenario.conflicts {
      #expect(!outcome.clean)
      #expect(outcome.conflicts.map(\.path) == conflicts)
    }
  }
}
