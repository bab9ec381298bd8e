import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The files one operation will change, collected before its single commit is written.
struct PendingChange {
  let repository: Repository
  /// Where a record written here is kept parsed (the project handle's).
  let records: ParsedRecords
  private(set) var changes: [String: TreeChange] = [:]
  /// A tree to apply the changes to instead of the head's (a merge result).
  var baseTree: ObjectID?
  /// Parents after the head (the other side of a merge).
  var extraParents: [ObjectID] = []
  /// Trailers to add to the commit's message (a request id).
  var trailers: [(String, String)] = []

  init(repository: Repository, records: ParsedRecords) {
    self.repository = repository
    self.records = records
  }

  mutating func put(_ path: String, data: Data) throws {
    changes[path] = .blob(try repository.createBlob(data))
  }

  mutating func put(_ path: String, text: String) throws {
    try put(path, data: Data(text.utf8))
  }

  /// Writes `node` in canonical form, so that the next line diff stays small.
  ///
  /// The parsed form of the new blob is `node` itself (emitting and parsing round-trip: see
  /// YAMLTests/RoundTripTests), so it is handed to the project's parsed records and the next
  /// write that reads this record skips parsing it: about a seventh of a revise. Only for a
  /// document that `YAML.parse` would accept as it is, so that a record is never readable here
  /// that a fresh process could not read.
  mutating func put(_ path: String, yaml node: Node) throws {
    let text = YAML.emit(node)
    // The last guard of "never store what the readers refuse": a record past the reader's size
    // limit would answer exit 4 forever. Writers bound their records well before this.
    guard text.utf8.count <= Limits.default.maxDocumentBytes else {
      throw CasebookError.badInput(
        "\(path) would take \(text.utf8.count) bytes, more than the \(Limits.default.maxDocumentBytes >> 20) MiB Casebook reads back; nothing was stored"
      )
    }
    let id = try repository.createBlob(Data(text.utf8))
    changes[path] = .blob(id)
    if text.utf8.count <= Self.seededBytes, node.depth <= Limits.default.maxDepth {
      records.seed(id, node)
    }
  }

  /// The largest record whose parsed form is kept at write time. Far above any record the
  /// store writes often, and small enough that the node-count limit cannot be reached.
  static let seededBytes = 64 << 10

  mutating func put(_ path: String, blob: ObjectID) {
    changes[path] = .blob(blob)
  }

  /// Takes a whole set of changes (a merge's), later puts and removes overriding them.
  mutating func apply(_ more: [String: TreeChange]) {
    changes.merge(more) { _, new in new }
  }

  mutating func remove(_ path: String) {
    changes[path] = .remove
  }
}
