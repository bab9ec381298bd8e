internal import CGit2

/// One object that failed `Repository.verifyReachableObjects()`.
public struct ObjectProblem: Sendable, Equatable, CustomStringConvertible {
  /// What went wrong with an object.
  public enum Kind: String, Sendable {
    /// A reference, commit, tree or tag names an object the database does not have.
    case missing
    /// The object is there but cannot be read (bad compression, truncated file).
    case unreadable
    /// The object reads, but its content does not hash to its name.
    case hashMismatch = "hash-mismatch"
  }

  /// The object's name.
  public let id: ObjectID
  /// What is wrong with it.
  public let kind: Kind
  /// Who names it (a reference or the object that points at it) and libgit2's message.
  public let detail: String

  /// "<kind> <id>: <detail>".
  public var description: String { "\(kind.rawValue) \(id): \(detail)" }
}

extension Repository {
  /// Reads every object reachable from any reference (commits, trees, blobs, annotated tags),
  /// hashes its content again and compares the result with its name. Returns how many objects
  /// were checked and every problem found; an empty list means the reachable history is whole.
  ///
  /// This is the check a crash could make necessary: libgit2 writes objects to a temporary file
  /// and renames it, so a torn object should never be visible, but disks and copies do fail.
  public func verifyReachableObjects() throws -> (checked: Int, problems: [ObjectProblem]) {
    var pending: [(id: ObjectID, from: String)] = try references(glob: "refs/*").map { ($0.target, $0.name) }
    var seen = Set<ObjectID>()
    var problems: [ObjectProblem] = []
    while let (id, from) = pending.popLast() {
      guard seen.insert(id).inserted else { continue }
      guard let type = try verifyObject(id, from: from, problems: &problems) else { continue }
      var oid = id.oid
      switch type {
      case GIT_OBJECT_COMMIT:
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        pending.append((ObjectID(git_commit_tree_id(commit).pointee), "commit \(id)"))
        for index in 0..<git_commit_parentcount(commit) {
          pending.append((ObjectID(git_commit_parent_id(commit, index).pointee), "commit \(id)"))
        }
      case GIT_OBJECT_TREE:
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &oid), "git_tree_lookup")
        defer { git_tree_free(tree) }
        for entry in entries(of: tree!) where entry.kind != .commit {
          pending.append((entry.id, "tree \(id) entry \(entry.name)"))
        }
      case GIT_OBJECT_TAG:
        var tag: OpaquePointer?
        try check(git_tag_lookup(&tag, handle, &oid), "git_tag_lookup")
        defer { git_tag_free(tag) }
        pending.append((ObjectID(git_tag_target_id(tag).pointee), "tag \(id)"))
      default:
        break
      }
    }
    return (seen.count, problems)
  }

  /// Reads one object raw and re-hashes it; returns its type when it is sound.
  private func verifyObject(_ id: ObjectID, from: String, problems: inout [ObjectProblem]) throws -> git_object_t? {
    var oid = id.oid
    var object: OpaquePointer?
    let rc = git_odb_read(&object, odb, &oid)
    if rc < 0 {
      let error = lastError(rc, "git_odb_read")
      let kind: ObjectProblem.Kind = error.isNotFound ? .missing : .unreadable
      problems.append(ObjectProblem(id: id, kind: kind, detail: "named by \(from): \(error.message)"))
      return nil
    }
    defer { git_odb_object_free(object) }
    let type = git_odb_object_type(object)
    var hashed = git_oid()
    try check(
      git_odb_hash(&hashed, git_odb_object_data(object), git_odb_object_size(object), type), "git_odb_hash")
    guard ObjectID(hashed) == id else {
      problems.append(
        ObjectProblem(id: id, kind: .hashMismatch, detail: "named by \(from): content hashes to \(ObjectID(hashed))"))
      return nil
    }
    return type
  }
}
