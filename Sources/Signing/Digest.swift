internal import CSigning

/// SHA-256 and SHA-512 through libcrypto.
enum Digest {
  static func sha256(_ bytes: [UInt8]) -> [UInt8] { digest("SHA256", bytes) }
  static func sha512(_ bytes: [UInt8]) -> [UInt8] { digest("SHA512", bytes) }

  private static func digest(_ name: String, _ bytes: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 64)
    var length: UInt32 = 0
    // Only fails for an unknown name; both names are libcrypto's own.
    precondition(casebook_digest(name, bytes, bytes.count, &out, &length) == 1, "libcrypto has no \(name)")
    return Array(out.prefix(Int(length)))
  }
}
