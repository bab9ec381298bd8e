internal import CGit2

extension ObjectID {
  /// Copies a libgit2 object id into a Swift value.
  init(_ oid: git_oid) {
    var copy = oid
    let words = withUnsafeBytes(of: &copy.id) { raw in
      (
        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
        UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
      )
    }
    self.init(high: words.0, middle: words.1, low: words.2)
  }

  /// Copies a libgit2 object id behind a pointer; nil pointer (e.g. absent side) gives nil.
  init?(_ pointer: UnsafePointer<git_oid>?) {
    guard let pointer else { return nil }
    self.init(pointer.pointee)
  }

  /// The id as libgit2's struct, for passing to C.
  var oid: git_oid {
    var out = git_oid()
    withUnsafeMutableBytes(of: &out.id) { raw in
      raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
      raw.storeBytes(of: middle.bigEndian, toByteOffset: 8, as: UInt64.self)
      raw.storeBytes(of: low.bigEndian, toByteOffset: 16, as: UInt32.self)
    }
    return out
  }
}
