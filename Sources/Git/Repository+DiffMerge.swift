#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Repository {
  /// A 3-way tree merge driven by what "theirs" changed: it walks the three trees together,
  /// descending only into folders whose id differs between the ancestor and theirs, so its cost
  /// follows the size of theirs' change, not the size of the trees. `git_merge_trees` (see
  /// `mergeTrees`) builds an index of every file instead, which grows with the project.
  ///
  /// Same semantics as `mergeTrees`: a path changed on theirs only is taken, one changed the same
  /// way on both is kept, and one changed differently on both (modify/modify, add/add,
  /// modify/delete) is a `TreeConflict`, with no content merge attempted. Renames are not
  /// detected. Symbolic links and submodules changed by theirs are reported as conflicts, since
  /// `TreeChange` cannot carry them. `ancestor` nil = empty tree.
  public func diffMerge(ancestor: ObjectID?, ours: ObjectID, theirs: ObjectID) throws -> TreeDiffMerge {
    var walk = DiffMergeWalk(repository: self)
    try walk.merge(
      base: ancestor.map { .init(id: $0, kind: .tree) }, ours: .init(id: ours, kind: .tree),
      theirs: .init(id: theirs, kind: .tree), path: "")
    return TreeDiffMerge(
      changes: walk.changes, conflicts: walk.conflicts.sorted { $0.path < $1.path },
      theirChanges: walk.theirChanges.sorted { $0.path < $1.path })
  }
}

/// The state of one `diffMerge` walk.
private struct DiffMergeWalk {
  /// An entry as the walk compares it: the same id and kind means the same content.
  struct Side: Equatable {
    let id: ObjectID
    let kind: EntryKind
    var isTree: Bool { kind == .tree }
    var isFile: Bool { kind == .blob || kind == .executable }
  }

  let repository: Repository
  var changes: [String: TreeChange] = [:]
  var conflicts: [TreeConflict] = []
  var theirChanges: [PathChange] = []

  init(repository: Repository) { self.repository = repository }

  mutating func merge(base: Side?, ours: Side?, theirs: Side?, path: String) throws {
    // Theirs did not touch this path, or ours already holds theirs' version: ours is the answer.
    if theirs == base || ours == theirs { return }
    let sides = [base, ours, theirs].compactMap { $0 }
    if sides.allSatisfy(\.isTree) {
      try mergeFolders(base: base, ours: ours, theirs: theirs, path: path)
      return
    }
    if sides.allSatisfy(\.isFile) {
      theirChanges.append(PathChange(path: path, old: base?.id, new: theirs?.id))
      if ours == base {
        changes[path] = theirs.map { $0.kind == .executable ? .executable($0.id) : .blob($0.id) } ?? .remove
      } else {
        conflicts.append(TreeConflict(path: path, ancestor: base?.id, ours: ours?.id, theirs: theirs?.id))
      }
      return
    }
    // A file on one side and a folder on another, or a link or submodule: a person decides.
    func file(_ side: Side?) -> ObjectID? { side.flatMap { $0.isFile ? $0.id : nil } }
    theirChanges.append(PathChange(path: path, old: file(base), new: file(theirs)))
    conflicts.append(TreeConflict(path: path, ancestor: file(base), ours: file(ours), theirs: file(theirs)))
  }

  /// Merges three folders (any may be absent) name by name; names theirs left as the ancestor
  /// had them are skipped without being read.
  private mutating func mergeFolders(base: Side?, ours: Side?, theirs: Side?, path: String) throws {
    let baseEntries = try entries(base)
    let ourEntries = ours == base ? baseEntries : try entries(ours)
    let theirEntries = try entries(theirs)
    var names = Set(baseEntries.keys)
    names.formUnion(theirEntries.keys)
    for name in names.sorted() {
      let b = baseEntries[name]
      let t = theirEntries[name]
      if b == t { continue }
      try merge(base: b, ours: ourEntries[name], theirs: t, path: path.isEmpty ? name : path + "/" + name)
    }
  }

  private func entries(_ side: Side?) throws -> [String: Side] {
    guard let side else { return [:] }
    var out: [String: Side] = [:]
    for entry in try repository.entries(ofTree: side.id) { out[entry.name] = Side(id: entry.id, kind: entry.kind) }
    return out
  }
}
