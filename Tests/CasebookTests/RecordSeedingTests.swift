import Foundation
import Git
import TestSupport
import Testing
import YAML

@testable import Casebook

/// A record written through `PendingChange.put(_:yaml:)` is kept parsed (so the next write that
/// reads it skips the parse) exactly when parsing it back would give the same node.
@Suite struct RecordSeedingTests {
  @Test func aWrittenRecordIsKeptParsedAndEqualsItsParse() throws {
    let dir = try TemporaryDirectory()
    let repository = try Repository.create(at: dir.appending("store.git"), bare: true)
    let records = ParsedRecords()
    let node: Node = [
      "section_id": "rationale", "revision": 7, "sources": [["input": "abc", "locator": "L1-2"]],
      "prose": "line one\nline two\n", "ratio": 0.25, "done": false, "none": .null,
    ]
    var change = PendingChange(repository: repository, records: records)
    try change.put("sections/rationale.yaml", yaml: node)
    guard case .blob(let id)? = change.changes["sections/rationale.yaml"] else {
      Issue.record("no blob was put")
      return
    }
    let kept = records.node(id) { .string("parsed again: not seeded") }
    #expect(kept == node)
    #expect(try YAML.parse(repository.blob(id)) == node)
  }

  @Test func aRecordTooLargeOrTooDeepIsParsedFromItsBytes() throws {
    let dir = try TemporaryDirectory()
    let repository = try Repository.create(at: dir.appending("store.git"), bare: true)
    let records = ParsedRecords()
    var deep: Node = "leaf"
    for _ in 0...Limits.default.maxDepth { deep = [deep] }  // one level past the limit
    let large: Node = ["text": .string(String(repeating: "x", count: PendingChange.seededBytes))]
    for (path, node) in [("deep.yaml", deep), ("large.yaml", large)] {
      var change = PendingChange(repository: repository, records: records)
      try change.put(path, yaml: node)
      guard case .blob(let id)? = change.changes[path] else {
        Issue.record("no blob was put for \(path)")
        continue
      }
      var parsed = false
      _ = records.node(id) {
        parsed = true
        return .null
      }
      #expect(parsed, "\(path) was kept at write time")
    }
  }
}
