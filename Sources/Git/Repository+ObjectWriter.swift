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
  /// Writes one object and returns its id: the store's hot path for blobs, trees and commits.
  ///
  /// `git_odb_write` checks each new object against every backend and, when it is not there,
  /// rescans the pack folder and tries to freshen it again: about eight system calls per object
  /// before a byte is written. Here the id is hashed first; an object the database already has
  /// is not written again (see below); otherwise `LooseWriter` writes it to the `objects/`
  /// folder.
  func writeObject(_ bytes: UnsafeRawBufferPointer, type: git_object_t, function: String) throws -> ObjectID {
    var oid = git_oid()
    try check(git_odb_hash(&oid, bytes.baseAddress, bytes.count, type), "git_odb_hash")
    let id = ObjectID(oid)
    // A blob is often written again unchanged (a record put back as it was), so the database is
    // asked first. A tree or commit this handle did not just write is almost always new, and
    // writing one again is harmless (the same bytes renamed into place), so it skips the
    // question's system call.
    if recentObjects.contains(id) { return id }
    if type == GIT_OBJECT_BLOB, git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1 {
      return id
    }
    if let settings = writeSettings {
      try looseWriter.write(id, type: type, bytes: bytes, settings: settings)
    } else {
      // A core.sharedRepository git refuses: libgit2 writes it, as it would anyway.
      var written = git_oid()
      try check(git_odb_write(&written, odb, bytes.baseAddress, bytes.count, type), function)
    }
    recentObjects.insert(id, type: type, bytes: bytes)
    return id
  }

  /// Throws unless the object database has `id`. With libgit2's strict object creation off (see
  /// Library), trees are not checked for dangling entries by libgit2, so `buildTree` checks the
  /// ids it is handed here: free for objects this handle has just written, one `stat` for other
  /// loose objects, and a pack rescan only when the object is not found at first.
  func requireObject(_ id: ObjectID, function: String) throws {
    if recentObjects.contains(id) { return }
    var oid = id.oid
    if git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1 || git_odb_exists(odb, &oid) == 1
    {
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

/// Writes loose objects as git does: `<type> <size>\0<bytes>` deflated into a temporary file
/// in the object's fan-out folder, then renamed into place, so a reader (or a crash) only ever
/// sees a whole object or none.
///
/// Rather than libgit2's loose backend, for two costs it carries on every small object:
/// zlib's full-size state (about 256 KB set up and cleared per object, a tenth of a revise's
/// instructions) and seven system calls where four do. Here the deflate window and hash fit the
/// object (a valid zlib stream for any reader); small objects are stored rather than compressed,
/// larger ones use level 1, git's own `core.looseCompression` default; and the temporary file is
/// made in the fan-out folder, which is made only when the first try says it is missing.
final class LooseWriter {
  let objects: OpenDirectory
  /// Temporary names: a random prefix drawn once per handle, then a counter, so that a write
  /// does not cost a `getrandom` call. `O_EXCL` still refuses any clash.
  private let temporaryPrefix = "/tmp_obj_" + String(UInt64.random(in: 0...UInt64.max), radix: 36) + "_"
  private var counter = 0

  init(objectsDirectory: String) {
    objects = OpenDirectory(objectsDirectory)
  }

  /// Writes the object, fsyncing it and giving it (and a new fan-out folder) git's shared
  /// permissions as `settings` say.
  func write(_ id: ObjectID, type: git_object_t, bytes: UnsafeRawBufferPointer, settings: WriteSettings) throws {
    let compressed = try deflated(type: type, bytes: bytes)
    let hex = id.hex
    let folder = String(hex.prefix(2))
    counter += 1
    let temporaryName = folder + temporaryPrefix + String(counter)
    let temporary = objects.at(temporaryName)
    let final = objects.at(folder + "/" + hex.dropFirst(2))
    var fd = openat(temporary.directory, temporary.name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
    if fd < 0, errno == ENOENT {
      let made = objects.at(folder)
      if mkdirat(made.directory, made.name, 0o777) != 0 {
        guard errno == EEXIST else { throw Self.failure("cannot create \(objects.shown(folder))") }
      } else if let shared = settings.shared, !shared.adjust(made) {
        throw Self.failure("cannot set the shared permissions of \(objects.shown(folder))")
      }
      fd = openat(temporary.directory, temporary.name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
    }
    // The full path is for messages only, so it is made only when one is.
    func shownTemporary() -> String { objects.shown(temporaryName) }
    guard fd >= 0 else { throw Self.failure("cannot create \(shownTemporary())") }
    // A failure leaves no temporary file behind, and the error names the system's reason.
    func abandon(_ what: String) -> GitError {
      let error = Self.failure(what)
      unlinkat(temporary.directory, temporary.name, 0)
      return error
    }
    let written: Bool = compressed.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if n < 0, errno == EINTR { continue }
        guard n > 0 else { return false }
        offset += n
      }
      return true
    }
    guard written else {
      let error = abandon("cannot write \(shownTemporary())")
      close(fd)
      throw error
    }
    if settings.fsync.looseObjects, fsync(fd) != 0 {
      let error = abandon("cannot fsync \(shownTemporary())")
      close(fd)
      throw error
    }
    guard close(fd) == 0 else { throw abandon("cannot write \(shownTemporary())") }
    if let shared = settings.shared, !shared.adjust(temporary) {
      throw abandon("cannot set the shared permissions of \(shownTemporary())")
    }
    guard renameat(temporary.directory, temporary.name, final.directory, final.name) == 0 else {
      throw abandon("cannot move \(shownTemporary()) into place")
    }
  }

  /// The largest object (header included) written as a stored zlib stream, built here.
  static let storedLimit = 16 << 10

  /// The object's loose form: its header and bytes as one zlib stream.
  private func deflated(type: git_object_t, bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
    let header = Array("\(String(cString: git_object_type2string(type))) \(bytes.count)\0".utf8)
    // Objects of up to 16 KiB are stored (level 0): most take one file-system block compressed
    // or not, and deflating them cost a fifth of a revise (a 5 KB `sections/` tree alone cost
    // more than all the rest of the writing). `git gc` compresses them when it packs.
    if header.count + bytes.count <= Self.storedLimit { return Self.stored(header, bytes) }
    var input = header
    input.append(contentsOf: bytes)
    // Larger ones at level 1, with the smallest window that holds the whole object (zlib's
    // minimum is 2^9) and a hash table to match.
    let level: Int32 = 1
    var windowBits: Int32 = 9
    while windowBits < 15, 1 << windowBits < input.count { windowBits += 1 }
    var stream = z_stream()
    guard casebook_deflate_init(&stream, level, windowBits, max(1, windowBits - 7)) == Z_OK else {
      throw GitError(
        code: -1, klass: Int32(GIT_ERROR_ZLIB.rawValue), message: "cannot start deflate", function: "deflateInit2")
    }
    defer { deflateEnd(&stream) }
    // deflateBound is usually enough for one call, but not always for tiny stored objects in
    // every zlib release: deflate again into more room until the stream ends.
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
    var produced = 0
    try input.withUnsafeMutableBufferPointer { source in
      stream.next_in = source.baseAddress
      stream.avail_in = UInt32(source.count)
      while true {
        let status = output.withUnsafeMutableBufferPointer { target in
          stream.next_out = target.baseAddress! + produced
          stream.avail_out = UInt32(target.count - produced)
          let status = deflate(&stream, Z_FINISH)
          produced = target.count - Int(stream.avail_out)
          return status
        }
        if status == Z_STREAM_END { break }
        guard status == Z_OK || status == Z_BUF_ERROR else {
          throw GitError(
            code: -1, klass: Int32(GIT_ERROR_ZLIB.rawValue), message: "deflate failed (\(status))", function: "deflate")
        }
        output += [UInt8](repeating: 0, count: output.count)
      }
    }
    output.removeLast(output.count - produced)
    return output
  }

  /// `header` and `bytes` as the zlib stream zlib itself writes at level 0 (RFC 1950 and 1951):
  /// the two-byte header 78 01, one final stored block (1, then its length and the length's
  /// complement, little-endian), the bytes, and their Adler-32, big-endian. Built directly, it
  /// costs one copy of the bytes and zlib's Adler-32, without a deflate state to set up, fill
  /// and free for every small object.
  static func stored(_ header: [UInt8], _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    let length = header.count + bytes.count
    precondition(length <= 0xFFFF, "one stored block holds at most 65,535 bytes")
    var checksum = header.withUnsafeBufferPointer { adler32(1, $0.baseAddress, UInt32($0.count)) }
    if let base = bytes.baseAddress {
      checksum = adler32(checksum, base.assumingMemoryBound(to: UInt8.self), UInt32(bytes.count))
    }
    var out = [UInt8]()
    out.reserveCapacity(length + 11)
    out += [
      0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF),
    ]
    out += header
    out += bytes
    out += [
      UInt8(checksum >> 24 & 0xFF), UInt8(checksum >> 16 & 0xFF), UInt8(checksum >> 8 & 0xFF), UInt8(checksum & 0xFF),
    ]
    return out
  }

  private static func failure(_ what: String) -> GitError { .system(what, function: "write") }
}
