import Testing
import YAML

@testable import Casebook

/// Resolutions are written back at the paths YAMLMerge reports; every path it can print must
/// lead back to the value it names.
@Suite("conflict paths")
struct ConflictPathTests {
  static let document = """
    gate_stage: Gate 0
    stakeholders:
      - name: Finance
        role: Budget holder
      - name: "a.b [x]"
        role: Odd
    matrix:
      - [1, 2]
      - [3, 4]
    "key.with.dots": plain
    """

  @Test(
    "the merge's own conflict paths are set back in place",
    arguments: [
      (
        "stakeholders", "{name: Finance, role: Sponsor}", "{name: Finance, role: Owner}",
        "stakeholders[name=Finance].role"
      ),
      (
        "stakeholders", "{name: \"a.b [x]\", role: One}", "{name: \"a.b [x]\", role: Two}",
        #"stakeholders[name="a.b [x]"].role"#
      ),
      ("gate_stage", "Gate 1", "Gate 2", "gate_stage"),
      ("key.with.dots", "one", "two", #""key.with.dots""#),
    ])
  func roundTrip(_ key: String, _ ours: String, _ theirs: String, _ expected: String) throws {
    let base = try YAML.parse(Self.document)
    func edited(_ value: String) throws -> Node {
      var map = base.mapping!
      let node = try YAML.parse(value)
      if key == "stakeholders" {
        let items = map["stakeholders"]!.sequence!.map { $0["name"] == node["name"] ? node : $0 }
        map["stakeholders"] = .sequence(items)
      } else {
        map[key] = node
      }
      return .mapping(map)
    }
    let result = YAMLMerge.merge(base: base, ours: try edited(ours), theirs: try edited(theirs))
    let conflict = try #require(result.conflicts.first)
    #expect(conflict.path == expected)
    let resolved = try ConflictPath.setting(conflict.theirs, at: conflict.path, in: result.merged)
    #expect(resolved == (try edited(theirs)))
  }

  @Test("positional items, removal, and a bad path")
  func positionalAndRemoval() throws {
    let base = try YAML.parse(Self.document)
    let set = try ConflictPath.setting(.int(9), at: "matrix[1][0]", in: base)
    #expect(set["matrix"]?.sequence?[1].sequence?[0] == .int(9))
    let removed = try ConflictPath.setting(nil, at: "gate_stage", in: base)
    #expect(removed["gate_stage"] == nil)
    #expect(throws: CasebookError.self) { try ConflictPath.setting(.null, at: "gate_stage[", in: base) }
  }
}
