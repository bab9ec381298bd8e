internal import CGit2
import Foundation

extension Repository {
  /// Writes one object and returns its id: the store's hot path for blobs, trees and commits.
  ///
  /// `git_odb_write` checks each new object against every backend and, when it is not there,
  /// rescans the pack folder and tries to freshen it again: about eight system calls per object
  /// before a byte is written. Here the id is hashed first; an object the database already has
  /// (in the cache, loose, or in a pack already known) is not written again; otherwise it goes
  /// straight to a libgit2 loose-object backend on the same `objects/` folder, which writes it
  /// exactly as `git_odb_write` would (temporary file, deflate, link into place).
  func writeObject(_ bytes: UnsafeRawBufferPointer, type: git_object_t, function: String) throws -> ObjectID {
    var oid = git_oid()
    try check(git_odb_hash(&oid, bytes.baseAddress, bytes.count, type), "git_odb_hash")
    if git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1 { return ObjectID(oid) }
    if let backend = looseBackend.pointer {
      try check(casebook_git_backend_write(backend, &oid, bytes.baseAddress, bytes.count, type), function)
    } else {
      try check(git_odb_write(&oid, odb, bytes.baseAddress, bytes.count, type), function)
    }
    looseBackend.remember(ObjectID(oid))
    return ObjectID(oid)
  }

  /// Throws unless the object database has `id`. With libgit2's strict object creation off (see
  /// Library), trees are not checked for dangling entries by libgit2, so `buildTree` checks the
  /// ids it is handed here: free for objects this handle has just written, one `stat` for other
  /// loose objects, and a pack rescan only when the object is not found at first.
  func requireObject(_ id: ObjectID, function: String) throws {
    if looseBackend.wrote(id) { return }
    var oid = id.oid
    if git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1 || git_odb_exists(odb, &oid) == 1 {
      return
    }
    throw GitError(
      code: GIT_ENOTFOUND.rawValue, klass: Int32(GIT_ERROR_ODB.rawValue),
      message: "object \(id) is not in the object database", function: function)
  }

  func writeObject(_ data: Data, type: git_object_t, function: String) throws -> ObjectID {
    try data.withUnsafeBytes { try writeObject($0, type: type, function: function) }
  }
}

/// A libgit2 loose-object backend on a repository's `objects/` folder, owned and freed with it.
/// `pointer` is nil when libgit2 could not make one; writes then go through `git_odb_write`.
final class LooseBackend {
  let pointer: UnsafeMutablePointer<git_odb_backend>?

  init(objectsDirectory: String) {
    var out: UnsafeMutablePointer<git_odb_backend>?
    // Default compression, no fsync, default modes: what the repository's own loose backend
    // uses (core.fsyncObjectFiles is off by default in libgit2 too).
    if git_odb_backend_loose(&out, objectsDirectory, -1, 0, 0, 0) == 0 {
      pointer = out
    } else {
      git_error_clear()
      pointer = nil
    }
  }

  /// Ids this handle wrote most recently, so that `requireObject` need not look them up.
  private var recent: Set<ObjectID> = []

  func remember(_ id: ObjectID) {
    if recent.count >= 4_096 { recent.removeAll(keepingCapacity: true) }
    recent.insert(id)
  }

  func wrote(_ id: ObjectID) -> Bool { recent.contains(id) }

  deinit {
    if let pointer { casebook_git_backend_free(pointer) }
  }
}
