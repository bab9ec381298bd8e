/// Reads the SSH wire encoding (RFC 4251 §5): big-endian `uint32`s and length-prefixed
/// `string`s, over a slice of bytes.
struct SSHReader {
  private(set) var bytes: ArraySlice<UInt8>

  init(_ bytes: some Collection<UInt8>) { self.bytes = ArraySlice(bytes) }

  var isAtEnd: Bool { bytes.isEmpty }

  mutating func uint32() throws(SigningError) -> UInt32 {
    guard bytes.count >= 4 else { throw SigningError("truncated SSH data (a 4-byte number is cut off)") }
    let value = bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    bytes = bytes.dropFirst(4)
    return value
  }

  mutating func string() throws(SigningError) -> ArraySlice<UInt8> {
    let count = Int(try uint32())
    guard bytes.count >= count else { throw SigningError("truncated SSH data (a string is cut off)") }
    defer { bytes = bytes.dropFirst(count) }
    return bytes.prefix(count)
  }

  mutating func text() throws(SigningError) -> String {
    String(decoding: try string(), as: UTF8.self)
  }

  mutating func bytes(_ count: Int) throws(SigningError) -> ArraySlice<UInt8> {
    guard bytes.count >= count else { throw SigningError("truncated SSH data") }
    defer { bytes = bytes.dropFirst(count) }
    return bytes.prefix(count)
  }
}

/// Writes the SSH wire encoding.
struct SSHWriter {
  private(set) var bytes: [UInt8] = []

  mutating func uint32(_ value: UInt32) {
    bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
  }

  mutating func string(_ value: some Collection<UInt8>) {
    uint32(UInt32(value.count))
    bytes += value
  }

  mutating func string(_ value: String) { string(Array(value.utf8)) }

  mutating func raw(_ value: some Collection<UInt8>) { bytes += value }
}

extension StringProtocol {
  /// Without blanks at either end: the armor lines of keys and signatures.
  var trimmedLine: String {
    String(drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
  }
}
