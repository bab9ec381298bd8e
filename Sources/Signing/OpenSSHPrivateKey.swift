import Crypto

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
  /// The 32-byte seed (kept as bytes: swift-crypto's key type is not Sendable).
  private let seed: [UInt8]

  static let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
  static let end = "-----END OPENSSH PRIVATE KEY-----"

  /// Reads the file's text. Nil when it is not an unencrypted Ed25519 key in this format;
  /// throws when it claims the format but is damaged.
  public init?(text: String) throws(SigningError) {
    guard let start = text.range(of: Self.begin), let stop = text.range(of: Self.end),
      start.upperBound <= stop.lowerBound
    else { return nil }
    let base64 = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
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
    let key: Curve25519.Signing.PrivateKey
    do {
      key = try Curve25519.Signing.PrivateKey(rawRepresentation: pair.prefix(32))
    } catch {
      throw SigningError("the Ed25519 private key is malformed")
    }
    seed = Array(pair.prefix(32))
    guard Array(key.publicKey.rawRepresentation) == Array(pair.suffix(32)) else {
      throw SigningError("the Ed25519 private key does not match its public key")
    }
    self.publicKey = publicKey
  }

  /// An SSHSIG signature of `message` in `namespace`.
  public func sign(_ message: some DataProtocol, namespace: String) throws(SigningError) -> SSHSignature {
    let data = try SSHSignature.signedData(of: message, namespace: namespace)
    let bytes: Data
    do { bytes = try Curve25519.Signing.PrivateKey(rawRepresentation: seed).signature(for: data) } catch {
      throw SigningError("Ed25519 signing failed: \(error)")
    }
    var blob = SSHWriter()
    blob.string("ssh-ed25519")
    blob.string(Array(bytes))
    return SSHSignature(publicKey: publicKey, namespace: namespace, hashAlgorithm: "sha512", signature: blob.bytes)
  }
}
