internal import CGit2

extension Repository {
  /// The commit (or other object) a reference points at, following symbolic references such as
  /// HEAD; nil if the reference is absent or HEAD's branch is unborn.
  public func referenceTarget(_ name: String) throws -> ObjectID? {
    if let id = looseReferenceTarget(name) { return id }
    var out = git_oid()
    let rc = git_reference_name_to_id(&out, handle, name)
    if rc == GIT_ENOTFOUND.rawValue {
      git_error_clear()
      return nil
    }
    try check(rc, "git_reference_name_to_id")
    return ObjectID(out)
  }

  /// The name and email that reference updates record in reflogs (where the repository keeps
  /// them), instead of `user.name`/`user.email` from git's configuration. Setting it also spares
  /// libgit2 re-reading three configuration files on every reference update.
  public func setReflogIdentity(name: String, email: String) throws {
    try check(git_repository_set_ident(handle, name, email), "git_repository_set_ident")
    reflogIdentity = (name, email)
  }

  /// Points reference `name` at `id`, as a compare-and-swap.
  ///
  /// `expected == nil`: the reference must not exist yet (create). Otherwise it must currently
  /// point at `expected`. A lost race throws a GitError with `isConflict == true`: an existing
  /// reference on create is `GIT_EEXISTS` (so `isExists` is true as well), a moved or deleted one
  /// on update is `GIT_EMODIFIED`, a reference locked by another writer is `GIT_ELOCKED`.
  ///
  /// A create is checked under the reference's lock, so of two processes creating one name at
  /// once exactly one succeeds. (`git_reference_create` without `force` looks for an existing
  /// reference before it takes the lock, so both would succeed and the second would overwrite
  /// the first; a zero expected value makes libgit2 compare again under the lock.)
  public func updateReference(_ name: String, to id: ObjectID, expected: ObjectID?, message: String)
    throws
  {
    if let expected, try updateLooseReference(name, to: id, expected: expected, message: message) { return }
    var oid = id.oid
    var reference: OpaquePointer?
    var current = expected?.oid ?? git_oid()
    // force 1 for an update (the compare is `current`); 0 for a create, so an existing name is
    // refused early, and the zero `current` refuses it again under the lock.
    let rc = git_reference_create_matching(&reference, handle, name, &oid, expected == nil ? 0 : 1, &current, message)
    switch rc {
    case GIT_ENOTFOUND.rawValue where expected != nil:
      // Deleted since the caller read it: also a lost race.
      git_error_clear()
      throw GitError(
        code: GIT_EMODIFIED.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
        message: "reference '\(name)' no longer exists", function: "git_reference_create_matching")
    case GIT_EEXISTS.rawValue where expected == nil, GIT_EMODIFIED.rawValue where expected == nil:
      // Found before the lock (GIT_EEXISTS) or under it (GIT_EMODIFIED): either way it exists.
      git_error_clear()
      throw GitError(
        code: GIT_EEXISTS.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
        message: "reference '\(name)' already exists", function: "git_reference_create_matching")
    default:
      try check(rc, "git_reference_create_matching")
    }
    git_reference_free(reference)
  }

  /// Deletes reference `name` if, and only if, it still points at `expected`; otherwise throws
  /// with `isConflict == true` (or `isNotFound` if it is already gone).
  public func deleteReference(_ name: String, expected: ObjectID) throws {
    var reference: OpaquePointer?
    try check(git_reference_lookup(&reference, handle, name), "git_reference_lookup")
    defer { git_reference_free(reference) }
    guard let target = ObjectID(git_reference_target(reference)), target == expected else {
      throw GitError(
        code: GIT_EMODIFIED.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
        message: "reference '\(name)' does not point at \(expected)", function: "deleteReference")
    }
    // git_reference_delete itself checks the value read above is still current (CAS in refdb).
    try check(git_reference_delete(reference), "git_reference_delete")
  }

  /// References matching a glob such as "refs/heads/sessions/*", sorted by name, with their raw
  /// targets (annotated tags are not peeled). Symbolic references are skipped.
  public func references(glob: String) throws -> [(name: String, target: ObjectID)] {
    var iterator: OpaquePointer?
    try check(
      git_reference_iterator_glob_new(&iterator, handle, glob), "git_reference_iterator_glob_new")
    defer { git_reference_iterator_free(iterator) }
    var out = [(name: String, target: ObjectID)]()
    try forEachReference(iterator!) { reference in
      if let target = ObjectID(git_reference_target(reference)) {
        out.append((String(cString: git_reference_name(reference)), target))
      }
    }
    return out.sorted { $0.name < $1.name }
  }

  /// Resolves a revision ("main", "refs/heads/x", a short or full id, "main~1", a tag name) to a
  /// commit, peeling tags. Unknown revisions throw with `isNotFound == true`.
  public func resolve(_ revision: String) throws -> ObjectID {
    var object: OpaquePointer?
    try check(git_revparse_single(&object, handle, revision), "git_revparse_single")
    defer { git_object_free(object) }
    var commit: OpaquePointer?
    try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "git_object_peel")
    defer { git_object_free(commit) }
    return ObjectID(git_object_id(commit).pointee)
  }

  /// The branch HEAD points at, e.g. "refs/heads/main" (even if unborn); nil if HEAD is detached.
  public func headBranch() throws -> String? {
    var head: OpaquePointer?
    try check(git_reference_lookup(&head, handle, "HEAD"), "git_reference_lookup")
    defer { git_reference_free(head) }
    guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC,
      let target = git_reference_symbolic_target(head)
    else { return nil }
    return String(cString: target)
  }

  /// Calls `body` with each reference of an iterator (borrowed: freed after `body` returns).
  func forEachReference(_ iterator: OpaquePointer, _ body: (OpaquePointer) throws -> Void) throws {
    while true {
      var reference: OpaquePointer?
      let rc = git_reference_next(&reference, iterator)
      if rc == GIT_ITEROVER.rawValue {
        git_error_clear()
        return
      }
      try check(rc, "git_reference_next")
      defer { git_reference_free(reference) }
      try body(reference!)
    }
  }
}
