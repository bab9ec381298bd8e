internal import CGit2

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension Repository {
  /// New tree = `base` (or the empty tree) with nested-path changes applied.
  ///
  /// Missing intermediate trees are created; a subtree left empty is removed. Only the trees on
  /// changed paths are rewritten, each from its old entries (already in git's order) with the
  /// changes merged in, so the cost is O(depth × entries of those trees), not O(whole tree). A
  /// path may not be both a file and a folder in one call. Paths are validated: no "", ".", "..",
  /// ".git", leading, trailing or double "/", or NUL; otherwise throws GitError(code -1, function
  /// "buildTree").
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
    var entries = TreeEntries()
    if let base {
      let tree = try lookupTree(base)
      defer { git_tree_free(tree) }
      entries.load(tree)
    }

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
      switch change {
      case .blob(let id):
        try requireObject(id, function: "buildTree")
        entries.set(name, mode: GIT_FILEMODE_BLOB.rawValue, id: id.oid)
      case .executable(let id):
        try requireObject(id, function: "buildTree")
        entries.set(name, mode: GIT_FILEMODE_BLOB_EXECUTABLE.rawValue, id: id.oid)
      case .remove:
        entries.remove(name)
      }
    }

    for (name, subEdits) in nested {
      let current = entries.subtree(name)
      // A file where a folder is wanted is simply replaced by the folder.
      if let subtree = try apply(subEdits, depth: depth + 1, to: current) {
        entries.set(name, mode: GIT_FILEMODE_TREE.rawValue, id: subtree.oid)
      } else {
        entries.remove(name)
      }
    }

    if entries.isEmpty { return nil }
    let bytes = entries.serialized()
    return try bytes.withUnsafeBytes { try writeObject($0, type: GIT_OBJECT_TREE, function: "buildTree (tree)") }
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

/// The entries of one tree being rewritten, kept in git's order: by name bytes, a tree's name
/// compared as if it ended in "/". A tree read from the object database is already in that
/// order, so a change that keeps an entry's kind replaces it in place, and only a new name (or a
/// file that becomes a folder) is placed by search. Names are valid path components here
/// (`RepositoryPath.components` refused "", ".", "..", ".git", "/" and NUL).
private struct TreeEntries {
  struct Entry {
    /// Where the name lies in `names`.
    var start: Int
    var length: Int
    var mode: UInt32
    var id: git_oid

    var isTree: Bool { mode == GIT_FILEMODE_TREE.rawValue }
  }

  /// Every name, back to back (a replaced or removed entry's bytes simply stay unused).
  private var names: [UInt8] = []
  private(set) var items: [Entry] = []

  var isEmpty: Bool { items.isEmpty }

  mutating func load(_ tree: OpaquePointer) {
    let count = git_tree_entrycount(tree)
    items.reserveCapacity(count + 2)
    names.reserveCapacity(count * 24)
    for index in 0..<count {
      let entry = git_tree_entry_byindex(tree, index)!
      let name = git_tree_entry_name(entry)!
      let length = strlen(name)
      let start = names.count
      names.append(contentsOf: UnsafeRawBufferPointer(start: name, count: length))
      items.append(
        Entry(
          start: start, length: length, mode: git_tree_entry_filemode(entry).rawValue,
          id: git_tree_entry_id(entry).pointee))
    }
  }

  private func index(of name: Substring) -> Int? {
    var name = name
    return name.withUTF8 { wanted in
      names.withUnsafeBufferPointer { all in
        items.firstIndex { item in
          item.length == wanted.count && memcmp(all.baseAddress! + item.start, wanted.baseAddress!, wanted.count) == 0
        }
      }
    }
  }

  /// The id of the subtree called `name`, nil when there is none (or it is a file).
  func subtree(_ name: Substring) -> ObjectID? {
    guard let i = index(of: name), items[i].isTree else { return nil }
    return ObjectID(items[i].id)
  }

  mutating func set(_ name: Substring, mode: UInt32, id: git_oid) {
    let start = names.count
    names.append(contentsOf: name.utf8)
    let entry = Entry(start: start, length: names.count - start, mode: mode, id: id)
    if let i = index(of: name) {
      if items[i].isTree == entry.isTree {
        items[i] = entry
        return
      }
      items.remove(at: i)
    }
    let position = items.firstIndex { precedes(entry, $0) } ?? items.count
    items.insert(entry, at: position)
  }

  mutating func remove(_ name: Substring) {
    if let i = index(of: name) { items.remove(at: i) }
  }

  /// Git's tree order: name bytes, then "/" after a tree's name where one name is a prefix of
  /// the other.
  private func precedes(_ a: Entry, _ b: Entry) -> Bool {
    names.withUnsafeBufferPointer { all in
      let x = all.baseAddress! + a.start
      let y = all.baseAddress! + b.start
      let common = min(a.length, b.length)
      let c = memcmp(x, y, common)
      if c != 0 { return c < 0 }
      let nextA: UInt8 = a.length > common ? x[common] : (a.isTree ? 0x2F : 0)
      let nextB: UInt8 = b.length > common ? y[common] : (b.isTree ? 0x2F : 0)
      return nextA < nextB
    }
  }

  /// The tree object's bytes: `<octal mode> <name>\0<20-byte id>` per entry.
  func serialized() -> [UInt8] {
    var bytes = [UInt8]()
    bytes.reserveCapacity(names.count + items.count * 28)
    names.withUnsafeBufferPointer { all in
      for item in items {
        switch item.mode {
        case GIT_FILEMODE_BLOB.rawValue: bytes += "100644 ".utf8
        case GIT_FILEMODE_TREE.rawValue: bytes += "40000 ".utf8
        case GIT_FILEMODE_BLOB_EXECUTABLE.rawValue: bytes += "100755 ".utf8
        default:
          bytes += String(item.mode, radix: 8).utf8
          bytes.append(0x20)
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: all[item.start..<item.start + item.length]))
        bytes.append(0)
        withUnsafeBytes(of: item.id.id) { bytes += $0 }
      }
    }
    return bytes
  }
}
