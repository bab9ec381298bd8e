import Testing
import YAML

@Suite struct MergePolicyTests {
  private func merge(_ base: Node?, _ ours: Node, _ theirs: Node, _ policies: [String: MergePolicy]) -> MergeResult {
    YAMLMerge.merge(
      base: base, ours: ours, theirs: theirs, options: MergeOptions(identityKeys: [:], policies: policies))
  }

  // MARK: pattern syntax

  @Test(arguments: [
    "", "gate_stage", "stakeholders[].role", "budget.*.amount", "[].name", #""a.b"[]"#, #""*".x"#, "a[][]",
    #""q\"uote".x"#, "Gate 0 notes",
  ])
  func validPatterns(_ text: String) throws {
    #expect(try MergePattern(text).description == text)
  }

  @Test(arguments: [
    (".a", "empty key before '.'"), ("a.", "empty key after '.'"), ("a..b", "empty key before '.'"),
    ("a[", "'[' must be followed by ']'"), ("a[0]", "'[' must be followed by ']'"), ("a[]b", "expected '.'"),
    (#""a"#, "unterminated"), ("a=b", "must be quoted"), ("a*", "must be quoted"), (#""a"b"#, "expected '.'"),
  ])
  func invalidPatterns(_ text: String, _ message: String) {
    #expect {
      try MergePattern(text)
    } throws: { error in
      (error as? MergePattern.Invalid)?.message.contains(message) == true
    }
  }

  @Test func patternsMatchKeysWildcardsAndItems() {
    let base: Node = ["reviews": ["finance": ["at": "2025-01-01"], "legal": ["at": "2025-01-01"]], "at": "2025-01-01"]
    let ours: Node = ["reviews": ["finance": ["at": "2025-02-01"], "legal": ["at": "2025-03-01"]], "at": "2025-02-01"]
    let theirs: Node = [
      "reviews": ["finance": ["at": "2025-03-01"], "legal": ["at": "2025-02-01"]], "at": "2025-03-01",
    ]
    let result = merge(base, ours, theirs, ["reviews.*.at": .newest])
    // The wildcard names reviews.finance.at and reviews.legal.at, not the top-level "at".
    #expect(result.conflicts.map(\.path) == ["at"])
    #expect(result.merged["reviews"] == ["finance": ["at": "2025-03-01"], "legal": ["at": "2025-03-01"]])
  }

  @Test func anExactPatternWinsOverAWildcard() {
    let result = merge(
      ["a": ["x": 1, "y": 1]], ["a": ["x": 2, "y": 2]], ["a": ["x": 3, "y": 3]],
      ["a.*": .alwaysConflict, "a.y": .max])
    #expect(result.conflicts.map(\.path) == ["a.x"])
    #expect(result.merged == ["a": ["x": 2, "y": 3]])
  }

