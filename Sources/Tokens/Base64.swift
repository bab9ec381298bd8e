/// Standard base64 (with padding), the rank files' encoding of each token's bytes.
enum Base64 {
  static let values: [UInt8] = {
    var table = [UInt8](repeating: 0xff, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
      table[Int(c)] = UInt8(i)
    }
    return table
  }()

  /// Decodes `text[range]` into `out`; returns the number of bytes, or nil if it is not base64.
  static func decode(
    _ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into out: UnsafeMutablePointer<UInt8>,
    table values: UnsafeBufferPointer<UInt8>
  )
    -> Int?
  {
    guard range.count % 4 == 0, !range.isEmpty else { return nil }
    var n = 0
    var i = range.lowerBound
    while i < range.upperBound {
      let last = i + 4 == range.upperBound
      let pad = last ? (text[i + 3] == 0x3d ? (text[i + 2] == 0x3d ? 2 : 1) : 0) : 0
      var quad: UInt32 = 0
      for k in 0..<4 {
        let c = text[i + k]
        let v = k >= 4 - pad ? 0 : values[Int(c)]
        if v == 0xff { return nil }
        quad = quad << 6 | UInt32(v)
      }
      out[n] = UInt8(truncatingIfNeeded: quad >> 16)
      if pad < 2 { out[n + 1] = UInt8(truncatingIfNeeded: quad >> 8) }
      if pad < 1 { out[n + 2] = UInt8(truncatingIfNeeded: quad) }
      n += 3 - pad
      i += 4
    }
    return n
  }
}
