import Foundation
import Git
import YAML

/// The files one operation will change, collected before its single commit is written.
struct PendingChange {
  let repository: Repository
  private(set) var changes: [String: TreeChange] = [:]
  /// A tree to apply the changes to instead of the head's (a merge result).
  var baseTree: ObjectID?
  /// Parents after the head (the other side of a merge).
  var extraParents: [ObjectID] = []

  init(repository: Repository) { self.repository = repository }

  mutating func put(_ path: String, data: Data) throws {
    changes[path] = .blob(try repository.createBlob(data))
  }

  mutating func put(_ path: String, text: String) throws {
    try put(path, data: Data(text.utf8))
  }

  /// Writes `node` in canonical form, so that the next line diff stays small.
  mutating func put(_ path: String, yaml node: Node) throws {
    try put(path, text: YAML.emit(node))
  }

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
