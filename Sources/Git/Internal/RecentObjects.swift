internal import CGit2

/// The objects a repository handle wrote most recently, kept in memory and served to libgit2 as
/// its highest-priority object-database backend.
///
/// A store write reads back, on the next operation, what the previous one wrote: the branch's
/// tip commit, its root and `sections/` trees, the records it changed. Each of those first reads
/// would otherwise cost five system calls and an inflate per object (libgit2's own cache only
/// holds objects once they have been read). Objects enter here only after they are on disk, so
/// everything this backend answers is also in the loose-object folder; it is bounded by count
/// and bytes, oldest out first, and lives as long as the repository handle.
final class RecentObjects {
  private struct Object {
    let type: git_object_t
    let bytes: [UInt8]
  }

  /// Objects larger than this are not kept (inputs streamed in are read back rarely).
  static let largestObject = 256 << 10
  /// The most bytes kept in all.
  static let capacity = 8 << 20

  private var objects: [ObjectID: Object] = [:]
  private var order = InsertionOrder<ObjectID>()
  private var size = 0

  func contains(_ id: ObjectID) -> Bool { objects[id] != nil }

  /// Keeps a copy of an object just written to disk.
  func insert(_ id: ObjectID, type: git_object_t, bytes: UnsafeRawBufferPointer) {
    guard bytes.count <= Self.largestObject, objects[id] == nil else { return }
    objects[id] = Object(type: type, bytes: Array(bytes))
    order.append(id)
    size += bytes.count
    while size > Self.capacity || objects.count > 65_536, let oldest = order.removeOldest() {
      if let evicted = objects.removeValue(forKey: oldest) { size -= evicted.bytes.count }
    }
  }

  // MARK: - The libgit2 backend

  /// Adds this store to `odb` as a backend consulted before the loose and packed ones. Returns
  /// false (and leaves `odb` as it was) if libgit2 refuses it; reads then simply go to disk.
  func register(in odb: OpaquePointer) -> Bool {
    let backend = UnsafeMutablePointer<casebook_memory_backend>.allocate(capacity: 1)
    backend.initialize(to: casebook_memory_backend())
    guard git_odb_init_backend(&backend.pointee.parent, UInt32(GIT_ODB_BACKEND_VERSION)) == 0 else {
      backend.deallocate()
      return false
    }
    backend.pointee.context = Unmanaged.passRetained(self).toOpaque()
    backend.pointee.parent.read = { data, length, type, backend, oid in
      guard let data, let length, let type, let object = RecentObjects.object(backend, oid) else {
        return GIT_ENOTFOUND.rawValue
      }
      // libgit2 frees what a backend returns, so it must come from its allocator; a trailing NUL
      // as the loose backend leaves one.
      guard let buffer = git_odb_backend_data_alloc(backend, object.bytes.count + 1) else { return -1 }
      if !object.bytes.isEmpty {  // an empty array need not have an address to copy from
        object.bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      }
      buffer.storeBytes(of: 0, toByteOffset: object.bytes.count, as: UInt8.self)
      data.pointee = buffer
      length.pointee = object.bytes.count
      type.pointee = object.type
      return 0
    }
    backend.pointee.parent.read_header = { length, type, backend, oid in
      guard let length, let type, let object = RecentObjects.object(backend, oid) else { return GIT_ENOTFOUND.rawValue }
      length.pointee = object.bytes.count
      type.pointee = object.type
      return 0
    }
    backend.pointee.parent.exists = { backend, oid in
      RecentObjects.object(backend, oid) == nil ? 0 : 1
    }
    // libgit2 calls every backend's `foreach` without checking for one. Everything kept here is
    // also on disk, where the loose backend lists it, so there is nothing to add.
    backend.pointee.parent.foreach = { _, _, _ in 0 }
    backend.pointee.parent.free = { backend in
      guard let backend else { return }
      let owner = UnsafeMutableRawPointer(backend).assumingMemoryBound(to: casebook_memory_backend.self)
      if let context = owner.pointee.context { Unmanaged<RecentObjects>.fromOpaque(context).release() }
      owner.deallocate()
    }
    // Priority 1 000: libgit2's loose backend has 1 and its pack backend 2; higher goes first.
    guard git_odb_add_backend(odb, &backend.pointee.parent, 1_000) == 0 else {
      git_error_clear()
      Unmanaged<RecentObjects>.fromOpaque(backend.pointee.context!).release()
      backend.deallocate()
      return false
    }
    return true
  }

  private static func object(_ backend: UnsafeMutablePointer<git_odb_backend>?, _ oid: UnsafePointer<git_oid>?)
    -> Object?
  {
    guard let backend, let oid else { return nil }
    let owner = UnsafeMutableRawPointer(backend).assumingMemoryBound(to: casebook_memory_backend.self)
    guard let context = owner.pointee.context else { return nil }
    return Unmanaged<RecentObjects>.fromOpaque(context).takeUnretainedValue().objects[ObjectID(oid.pointee)]
  }
}
