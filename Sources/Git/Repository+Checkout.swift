internal import CGit2

/// Why a working tree was left alone.
public struct WorkingTreeBusy: Error, Sendable, Equatable {
  /// Paths with local changes (modified in the tree or staged), at most a few.
  public let paths: [String]
}

extension Repository {
  /// Brings the working tree and index from commit `old` to commit `new` after a branch moved,
  /// but only when the tree has no local changes against `old`: nothing staged, no tracked file
  /// modified. Otherwise throws `WorkingTreeBusy` and touches nothing. Untracked files are kept;
  /// one that would be overwritten makes libgit2's safe checkout refuse, also touching nothing.
  public func checkoutSafely(from old: ObjectID?, to new: ObjectID) throws {
    guard workingDirectory != nil else { return }
    let oldTree = try old.map { try treeID(ofCommit: $0) }
    let busy = try locallyChanged(against: oldTree)
    guard busy.isEmpty else { throw WorkingTreeBusy(paths: busy) }

    var oid = try treeID(ofCommit: new).oid
    var target: OpaquePointer?
    try check(git_object_lookup(&target, handle, &oid, GIT_OBJECT_TREE), "git_object_lookup")
    defer { git_object_free(target) }
    var baseline: OpaquePointer?
    if let oldTree {
      var baseOid = oldTree.oid
      try check(git_tree_lookup(&baseline, handle, &baseOid), "git_tree_lookup")
    }
    defer { if baseline != nil { git_tree_free(baseline) } }
    var options = git_checkout_options()
    try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
    options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
    options.baseline = baseline
    try check(git_checkout_tree(handle, target, &options), "git_checkout_tree")
  }

  /// Tracked paths whose working-tree or staged content differs from `tree` (nil: the empty tree).
  private func locallyChanged(against tree: ObjectID?) throws -> [String] {
    var index: OpaquePointer?
    try check(git_repository_index(&index, handle), "git_repository_index")
    defer { git_index_free(index) }
    var paths: [String] = []
    // Staged: the index against the tree the working tree was last brought to.
    var treeHandle: OpaquePointer?
    if let tree {
      var oid = tree.oid
      try check(git_tree_lookup(&treeHandle, handle, &oid), "git_tree_lookup")
    }
    defer { if treeHandle != nil { git_tree_free(treeHandle) } }
    var staged: OpaquePointer?
    try check(git_diff_tree_to_index(&staged, handle, treeHandle, index, nil), "git_diff_tree_to_index")
    defer { git_diff_free(staged) }
    // Modified: the working tree against the index (untracked files are not local changes).
    var modified: OpaquePointer?
    try check(git_diff_index_to_workdir(&modified, handle, index, nil), "git_diff_index_to_workdir")
    defer { git_diff_free(modified) }
    for diff in [staged, modified] {
      let count = git_diff_num_deltas(diff)
      for i in 0..<min(count, 5) {
        if let delta = git_diff_get_delta(diff, i), let path = delta.pointee.new_file.path {
          paths.append(String(cString: path))
        }
      }
    }
    return paths
  }
}