  @Test func aQuotedKeyInAPattern() {
    let result = merge(["a.b": 1], ["a.b": 2], ["a.b": 5], [#""a.b""#: .max])
    #expect(result.isClean)
    #expect(result.merged == ["a.b": 5])
  }

  // MARK: newest

  @Test(arguments: [
    ("2025-03-01T10:00:00Z", "2025-03-01T11:00:00Z", "2025-03-01T11:00:00Z"),
    ("2025-03-01T12:30:00+02:00", "2025-03-01T11:00:00Z", "2025-03-01T11:00:00Z"),
    ("2025-03-01T10:00:00.250Z", "2025-03-01T10:00:00.2Z", "2025-03-01T10:00:00.250Z"),
    ("2025-03-02", "2025-03-01T23:59:59Z", "2025-03-02"),
    ("2024-02-29 08:00", "2024-02-29T07:59:59Z", "2024-02-29 08:00"),
    ("2025-03-01T10:00:00-0500", "2025-03-01T14:59:00Z", "2025-03-01T10:00:00-0500"),
    ("1999-12-31T23:00:00Z", "2000-01-01T00:00:00+01:00", "2000-01-01T00:00:00+01:00"),  // same instant: greater text
  ])
  func newestTakesTheLaterTime(_ ours: String, _ theirs: String, _ expected: String) {
    let base: Node = ["last_active": "2025-01-01T00:00:00Z"]
    let result = merge(base, ["last_active": .string(ours)], ["last_active": .string(theirs)], ["last_active": .newest])
    #expect(result.isClean)
    #expect(result.merged == ["last_active": .string(expected)])
    // The same whichever side is ours.
    let swapped = merge(
      base, ["last_active": .string(theirs)], ["last_active": .string(ours)], ["last_active": .newest])
    #expect(swapped.merged == result.merged)
  }

  @Test(arguments: ["yesterday", "2025-13-01", "2025-03-01T25:00:00Z", "2025-03-01T10:00:00Zjunk", "2025-3-1"])
  func newestConflictsOnWhatIsNotATimestamp(_ text: String) {
    let result = merge(
      ["t": "2025-01-01T00:00:00Z"], ["t": .string(text)], ["t": "2025-03-01T00:00:00Z"], ["t": .newest])
    #expect(result.conflicts.map(\.path) == ["t"])
  }

  @Test func policiesDoNotDecideDeletions() {
    let result = merge(["t": "2025-01-01T00:00:00Z"], [:], ["t": "2025-03-01T00:00:00Z"], ["t": .newest])
    #expect(result.conflicts.map(\.path) == ["t"])
  }

  // MARK: max

  @Test func maxTakesTheGreaterNumber() {
    #expect(merge(["r": 2], ["r": 3], ["r": 4], ["r": .max]).merged == ["r": 4])
    #expect(merge(["r": 2], ["r": 3.5], ["r": 3], ["r": .max]).merged == ["r": 3.5])
    #expect(merge(["r": 2], ["r": "three"], ["r": 4], ["r": .max]).conflicts.map(\.path) == ["r"])
  }

  // MARK: forward-only

  @Test(arguments: [
    ("Gate 1", "Gate 2", "Gate 3", "Gate 3"),
    ("Gate 2", "Gate 1", "Gate 3", "Gate 3"),  // back on one side, forward on the other: forward
    ("Gate 2", "Gate 3", "Gate 1", "Gate 3"),
    ("Gate 1", "Gate 10", "Gate 9", "Gate 10"),  // digits compare as numbers
    ("Gate 1", "Gate 02", "Gate 3", "Gate 3"),
  ])
  func forwardOnlyTakesTheFurthest(_ base: String, _ ours: String, _ theirs: String, _ expected: String) {
    let result = merge(
      ["gate_stage": .string(base)], ["gate_stage": .string(ours)], ["gate_stage": .string(theirs)],
      ["gate_stage": .forwardOnly(order: [])])
    #expect(result.isClean)
    #expect(result.merged == ["gate_stage": .string(expected)])
  }

  @Test(arguments: [
    ("Gate 3", "Gate 1", "Gate 2"),  // both stepped back, differently
    ("Gate 1", "Gate 2", "Paused"),  // not comparable
    ("Gate 1", "Gate 2", "Stage 3"),
    ("Gate 1", "Gate 2", "gate 2"),  // different text, same rank
  ])
  func forwardOnlyConflicts(_ base: String, _ ours: String, _ theirs: String) {
    let result = merge(
      ["gate_stage": .string(base)], ["gate_stage": .string(ours)], ["gate_stage": .string(theirs)],
      ["gate_stage": .forwardOnly(order: [])])
    #expect(result.conflicts.map(\.path) == ["gate_stage"])
  }

  @Test func forwardOnlyTakesAOneSidedStepBack() {
    let result = merge(
      ["gate_stage": "Gate 2", "t": 1], ["gate_stage": "Gate 1", "t": 1], ["gate_stage": "Gate 2", "t": 2],
      ["gate_stage": .forwardOnly(order: [])])
    #expect(result.merged == ["gate_stage": "Gate 1", "t": 2])
  }

  @Test func forwardOnlyWithADeclaredOrder() {
    let order: [Node] = ["SOC", "OBC", "FBC"]
    let policies: [String: MergePolicy] = ["stage": .forwardOnly(order: order)]
    #expect(merge(["stage": "SOC"], ["stage": "FBC"], ["stage": "OBC"], policies).merged == ["stage": "FBC"])
    #expect(merge(["stage": "SOC"], ["stage": "OBC"], ["stage": "Closed"], policies).conflicts.map(\.path) == ["stage"])
  }

  // MARK: always-conflict

  @Test func alwaysConflictStopsStructuralMerges() {
    let policies: [String: MergePolicy] = ["approvers": .alwaysConflict, "budget": .alwaysConflict]
    let lists = merge(["approvers": ["a"]], ["approvers": ["a", "b"]], ["approvers": ["a", "c"]], policies)
    #expect(lists.conflicts.map(\.path) == ["approvers"])
    let maps = merge(
      ["budget": ["x": 1, "y": 1]], ["budget": ["x": 2, "y": 1]], ["budget": ["x": 1, "y": 2]], policies)
    #expect(maps.conflicts.map(\.path) == ["budget"])
    // Changed on one side only, or the same on both: taken.
    #expect(merge(["budget": 1], ["budget": 2], ["budget": 1], policies).merged == ["budget": 2])
    #expect(merge(["budget": 1], ["budget": 2], ["budget": 2], policies).isClean)
  }

  @Test func policyNames() {
    for name in MergePolicy.names {
      #expect(MergePolicy(name: name)?.description == name)
    }
    #expect(MergePolicy(name: "latest") == nil)
  }
}
