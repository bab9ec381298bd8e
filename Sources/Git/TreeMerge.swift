internal import CGit2

/// Result of merging trees: a clean tree for everything that merged, plus the conflicts left.
///
/// Owns the in-memory `git_index` that `git_merge_trees` produced, and keeps its repository alive.
public final class TreeMerge {
  /// The owned index (stage 0 = merged entries, stages 1–3 = conflicts).
  private let index: OpaquePointer
  /// The repository the trees live in; kept alive and used to write the result.
  private let repository: Repository
  /// Every path the merge could not settle, sorted by path.
  public let conflicts: [TreeConflict]

  /// Takes ownership of `index` and reads its conflicts.
  init(owning index: OpaquePointer, in repository: Repository) throws {
    self.index = index
    self.repository = repository
    do {
      conflicts = try TreeMerge.readConflicts(index)
    } catch {
      git_index_free(index)
      throw error
    }
  }

  deinit {
    git_index_free(index)
  }

  /// Writes the merged tree, with each conflicted path set to the given blob (`.remove` = drop it).
  ///
  /// Every conflict must be given a resolution, else throws GitError (code -1, function
  /// "writeTree") naming the first unresolved path. Entries for paths that were not in conflict
  /// are applied too, as overrides of the merged result.
  public func writeTree(resolutions: [String: TreeChange]) throws -> ObjectID {
    for conflict in conflicts where resolutions[conflict.path] == nil {
      throw GitError(
        code: -1, klass: Int32(GIT_ERROR_MERGE.rawValue),
        message: "no resolution for conflicted path '\(conflict.path)'", function: "writeTree")
    }
    for (path, change) in resolutions.sorted(by: { $0.key < $1.key }) {
      _ = try RepositoryPath.components(path, function: "writeTree")
      let rc = git_index_conflict_remove(index, path)
      if rc == GIT_ENOTFOUND.rawValue {
        git_error_clear()
      } else {
        try check(rc, "git_index_conflict_remove")
      }
      switch change {
      case .blob(let id): try add(path, id, GIT_FILEMODE_BLOB)
      case .executable(let id): try add(path, id, GIT_FILEMODE_BLOB_EXECUTABLE)
      case .remove:
        let rc = git_index_remove(index, path, 0)
        if rc == GIT_ENOTFOUND.rawValue {
          git_error_clear()
        } else {
          try check(rc, "git_index_remove")
        }
      }
    }
    var out = git_oid()
    try check(git_index_write_tree_to(&out, index, repository.handle), "git_index_write_tree_to")
    return ObjectID(out)
  }

  /// Puts a stage-0 entry for `path` into the index.
  private func add(_ path: String, _ id: ObjectID, _ mode: git_filemode_t) throws {
    var entry = git_index_entry()
    entry.mode = mode.rawValue
    entry.id = id.oid
    try path.withCString { cPath in
      entry.path = cPath
      try check(git_index_add(index, &entry), "git_index_add")
    }
  }

  /// Reads stages 1–3 of every conflicted path.
  private static func readConflicts(_ index: OpaquePointer) throws -> [TreeConflict] {
    var iterator: OpaquePointer?
    try check(git_index_conflict_iterator_new(&iterator, index), "git_index_conflict_iterator_new")
    defer { git_index_conflict_iterator_free(iterator) }
    var out = [TreeConflict]()
    while true {
      var ancestor: UnsafePointer<git_index_entry>?
      var ours: UnsafePointer<git_index_entry>?
      var theirs: UnsafePointer<git_index_entry>?
      let rc = git_index_conflict_next(&ancestor, &ours, &theirs, iterator)
      if rc == GIT_ITEROVER.rawValue {
        git_error_clear()
        break
      }
      try check(rc, "git_index_conflict_next")
      guard let path = (ancestor ?? ours ?? theirs)?.pointee.path else { continue }
      out.append(
        TreeConflict(
          path: String(cString: path),
          ancestor: ancestor.map { ObjectID($0.pointee.id) },
          ours: ours.map { ObjectID($0.pointee.id) },
          theirs: theirs.map { ObjectID($0.pointee.id) }))
    }
    return out.sorted { $0.path < $1.path }
  }
}
