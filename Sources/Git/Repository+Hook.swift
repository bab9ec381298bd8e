internal import CGit2

extension Repository {
  /// Opens the repository the way a git hook must: honouring `GIT_DIR`, `GIT_OBJECT_DIRECTORY`
  /// and `GIT_ALTERNATE_OBJECT_DIRECTORIES` (`GIT_REPOSITORY_OPEN_FROM_ENV`). During pre-receive
  /// the pushed objects are only in git's quarantine folder, which those variables name.
  /// `path` nil: `GIT_DIR`, else the repository around the current folder.
  public static func openFromEnvironment(at path: String? = nil) throws -> Repository {
    Library.ensureInitialized()
    var out: OpaquePointer?
    try check(
      git_repository_open_ext(&out, path, GIT_REPOSITORY_OPEN_FROM_ENV.rawValue, nil), "git_repository_open_ext")
    return try Repository(owning: out!)
  }

  /// Whether `commit` is `ancestor` or has it in its history (`git_graph_descendant_of`, which
  /// alone answers false for the same commit).
  public func isDescendant(_ commit: ObjectID, of ancestor: ObjectID) throws -> Bool {
    if commit == ancestor { return true }
    var one = commit.oid
    var two = ancestor.oid
    let rc = git_graph_descendant_of(handle, &one, &two)
    try check(rc, "git_graph_descendant_of")
    return rc == 1
  }

  /// The type of the object `id`, read from its header; nil for a type outside commit, tree,
  /// blob and tag. A missing object throws with `isNotFound`.
  public func objectType(_ id: ObjectID) throws -> GitLibrary.ObjectType? {
    var oid = id.oid
    var size = 0
    var type = GIT_OBJECT_ANY
    try check(git_odb_read_header(&size, &type, odb, &oid), "git_odb_read_header")
    switch type {
    case GIT_OBJECT_COMMIT: return .commit
    case GIT_OBJECT_TREE: return .tree
    case GIT_OBJECT_BLOB: return .blob
    case GIT_OBJECT_TAG: return .tag
    default: return nil
    }
  }

  /// The annotated tag object `id` (its `name` is the one written in the object); nil when `id`
  /// is not a tag object.
  public func annotatedTag(id: ObjectID) throws -> AnnotatedTag? {
    guard try objectType(id) == .tag else { return nil }
    var oid = id.oid
    var tag: OpaquePointer?
    try check(git_tag_lookup(&tag, handle, &oid), "git_tag_lookup")
    defer { git_tag_free(tag) }
    return AnnotatedTag(
      id: id,
      name: String(cString: git_tag_name(tag)),
      target: ObjectID(git_tag_target_id(tag).pointee),
      tagger: git_tag_tagger(tag).map { Signature($0) },
      message: Self.unsigned(git_tag_message(tag).map { String(cString: $0) } ?? ""))
  }

  /// Commits reachable from `tips` but from no reference of the repository (`git rev-list TIPS
  /// --not --all`), in no particular order: in a pre-receive hook, the commits a push adds.
  /// Tips that are not commit-ish (a tag of a blob) are skipped. At most `limit` are returned;
  /// `more` says the walk stopped there.
  public func newCommits(from tips: [ObjectID], limit: Int) throws -> (commits: [ObjectID], more: Bool) {
    var walker: OpaquePointer?
    try check(git_revwalk_new(&walker, handle), "git_revwalk_new")
    defer { git_revwalk_free(walker) }
    var pushed = false
    for tip in tips {
      guard let commit = try peeledCommit(tip) else { continue }
      var oid = commit.oid
      try check(git_revwalk_push(walker, &oid), "git_revwalk_push")
      pushed = true
    }
    guard pushed else { return ([], false) }
    // Every reference, however deep; references to non-commits are ignored by the glob walk.
    try check(git_revwalk_hide_glob(walker, "refs/*"), "git_revwalk_hide_glob")
    return try drain(walker!, limit: limit)
  }

  /// Every commit reachable from any reference (`git rev-list --all`), in no particular order; at
  /// most `limit`, with `more` saying the walk stopped there.
  public func reachableCommits(limit: Int) throws -> (commits: [ObjectID], more: Bool) {
    var walker: OpaquePointer?
    try check(git_revwalk_new(&walker, handle), "git_revwalk_new")
    defer { git_revwalk_free(walker) }
    try check(git_revwalk_push_glob(walker, "refs/*"), "git_revwalk_push_glob")
    return try drain(walker!, limit: limit)
  }

  /// The walk's commits, at most `limit`, and whether it stopped there.
  private func drain(_ walker: OpaquePointer, limit: Int) throws -> (commits: [ObjectID], more: Bool) {
    var out = [ObjectID]()
    while true {
      var oid = git_oid()
      let rc = git_revwalk_next(&oid, walker)
      if rc == GIT_ITEROVER.rawValue {
        git_error_clear()
        return (out, false)
      }
      try check(rc, "git_revwalk_next")
      if out.count == limit { return (out, true) }
      out.append(ObjectID(oid))
    }
  }

  /// The commit `id` is or peels to (through annotated tags); nil when it peels to no commit.
  private func peeledCommit(_ id: ObjectID) throws -> ObjectID? {
    var oid = id.oid
    var object: OpaquePointer?
    try check(git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY), "git_object_lookup")
    defer { git_object_free(object) }
    var commit: OpaquePointer?
    let rc = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
    if rc < 0 {
      git_error_clear()
      return nil
    }
    defer { git_object_free(commit) }
    return ObjectID(git_object_id(commit).pointee)
  }
}
