internal import CGit2

extension Repository {
  /// Writes a commit object and returns its id. Updates no reference: move a branch with
  /// `updateReference(_:to:expected:message:)`. The message is stored as given (not prettified).
  /// With `sign`, the commit carries the signature it returns for the unsigned commit's bytes in
  /// a `gpgsig` header, where git puts it (`git verify-commit` checks it).
  public func createCommit(
    tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String,
    sign: ((_ payload: [UInt8]) throws -> String)? = nil
  ) throws -> ObjectID {
    // The commit object is written as git formats it, from ids alone, so that the tree just
    // built and the parents need not be read back (libgit2's git_commit_create looks them up).
    try requireObject(tree, function: "createCommit")
    var text = "tree \(tree.hex)\n"
    for parent in parents {
      try requireObject(parent, function: "createCommit")
      text += "parent \(parent.hex)\n"
    }
    text += "author \(try author.header())\ncommitter \(try committer.header())\n"
    var bytes = Array(text.utf8)
    if let sign {
      let signature = try sign(bytes + [UInt8(ascii: "\n")] + Array(message.utf8))
      bytes += Array(Self.header("gpgsig", signature).utf8)
    }
    bytes.append(UInt8(ascii: "\n"))
    bytes += Array(message.utf8)
    return try bytes.withUnsafeBytes { try writeObject($0, type: GIT_OBJECT_COMMIT, function: "createCommit") }
  }

  /// A multi-line header as git writes one: the name, then the value's lines, each after the
  /// first indented by one space.
  static func header(_ name: String, _ value: String) -> String {
    let lines =
      value.hasSuffix("\n")
      ? value.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
      : value.split(separator: "\n", omittingEmptySubsequences: false)
    return name + " " + lines.joined(separator: "\n ") + "\n"
  }

  /// Reads a commit, with its trailers parsed.
  public func commit(_ id: ObjectID) throws -> Commit {
    var oid = id.oid
    var object: OpaquePointer?
    try check(git_commit_lookup(&object, handle, &oid), "git_commit_lookup")
    defer { git_commit_free(object) }
    return try commit(from: object!)
  }

  /// The commit's parents' ids only: no message, signature or trailers are copied, for walks
  /// that follow the graph (about a tenth of the cost of `commit(_:)` per step).
  public func parents(of id: ObjectID) throws -> [ObjectID] {
    var oid = id.oid
    var object: OpaquePointer?
    try check(git_commit_lookup(&object, handle, &oid), "git_commit_lookup")
    defer { git_commit_free(object) }
    return (0..<git_commit_parentcount(object!)).map { ObjectID(git_commit_parent_id(object, $0).pointee) }
  }

  /// Copies a looked-up commit.
  func commit(from object: OpaquePointer) throws -> Commit {
    let count = git_commit_parentcount(object)
    var parents = [ObjectID]()
    parents.reserveCapacity(Int(count))
    for index in 0..<count {
      parents.append(ObjectID(git_commit_parent_id(object, index).pointee))
    }
    let raw = git_commit_message_raw(object)
    let message = raw.map { String(cString: $0) } ?? ""
    return Commit(
      id: ObjectID(git_commit_id(object).pointee),
      tree: ObjectID(git_commit_tree_id(object).pointee),
      parents: parents,
      author: Signature(git_commit_author(object)),
      committer: Signature(git_commit_committer(object)),
      message: message,
      trailers: try raw.map(Repository.trailers(of:)) ?? [])
  }

  /// Parses "Key: value" trailers the way git does (`git_message_trailers`).
  private static func trailers(of message: UnsafePointer<CChar>) throws -> [Trailer] {
    var array = git_message_trailer_array()
    try check(git_message_trailers(&array, message), "git_message_trailers")
    defer { git_message_trailer_array_free(&array) }
    var out = [Trailer]()
    out.reserveCapacity(array.count)
    for index in 0..<array.count {
      let trailer = array.trailers[index]
      out.append(Trailer(key: String(cString: trailer.key), value: String(cString: trailer.value)))
    }
    return out
  }
}
