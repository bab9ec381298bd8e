internal import CSigning

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An unencrypted Ed25519 key in OpenSSH's private key format (`openssh-key-v1`), the kind
/// `ssh-keygen -t ed25519 -N ''` writes: signed with in-process, without starting `ssh-keygen`.
/// Every other private key (a passphrase, another type) is left to `ssh-keygen` itself.
public struct OpenSSHPrivateKey: Sendable {
  public let publicKey: SSHPublicKey
  /// The 32-byte seed.
  private let seed: [UInt8]

  static let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
  static let end = "-----END OPENSSH PRIVATE KEY-----"

  /// Reads the file's text. Nil when it is not an unencrypted Ed25519 key in this format;
  /// throws when it claims the format but is damaged.
  public init?(text: String) throws(SigningError) {
    let lines = text.split(whereSeparator: \.isNewline).map(\.trimmedLine)
    guard let first = lines.firstIndex(of: Self.begin), let last = lines.lastIndex(of: Self.end), first < last
    else { return nil }
    let base64 = lines[(first + 1)..<last].joined()
    guard let data = Data(base64Encoded: String(base64)) else { throw SigningError("the private key is not base64") }
    var reader = SSHReader(data)
    guard try reader.bytes(15).elementsEqual(Array("openssh-key-v1\0".utf8)) else {
      throw SigningError("the private key is not in openssh-key-v1 format")
    }
    let cipher = try reader.text()
    _ = try reader.string()  // kdf name
    _ = try reader.string()  // kdf options
    guard cipher == "none", try reader.uint32() == 1 else { return nil }
    let publicKey = try SSHPublicKey(blob: try reader.string())
    guard publicKey.type == "ssh-ed25519" else { return nil }
    var secret = SSHReader(try reader.string())
    guard try secret.uint32() == (try secret.uint32()) else {
      throw SigningError("the private key's check numbers differ")
    }
    guard try secret.text() == "ssh-ed25519" else { return nil }
    _ = try secret.string()  // the public half again
    let pair = try secret.string()  // seed (32) and public key (32)
    guard pair.count == 64 else { throw SigningError("the Ed25519 private key is \(pair.count) bytes, not 64") }
    seed = Array(pair.prefix(32))
    guard let (_, derived) = Self.sign([], seed: seed), derived == Array(pair.suffix(32)) else {
      throw SigningError("the Ed25519 private key does not match its public key")
    }
    self.publicKey = publicKey
  }

  /// An SSHSIG signature of `message` in `namespace`.
  public func sign(_ message: [UInt8], namespace: String) throws(SigningError) -> SSHSignature {
    let data = try SSHSignature.signedData(of: message, namespace: namespace)
    guard let (bytes, _) = Self.sign(data, seed: seed) else { throw SigningError("Ed25519 signing failed") }
    var blob = SSHWriter()
    blob.string("ssh-ed25519")
    blob.string(bytes)
    return SSHSignature(publicKey: publicKey, namespace: namespace, hashAlgorithm: "sha512", signature: blob.bytes)
  }

  /// The signature of `data` and the public key, from the seed; nil if libcrypto refuses.
  private static func sign(_ data: [UInt8], seed: [UInt8]) -> (signature: [UInt8], publicKey: [UInt8])? {
    var signature = [UInt8](repeating: 0, count: 64)
    var publicKey = [UInt8](repeating: 0, count: 32)
    guard casebook_ed25519_sign(seed, seed.count, data, data.count, &signature, &publicKey) == 1 else { return nil }
    return (signature, publicKey)
  }
}
