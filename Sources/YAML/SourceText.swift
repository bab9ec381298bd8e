/// The raw bytes of a document, with the checks and look-ups that happen outside libyaml:
/// UTF-8 validation and finding a source line for error snippets.
struct SourceText {
  let bytes: [UInt8]

  /// The 1-based line and column (in code points) of the first byte that is not valid UTF-8, if any.
  func firstInvalidUTF8() -> (line: Int, column: Int)? {
    var line = 1
    var column = 1
    var index = 0
    let count = bytes.count
    while index < count {
      let byte = bytes[index]
      var length = 0
      var minimum: UInt32 = 0
      var scalar: UInt32 = 0
      switch byte {
      case 0x00...0x7F:
        length = 1
        scalar = UInt32(byte)
      case 0xC2...0xDF:
        length = 2
        scalar = UInt32(byte & 0x1F)
        minimum = 0x80
      case 0xE0...0xEF:
        length = 3
        scalar = UInt32(byte & 0x0F)
        minimum = 0x800
      case 0xF0...0xF4:
        length = 4
        scalar = UInt32(byte & 0x07)
        minimum = 0x10000
      default: return (line, column)
      }
      if index + length > count { return (line, column) }
      for offset in 1..<max(length, 1) {
        let next = bytes[index + offset]
        guard next & 0xC0 == 0x80 else { return (line, column) }
        scalar = scalar << 6 | UInt32(next & 0x3F)
      }
      if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) {
        return (line, column)
      }
      if byte == 0x0A {
        line += 1
        column = 1
      } else {
        column += 1
      }
      index += length
    }
    return nil
  }

  /// The text of 1-based `line` (split on "\n", without a trailing "\r"), if it exists.
  func line(_ number: Int) -> String? {
    guard number >= 1 else { return nil }
    var current = 1
    var start = 0
    var index = 0
    while index < bytes.count {
      if bytes[index] == 0x0A {
        if current == number { return text(start..<index) }
        current += 1
        start = index + 1
      }
      index += 1
    }
    guard current == number, start < bytes.count else { return nil }
    return text(start..<bytes.count)
  }

  private func text(_ range: Range<Int>) -> String {
    var slice = bytes[range]
    if slice.last == 0x0D { slice = slice.dropLast() }
    return String(decoding: slice, as: UTF8.self)
  }
}
