internal import CSigning

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An SSH public key as OpenSSH writes it (`ssh-ed25519 AAAA… comment`), and the one thing
/// Casebook does with it: check a signature made with its private key.
///
/// Checked in-process with OpenSSL's libcrypto: Ed25519, ECDSA on P-256, P-384 and P-521, and RSA
/// with SHA-256 or SHA-512 (what `ssh-keygen -Y sign` makes). Security-key types
/// (`sk-…@openssh.com`) are read but not checked: their signatures are reported as unsupported.
public struct SSHPublicKey: Hashable, Sendable, CustomStringConvertible {
  /// The key type, e.g. `ssh-ed25519`.
  public let type: String
  /// The key in the SSH wire encoding (what base64 encodes in the text form).
  public let blob: [UInt8]

  /// Reads a key from its wire encoding.
  public init(blob: some Collection<UInt8>) throws(SigningError) {
    var reader = SSHReader(blob)
    let type = try reader.text()
    guard !type.isEmpty, type.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
      throw SigningError("not an SSH public key")
    }
    self.type = type
    self.blob = Array(blob)
  }

  /// Reads `type base64 [comment]`, the form of a `.pub` file, of `user.signingkey` and of an
  /// allowed-signers line's key. A `key::` prefix (git's marker for a literal key) is allowed.
  public init(text: some StringProtocol) throws(SigningError) {
    var line = Substring(text).drop { $0 == " " || $0 == "\t" }
    if line.hasPrefix("key::") { line = line.dropFirst(5) }
    let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
    guard fields.count >= 2, let data = Data(base64Encoded: String(fields[1])) else {
      throw SigningError("'\(line.prefix(40))' is not an SSH public key (type base64 [comment])")
    }
    try self.init(blob: Array(data))
    guard type == fields[0] else {
      throw SigningError("the key's text says \(fields[0]) but its data is \(type)")
    }
  }

  /// `type base64`, as in a `.pub` file without the comment.
  public var text: String { "\(type) \(Data(blob).base64EncodedString())" }

  /// `SHA256:…`, the fingerprint `ssh-keygen -l` prints.
  public var fingerprint: String {
    var digest = Data(Digest.sha256(blob)).base64EncodedString()
    while digest.hasSuffix("=") { digest.removeLast() }
    return "SHA256:" + digest
  }

  public var description: String { "\(type) \(fingerprint)" }

  /// Whether `signature` (an SSH signature blob: algorithm name and signature bytes) is this
  /// key's signature of `data`. Throws for a key or algorithm that cannot be checked here, or a
  /// key that does not read.
  public func isValidSignature(_ signature: some Collection<UInt8>, for data: [UInt8]) throws(SigningError) -> Bool {
    var sig = SSHReader(signature)
    let algorithm = try sig.text()
    let bytes = Array(try sig.string())
    var key = SSHReader(blob)
    _ = try key.string()
    let result: Int32
    switch type {
    case "ssh-ed25519":
      guard algorithm == type else { return false }
      let point = Array(try key.string())
      result = casebook_ed25519_verify(point, point.count, bytes, bytes.count, data, data.count)
    case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
      guard algorithm == type else { return false }
      _ = try key.string()  // the curve's name, the type's suffix
      let point = Array(try key.string())
      var pair = SSHReader(bytes)
      let r = Array(try pair.string())
      let s = Array(try pair.string())
      let (group, digest) =
        switch type {
        case "ecdsa-sha2-nistp256": ("P-256", "SHA256")
        case "ecdsa-sha2-nistp384": ("P-384", "SHA384")
        default: ("P-521", "SHA512")
        }
      result = casebook_ecdsa_verify(
        group, digest, point, point.count, r, r.count, s, s.count, data, data.count)
    case "ssh-rsa":
      let e = Array(try key.string())
      let n = Array(try key.string())
      let digest: String
      switch algorithm {
      case "rsa-sha2-512": digest = "SHA512"
      case "rsa-sha2-256": digest = "SHA256"
      default:
        throw SigningError("an RSA signature with \(algorithm) is not accepted (only rsa-sha2-256 and rsa-sha2-512)")
      }
      result = casebook_rsa_verify(digest, n, n.count, e, e.count, bytes, bytes.count, data, data.count)
    default:
      throw SigningError("\(type) keys are not supported for checking signatures")
    }
    guard result >= 0 else { throw SigningError("the \(type) key or its signature is malformed") }
    return result == 1
  }
}
