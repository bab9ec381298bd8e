internal import CLibZ
internal import CTokenData

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// The byte strings of one encoding and their ranks, in an open-addressing hash table over one
/// contiguous buffer: a lookup of a slice of the input hashes it once and compares bytes only
/// on a 32-bit tag match. Built once per process and never freed (a `Tokenizer` is shared).
final class RankTable: @unchecked Sendable {
  /// Returned by `rank` for a byte string that is not a token.
  static let none = UInt32.max

  private let bytes: UnsafeMutablePointer<UInt8>
  private let entryStart: UnsafeMutablePointer<UInt32>
  private let entryLength: UnsafeMutablePointer<UInt32>
  private let entryRank: UnsafeMutablePointer<UInt32>
  /// tag << 32 | (entry + 1); 0 is an empty slot.
  private let slots: UnsafeMutablePointer<UInt64>
  private let mask: Int
  /// The longest token, in bytes: no longer slice needs a lookup.
  let maxLength: Int
  let count: Int

  /// Decompresses the embedded rank file, checks its SHA-256 and parses it
  /// (`<base64 bytes> <rank>` per line).
  convenience init(loading encoding: TokenEncoding) throws(TokensError) {
    var length = 0
    let start = casebook_rank_file_gz(encoding == .o200kBase ? 0 : 1, &length)
    let text = try Self.gunzip(UnsafeRawBufferPointer(start: start, count: length), encoding)
    try self.init(checking: text, encoding)
  }

  /// Parses `text` if its SHA-256 is the published one for `encoding`.
  convenience init(checking text: [UInt8], _ encoding: TokenEncoding) throws(TokensError) {
    let digest = text.withUnsafeBytes { SHA256.hex(of: $0) }
    guard digest == encoding.expectedSHA256 else {
      throw .rankFileChecksum(encoding, expected: encoding.expectedSHA256, actual: digest)
    }
    try self.init(parsing: text, encoding)
  }

  init(parsing text: [UInt8], _ encoding: TokenEncoding) throws(TokensError) {
    // memchr, not byte loops: the scans of the 3.6 MB text were a quarter of the load.
    var lines = 0
    text.withUnsafeBufferPointer { text in
      guard var at = text.baseAddress else { return }
      let end = at + text.count
      while at < end, let found = memchr(at, 0x0a, end - at) {
        lines += 1
        at = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
      }
    }
    // Decoded base64 is 3/4 of the text at most.
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: text.count)
    let entryStart = UnsafeMutablePointer<UInt32>.allocate(capacity: lines + 1)
    let entryLength = UnsafeMutablePointer<UInt32>.allocate(capacity: lines + 1)
    let entryRank = UnsafeMutablePointer<UInt32>.allocate(capacity: lines + 1)
    var capacity = 1
    while capacity < (lines + 1) * 2 { capacity <<= 1 }
    let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
    slots.initialize(repeating: 0, count: capacity)
    (self.bytes, self.entryStart, self.entryLength, self.entryRank, self.slots) =
      (bytes, entryStart, entryLength, entryRank, slots)
    mask = capacity - 1

