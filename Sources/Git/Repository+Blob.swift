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
  /// Size of the chunks `createBlob(fromFile:)` reads and streams.
  private static let streamChunkSize = 64 * 1024

  /// Writes `data` as a blob and returns its id (no-op if it already exists).
  public func createBlob(_ data: Data) throws -> ObjectID {
    try writeObject(data, type: GIT_OBJECT_BLOB, function: "git_odb_backend.write (blob)")
  }

  /// Writes the file at `path` as a blob, streaming it in 64 KiB chunks so that a large file is
  /// never held in memory. No filters (line endings etc.) are applied.
  public func createBlob(fromFile path: String) throws -> ObjectID {
    let fd = systemOpen(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw GitError(
        code: errno == ENOENT ? GIT_ENOTFOUND.rawValue : -1,
        klass: Int32(GIT_ERROR_OS.rawValue), message: "cannot open '\(path)'",
        function: "createBlob(fromFile:)")
    }
    defer { close(fd) }
    var stream: UnsafeMutablePointer<git_writestream>?
    try check(git_blob_create_from_stream(&stream, handle, nil), "git_blob_create_from_stream")
    let writer = stream!
    // Until commit succeeds or fails (it frees the stream either way) we own the stream.
    do {
      var chunk = [UInt8](repeating: 0, count: Repository.streamChunkSize)
      while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count >= 0 else {
          throw GitError(
            code: -1, klass: Int32(GIT_ERROR_OS.rawValue),
            message: "cannot read '\(path)': \(String(cString: strerror(errno)))",
            function: "createBlob(fromFile:)")
        }
        if count == 0 { break }
        let rc = chunk.withUnsafeBytes { raw in
          writer.pointee.write(writer, raw.baseAddress!.assumingMemoryBound(to: CChar.self), count)
        }
        try check(rc, "git_writestream.write")
      }
    } catch {
      writer.pointee.free(writer)
      throw error
    }
    var out = git_oid()
    try check(
      git_blob_create_from_stream_commit(&out, writer), "git_blob_create_from_stream_commit")
    return ObjectID(out)
  }

  /// The content of a blob.
  public func blob(_ id: ObjectID) throws -> Data {
    var oid = id.oid
    var blob: OpaquePointer?
    try check(git_blob_lookup(&blob, handle, &oid), "git_blob_lookup")
    defer { git_blob_free(blob) }
    let size = Int(git_blob_rawsize(blob))
    guard size > 0, let content = git_blob_rawcontent(blob) else { return Data() }
    return Data(bytes: content, count: size)
  }

  /// The size of a blob in bytes, read from the object header without loading the content.
  public func blobSize(_ id: ObjectID) throws -> Int {
    var oid = id.oid
    var size = 0
    var type = GIT_OBJECT_ANY
    try check(git_odb_read_header(&size, &type, odb, &oid), "git_odb_read_header")
    guard type == GIT_OBJECT_BLOB else {
      throw GitError(
        code: GIT_ENOTFOUND.rawValue, klass: Int32(GIT_ERROR_INVALID.rawValue),
        message: "object \(id) is not a blob", function: "blobSize")
    }
    return size
  }
}
