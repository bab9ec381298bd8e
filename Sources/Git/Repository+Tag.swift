internal import CGit2

extension Repository {
  /// Creates annotated tag "refs/tags/<name>" on `target`. Tags are immutable: if one of that
  /// name exists, throws with `isExists == true` (and `isConflict`) and leaves it unchanged.
  ///
  /// The tag object is written first and its reference then created as a create-only
  /// compare-and-swap (`updateReference(_:to:expected:message:)` with `expected: nil`), so of two
  /// processes tagging one name at once exactly one succeeds and the other is told; the loser's
  /// tag object stays unreferenced until git's garbage collection. (`git_tag_create` checks for
  /// the name before it locks the reference, so both would succeed, the second overwriting.)
  ///
  /// With `sign`, the signature it returns for the tag's bytes follows the message, as git signs
  /// a tag (`git tag -v` checks it); the message should then end with a newline.
  public func createAnnotatedTag(
    name: String, target: ObjectID, tagger: Signature, message: String,
    sign: ((_ payload: [UInt8]) throws -> String)? = nil
  ) throws -> ObjectID {
    // Written as git_tag_annotation_create formats it, so that a signature can follow.
    guard let type = try objectType(target) else {
      throw GitError(
        code: GIT_ENOTFOUND.rawValue, klass: Int32(GIT_ERROR_ODB.rawValue),
        message: "object \(target) is not in the object database", function: "createAnnotatedTag")
    }
    let text =
      "object \(target.hex)\ntype \(String(describing: type))\ntag \(name)\ntagger \(try tagger.header())\n\n\(message)"
    var bytes = Array(text.utf8)
    if let sign { bytes += Array(try sign(bytes).utf8) }
    let tag = try bytes.withUnsafeBytes { try writeObject($0, type: GIT_OBJECT_TAG, function: "createAnnotatedTag") }
    try updateReference("refs/tags/" + name, to: tag, expected: nil, message: "tag: \(name)")
    return tag
  }

  /// The annotated tag of this short name, nil if absent or a lightweight tag.
  public func annotatedTag(named name: String) throws -> AnnotatedTag? {
    var reference: OpaquePointer?
    let rc = git_reference_lookup(&reference, handle, "refs/tags/" + name)
    if rc == GIT_ENOTFOUND.rawValue {
      git_error_clear()
      return nil
    }
    try check(rc, "git_reference_lookup")
    defer { git_reference_free(reference) }
    return try annotatedTag(name: name, reference: reference!)
  }

  /// All annotated tags whose short name starts with `prefix` (e.g. "approved/"), sorted by name.
  /// Lightweight tags are skipped.
  public func annotatedTags(prefix: String) throws -> [AnnotatedTag] {
    var iterator: OpaquePointer?
    // Not a glob: a prefix may contain glob characters, and tag counts are small.
    try check(git_reference_iterator_new(&iterator, handle), "git_reference_iterator_new")
    defer { git_reference_iterator_free(iterator) }
    let fullPrefix = "refs/tags/" + prefix
    var out = [AnnotatedTag]()
    try forEachReference(iterator!) { reference in
      let name = String(cString: git_reference_name(reference))
      guard name.hasPrefix(fullPrefix) else { return }
      if let tag = try annotatedTag(
        name: String(name.dropFirst("refs/tags/".count)), reference: reference)
      {
        out.append(tag)
      }
    }
    return out.sorted { $0.name < $1.name }
  }

  /// Reads the tag object a tag reference points at; nil if it points at a non-tag (lightweight).
  private func annotatedTag(name: String, reference: OpaquePointer) throws -> AnnotatedTag? {
    guard let target = git_reference_target(reference) else { return nil }
    var size = 0
    var type = GIT_OBJECT_ANY
    try check(git_odb_read_header(&size, &type, odb, target), "git_odb_read_header")
    guard type == GIT_OBJECT_TAG else { return nil }
    var tag: OpaquePointer?
    try check(git_tag_lookup(&tag, handle, target), "git_tag_lookup")
    defer { git_tag_free(tag) }
    return AnnotatedTag(
      id: ObjectID(git_tag_id(tag).pointee),
      name: name,
      target: ObjectID(git_tag_target_id(tag).pointee),
      tagger: git_tag_tagger(tag).map { Signature($0) },
      message: Self.unsigned(git_tag_message(tag).map { String(cString: $0) } ?? ""))
  }
}