    var used = 0
    var entries = 0
    var longest = 0
    var failure: String?
    text.withUnsafeBufferPointer { text in
      Base64.values.withUnsafeBufferPointer { table in
        // Each line is `<base64> <rank>\n`: the space by memchr, then the digits up to the
        // newline. A line without a space runs into the next one, which decode refuses.
        let base = text.baseAddress!
        var i = 0
        var lineNumber = 1
        while i < text.count {
          if text[i] == 0x0a {
            i += 1
            lineNumber += 1
            continue
          }
          guard let found = memchr(base + i, 0x20, text.count - i) else {
            failure = "line \(lineNumber) is not '<base64> <rank>'"
            return
          }
          let space = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
          var j = space + 1
          var rank: UInt32 = 0
          while j < text.count && text[j] != 0x0a {
            let digit = text[j] &- 0x30
            if digit >= 10 || j - space > 9 { break }
            rank = rank &* 10 &+ UInt32(digit)
            j += 1
          }
          guard j == text.count || text[j] == 0x0a, j > space + 1,
            let length = Base64.decode(text, i..<space, into: bytes + used, table: table)
          else {
            failure = "line \(lineNumber) is not '<base64> <rank>'"
            return
          }
          entryStart[entries] = UInt32(used)
          entryLength[entries] = UInt32(length)
          entryRank[entries] = rank
          entries += 1
          used += length
          longest = max(longest, length)
          i = j
        }
      }
    }
    count = entries
    maxLength = longest
    if let failure { throw .unreadableRankFile(encoding, failure) }
    let mask = self.mask
    // Hash first, then insert with the slot of the entry 16 ahead prefetched: the inserts are
    // random writes into a table larger than the caches, and their misses then overlap.
    let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: max(entries, 1))
    defer { hashes.deallocate() }
    for entry in 0..<entries {
      hashes[entry] = Self.hash(UnsafePointer(bytes + Int(entryStart[entry])), Int(entryLength[entry]))
    }
    let ahead = 16
    for entry in 0..<min(ahead, entries) { casebook_prefetch(slots + (Int(truncatingIfNeeded: hashes[entry]) & mask)) }
    for entry in 0..<entries {
      if entry + ahead < entries { casebook_prefetch(slots + (Int(truncatingIfNeeded: hashes[entry + ahead]) & mask)) }
      let p = UnsafePointer(bytes + Int(entryStart[entry]))
      let n = Int(entryLength[entry])
      let h = hashes[entry]
      var slot = Int(truncatingIfNeeded: h) & mask
      while slots[slot] != 0 {
        if Self.tag(slots[slot]) == UInt32(truncatingIfNeeded: h >> 32)
          && equal(Int(slots[slot] & 0xffff_ffff) - 1, p, n)
        {
          throw .unreadableRankFile(encoding, "a byte string appears twice")
        }
        slot = (slot + 1) & mask
      }
      slots[slot] = (h >> 32) << 32 | UInt64(entry + 1)
    }
  }

  /// The rank of the `n` bytes at `p`, or `RankTable.none`.
  @inline(__always)
  func rank(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
    if n > maxLength { return Self.none }
    let h = Self.hash(p, n)
    let tag = UInt32(truncatingIfNeeded: h >> 32)
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let value = slots[slot]
      if value == 0 { return Self.none }
      if Self.tag(value) == tag {
        let entry = Int(value & 0xffff_ffff) - 1
        if equal(entry, p, n) { return entryRank[entry] }
      }
      slot = (slot + 1) & mask
    }
  }

  @inline(__always) private static func tag(_ slot: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: slot >> 32) }

  @inline(__always)
  private func equal(_ entry: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    guard Int(entryLength[entry]) == n else { return false }
    let q = bytes + Int(entryStart[entry])
    var i = 0
    while i + 8 <= n {
      if UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i, as: UInt64.self)
        != UnsafeRawPointer(q).loadUnaligned(fromByteOffset: i, as: UInt64.self)
      {
        return false
      }
      i += 8
    }
    while i < n {
      if p[i] != q[i] { return false }
      i += 1
    }
    return true
  }

  /// A multiply-xorshift hash, eight bytes at a time: short slices (most lookups) cost one or
  /// two multiplications.
  @inline(__always)
  static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    let raw = UnsafeRawPointer(p)
    var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
    var i = 0
    while i + 8 <= n {
      h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xbf58_476d_1ce4_e5b9
      h ^= h >> 31
      i += 8
    }
    if i < n {
      var w: UInt64 = 0
      var shift: UInt64 = 0
      while i < n {
        w |= UInt64(p[i]) << shift
        shift += 8
        i += 1
      }
      h = (h ^ w) &* 0x94d0_49bb_1331_11eb
    }
    h ^= h >> 29
    h &*= 0xd6e8_feb8_6659_fd93
    h ^= h >> 32
    return h
  }

  private static func gunzip(_ data: UnsafeRawBufferPointer, _ encoding: TokenEncoding) throws(TokensError) -> [UInt8] {
    // gzip's trailer holds the decompressed size (mod 2^32): the rank files are a few MiB.
    let size =
      data.count >= 4 ? Int(data.loadUnaligned(fromByteOffset: data.count - 4, as: UInt32.self).littleEndian) : 0
    var out = [UInt8](repeating: 0, count: size + 1)
    var stream = z_stream()
    guard casebook_inflate_init_gzip(&stream) == Z_OK else {
      throw .unreadableRankFile(encoding, "inflateInit2 failed")
    }
    defer { inflateEnd(&stream) }
    let rc = out.withUnsafeMutableBufferPointer { out in
      stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress!.assumingMemoryBound(to: UInt8.self))
      stream.avail_in = UInt32(data.count)
      stream.next_out = out.baseAddress
      stream.avail_out = UInt32(out.count)
      return inflate(&stream, Z_FINISH)
    }
    // One byte of room to spare: Z_STREAM_END with it unused means the size was right.
    guard rc == Z_STREAM_END, Int(stream.total_out) == size else {
      throw .unreadableRankFile(encoding, "gzip stream ended with zlib code \(rc) after \(stream.total_out) bytes")
    }
    out.removeLast()
    return out
  }
}
