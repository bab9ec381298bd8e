internal import CTokenData

/// SHA-256, to check a rank file against its published hash: `casebook_sha256` in C, with the
/// x86 SHA extensions where the processor has them (Casebook's own SHA-256 in Swift took 12 ms of
/// the o200k_base load; this takes about 2).
enum SHA256 {
  /// The digest of `data` as 64 lowercase hex characters; `portable` skips the SHA extensions.
  static func hex(of data: UnsafeRawBufferPointer, portable: Bool = false) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    digest.withUnsafeMutableBufferPointer { out in
      casebook_sha256(
        data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count, out.baseAddress, portable ? 1 : 0)
    }
    let hex = Array("0123456789abcdef".utf8)
    return String(decoding: digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }, as: UTF8.self)
  }
}
