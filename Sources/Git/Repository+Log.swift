internal import CGit2

extension Repository {
  /// Commits reachable from `from`, newest first (time order, parents never before children).
  ///
  /// With `path` (a file, or a folder prefix like "sections"), only commits that change something
  /// there are listed: the entry at `path` differs from every parent's (a merge that took it from
  /// one parent unchanged is skipped), or from the first parent's only when `firstParent` is true.
  /// `firstParent` also walks first parents only. At most `limit` commits are returned.
  public func log(from: ObjectID, path: String? = nil, firstParent: Bool = false, limit: Int? = nil)
    throws -> [Commit]
  {
    try log(fromAll: [from], path: path, firstParent: firstParent, limit: limit)
  }

  /// Commits reachable from any of `heads`, each once, newest first: one walk over the union of
  /// their histories (rather than one walk per head, which repeats the shared history).
  public func log(
    fromAll heads: [ObjectID], path: String? = nil, firstParent: Bool = false, limit: Int? = nil
  ) throws -> [Commit] {
    var walker: OpaquePointer?
    try check(git_revwalk_new(&walker, handle), "git_revwalk_new")
    defer { git_revwalk_free(walker) }
    try check(
      git_revwalk_sorting(walker, GIT_SORT_TIME.rawValue | GIT_SORT_TOPOLOGICAL.rawValue),
      "git_revwalk_sorting")
    if firstParent {
      try check(git_revwalk_simplify_first_parent(walker), "git_revwalk_simplify_first_parent")
    }
    for head in heads {
      var start = head.oid
      try check(git_revwalk_push(walker, &start), "git_revwalk_push")
    }

    var filter: String?
    if let path {
      let trimmed = path.split(separator: "/").joined(separator: "/")
      if !trimmed.isEmpty {
        _ = try RepositoryPath.components(trimmed, function: "log")
        filter = trimmed
      }
    }

    var out = [Commit]()
    while limit.map({ out.count < $0 }) ?? true {
      var oid = git_oid()
      let rc = git_revwalk_next(&oid, walker)
      if rc == GIT_ITEROVER.rawValue {
        git_error_clear()
        break
      }
      try check(rc, "git_revwalk_next")
      var object: OpaquePointer?
      try check(git_commit_lookup(&object, handle, &oid), "git_commit_lookup")
      defer { git_commit_free(object) }
      if let filter, try !changes(object!, at: filter, firstParent: firstParent) { continue }
      out.append(try commit(from: object!))
    }
    return out
  }

  /// Whether the commit's entry at `path` differs from every (or the first) parent's.
  private func changes(_ commit: OpaquePointer, at path: String, firstParent: Bool) throws -> Bool {
    let mine = try entry(at: path, ofCommit: commit)
    let parentCount =
      firstParent ? min(1, git_commit_parentcount(commit)) : git_commit_parentcount(commit)
    if parentCount == 0 { return mine != nil }
    for index in 0..<parentCount {
      var parent: OpaquePointer?
      try check(git_commit_parent(&parent, commit, index), "git_commit_parent")
      defer { git_commit_free(parent) }
      if try entry(at: path, ofCommit: parent!) == mine { return false }
    }
    return true
  }

  /// The entry at `path` in a looked-up commit's tree.
  private func entry(at path: String, ofCommit commit: OpaquePointer) throws -> TreeEntry? {
    var tree: OpaquePointer?
    try check(git_commit_tree(&tree, commit), "git_commit_tree")
    defer { git_tree_free(tree) }
    return try entry(at: path, in: tree!)
  }
}
