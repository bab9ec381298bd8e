internal import CGit2

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Repository {
  /// The root tree of a commit.
  public func treeID(ofCommit id: ObjectID) throws -> ObjectID {
    var oid = id.oid
    var commit: OpaquePointer?
    try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
    defer { git_commit_free(commit) }
    return ObjectID(git_commit_tree_id(commit).pointee)
  }

  /// The entry at a nested path such as "a/b/c.yaml", or nil if absent.
  public func entry(at path: String, inTree tree: ObjectID) throws -> TreeEntry? {
    _ = try RepositoryPath.components(path, function: "entry(at:inTree:)")
    let root = try lookupTree(tree)
    defer { git_tree_free(root) }
    return try entry(at: path, in: root)
  }

  /// The entries of a tree, in git's order.
  public func entries(ofTree tree: ObjectID) throws -> [TreeEntry] {
    let root = try lookupTree(tree)
    defer { git_tree_free(root) }
    return entries(of: root)
  }

  /// The entries of the subtree at `path` ("" = the root), or [] if there is no tree there.
  public func entries(at path: String, inTree tree: ObjectID) throws -> [TreeEntry] {
    if path.isEmpty { return try entries(ofTree: tree) }
    guard let found = try entry(at: path, inTree: tree), found.kind == .tree else { return [] }
    return try entries(ofTree: found.id)
  }

  /// The content of the file at `path` in a commit, or nil if there is no file there.
  public func blob(at path: String, inCommit commit: ObjectID) throws -> Data? {
    let tree = try treeID(ofCommit: commit)
    guard let found = try entry(at: path, inTree: tree),
      found.kind == .blob || found.kind == .executable || found.kind == .link
    else { return nil }
    return try blob(found.id)
  }

  // MARK: - Internal helpers

  /// Looks up a tree; the caller frees it.
  func lookupTree(_ id: ObjectID) throws -> OpaquePointer {
    var oid = id.oid
    var tree: OpaquePointer?
    try check(git_tree_lookup(&tree, handle, &oid), "git_tree_lookup")
    return tree!
  }

  /// The entry at `path` under an already looked-up tree, nil if absent.
  func entry(at path: String, in tree: OpaquePointer) throws -> TreeEntry? {
    var found: OpaquePointer?
    let rc = git_tree_entry_bypath(&found, tree, path)
    if rc == GIT_ENOTFOUND.rawValue {
      git_error_clear()
      return nil
    }
    try check(rc, "git_tree_entry_bypath")
    defer { git_tree_entry_free(found) }
    return TreeEntry(found!)
  }

  /// The id at `path` under an already looked-up tree (blob or tree), nil if absent; used by `log`.
  func entryID(at path: String, in tree: OpaquePointer) throws -> ObjectID? {
    try entry(at: path, in: tree)?.id
  }

  /// All entries of a looked-up tree.
  func entries(of tree: OpaquePointer) -> [TreeEntry] {
    let count = git_tree_entrycount(tree)
    var out = [TreeEntry]()
    out.reserveCapacity(count)
    for index in 0..<count {
      out.append(TreeEntry(git_tree_entry_byindex(tree, index)))
    }
    return out
  }
}

extension TreeEntry {
  /// Copies a libgit2 tree entry.
  init(_ entry: OpaquePointer) {
    self.init(
      name: String(cString: git_tree_entry_name(entry)),
      id: ObjectID(git_tree_entry_id(entry).pointee),
      kind: EntryKind(git_tree_entry_filemode(entry)))
  }
}

extension EntryKind {
  /// Maps a git file mode; unknown modes (only in corrupt trees) read as blobs.
  init(_ mode: git_filemode_t) {
    switch mode {
    case GIT_FILEMODE_TREE: self = .tree
    case GIT_FILEMODE_BLOB_EXECUTABLE: self = .executable
    case GIT_FILEMODE_LINK: self = .link
    case GIT_FILEMODE_COMMIT: self = .commit
    default: self = .blob
    }
  }
}
