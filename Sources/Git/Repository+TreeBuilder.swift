internal import CGit2
import Foundation

extension Repository {
  /// New tree = `base` (or the empty tree) with nested-path changes applied.
  ///
  /// Missing intermediate trees are created; a subtree left empty is removed. Only the trees on
  /// changed paths are rewritten, one `git_treebuilder` per level, so the cost is
  /// O(depth × entries of those trees), not O(whole tree). A path may not be both a file and a
  /// folder in one call. Paths are validated: no "", ".", "..", ".git", leading, trailing or double
  /// "/", or NUL; otherwise throws GitError(code -1, function "buildTree").
  public func buildTree(base: ObjectID?, changes: [String: TreeChange]) throws -> ObjectID {
    var edits = [Edit]()
    edits.reserveCapacity(changes.count)
    for (path, change) in changes {
      edits.append(
        Edit(components: try RepositoryPath.components(path, function: "buildTree"), change: change)
      )
    }
    if let tree = try apply(edits, depth: 0, to: base) { return tree }
    return try writeEmptyTree()
  }

  /// One path's change, split into components.
  private struct Edit {
    let components: [Substring]
    let change: TreeChange
  }

  /// Applies the edits whose components at `depth` and below lie in tree `base`; returns the new
  /// tree, or nil if it ended up empty.
  private func apply(_ edits: [Edit], depth: Int, to base: ObjectID?) throws -> ObjectID? {
    var baseTree: OpaquePointer?
    if let base { baseTree = try lookupTree(base) }
    defer { git_tree_free(baseTree) }
    var builder: OpaquePointer?
    try check(git_treebuilder_new(&builder, handle, baseTree), "git_treebuilder_new")
    defer { git_treebuilder_free(builder) }

    // Group by the name at this level, so each subtree is rebuilt once.
    var leaves = [Substring: TreeChange]()
    var nested = [Substring: [Edit]]()
    for edit in edits {
      let name = edit.components[depth]
      if edit.components.count == depth + 1 {
        leaves[name] = edit.change
      } else {
        nested[name, default: []].append(edit)
      }
    }

    for (name, change) in leaves {
      if nested[name] != nil {
        throw GitError(
          code: -1, klass: Int32(GIT_ERROR_INVALID.rawValue),
          message: "path '\(name)' is changed both as a file and as a folder", function: "buildTree"
        )
      }
      let key = String(name)
      switch change {
      case .blob(let id):
        try requireObject(id, function: "buildTree")
        try insert(key, id, GIT_FILEMODE_BLOB, into: builder!)
      case .executable(let id):
        try requireObject(id, function: "buildTree")
        try insert(key, id, GIT_FILEMODE_BLOB_EXECUTABLE, into: builder!)
      case .remove:
        try remove(key, from: builder!)
      }
    }

    for (name, subEdits) in nested {
      let key = String(name)
      var current: ObjectID?
      if let existing = git_treebuilder_get(builder, key),
        git_tree_entry_filemode(existing) == GIT_FILEMODE_TREE
      {
        current = ObjectID(git_tree_entry_id(existing).pointee)
      }
      // A file where a folder is wanted is simply replaced by the folder.
      if let subtree = try apply(subEdits, depth: depth + 1, to: current) {
        try insert(key, subtree, GIT_FILEMODE_TREE, into: builder!)
      } else {
        try remove(key, from: builder!)
      }
    }

    if git_treebuilder_entrycount(builder) == 0 { return nil }
    return try write(builder!)
  }

  /// Serializes the builder's entries as git does and writes the tree through `writeObject`,
  /// which skips `git_odb_write`'s pack rescan. The builder has validated every name and mode.
  ///
  /// Git sorts entries by name bytes, a tree's name compared as if it ended in "/": each entry's
  /// sort key is its name plus that "/", kept in one flat buffer and compared with `memcmp`.
  private func write(_ builder: OpaquePointer) throws -> ObjectID {
    final class Entries {
      var keys: [UInt8] = []
      var items: [(start: Int, length: Int, isTree: Bool, mode: UInt32, id: git_oid)] = []
    }
    let entries = Entries()
    entries.items.reserveCapacity(Int(git_treebuilder_entrycount(builder)))
    // git_treebuilder_filter visits every entry; returning 0 keeps each one.
    let rc = withExtendedLifetime(entries) {
      git_treebuilder_filter(
        builder,
        { entry, payload in
          let entries = Unmanaged<Entries>.fromOpaque(payload!).takeUnretainedValue()
          let name = git_tree_entry_name(entry)!
          let length = strlen(name)
          let mode = git_tree_entry_filemode(entry)
          let start = entries.keys.count
          entries.keys.append(contentsOf: UnsafeRawBufferPointer(start: name, count: length))
          let isTree = mode == GIT_FILEMODE_TREE
          if isTree { entries.keys.append(0x2F) }
          entries.items.append((start, length, isTree, mode.rawValue, git_tree_entry_id(entry).pointee))
          return 0
        }, Unmanaged.passUnretained(entries).toOpaque())
    }
    try check(rc, "git_treebuilder_filter")
    var bytes = [UInt8]()
    entries.keys.withUnsafeBufferPointer { keys in
      let base = keys.baseAddress!
      let items = entries.items
      func key(_ i: Int) -> (UnsafePointer<UInt8>, Int) {
        (base + items[i].start, items[i].length + (items[i].isTree ? 1 : 0))
      }
      var order = Array(items.indices)
      order.sort { a, b in
        let (pa, la) = key(a)
        let (pb, lb) = key(b)
        let c = memcmp(pa, pb, min(la, lb))
        return c != 0 ? c < 0 : la < lb
      }
      bytes.reserveCapacity(keys.count + items.count * 28)
      for i in order {
        let item = items[i]
        bytes += String(item.mode, radix: 8).utf8
        bytes.append(0x20)
        bytes.append(contentsOf: UnsafeBufferPointer(start: base + item.start, count: item.length))
        bytes.append(0)
        withUnsafeBytes(of: item.id.id) { bytes += $0 }
      }
    }
    return try bytes.withUnsafeBytes { try writeObject($0, type: GIT_OBJECT_TREE, function: "git_odb_backend.write (tree)") }
  }

  private func insert(
    _ name: String, _ id: ObjectID, _ mode: git_filemode_t, into builder: OpaquePointer
  ) throws {
    var oid = id.oid
    try check(git_treebuilder_insert(nil, builder, name, &oid, mode), "git_treebuilder_insert")
  }

  /// Removes an entry; an absent one is fine (removing is idempotent).
  private func remove(_ name: String, from builder: OpaquePointer) throws {
    guard git_treebuilder_get(builder, name) != nil else { return }
    try check(git_treebuilder_remove(builder, name), "git_treebuilder_remove")
  }

  /// Writes the empty tree so that `Repository.emptyTree` exists in the object database.
  func writeEmptyTree() throws -> ObjectID {
    var builder: OpaquePointer?
    try check(git_treebuilder_new(&builder, handle, nil), "git_treebuilder_new")
    defer { git_treebuilder_free(builder) }
    var out = git_oid()
    try check(git_treebuilder_write(&out, builder), "git_treebuilder_write")
    return ObjectID(out)
  }
}
