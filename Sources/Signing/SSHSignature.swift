#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A detached SSH signature in OpenSSH's `SSHSIG` format (PROTOCOL.sshsig), the one
/// `ssh-keygen -Y sign` writes and git stores in a commit's `gpgsig` header or after a tag's
/// message.
public struct SSHSignature: Sendable, Equatable {
  /// Who signed: the public key the signature names.
  public let publicKey: SSHPublicKey
  /// What kind of data it signs; git's is `git`.
  public let namespace: String
  /// The hash of the message that was signed: `sha256` or `sha512`.
  public let hashAlgorithm: String
  /// The signature blob: algorithm name and bytes.
  public let signature: [UInt8]

  static let magic = Array("SSHSIG".utf8)
  public static let begin = "-----BEGIN SSH SIGNATURE-----"
  public static let end = "-----END SSH SIGNATURE-----"

  public init(publicKey: SSHPublicKey, namespace: String, hashAlgorithm: String, signature: [UInt8]) {
    self.publicKey = publicKey
    self.namespace = namespace
    self.hashAlgorithm = hashAlgorithm
    self.signature = signature
  }

  /// Reads the armored form (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
  public init(armored text: some StringProtocol) throws(SigningError) {
    let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(\.trimmedLine)
    guard let first = lines.firstIndex(of: Self.begin), let last = lines.lastIndex(of: Self.end), first < last,
      let data = Data(base64Encoded: lines[(first + 1)..<last].joined())
    else {
      throw SigningError("not an armored SSH signature")
    }
    var reader = SSHReader(data)
    guard try reader.bytes(6).elementsEqual(Self.magic) else { throw SigningError("not an SSHSIG signature") }
    let version = try reader.uint32()
    guard version == 1 else { throw SigningError("SSHSIG version \(version) is not supported") }
    publicKey = try SSHPublicKey(blob: try reader.string())
    namespace = try reader.text()
    _ = try reader.string()  // reserved
    hashAlgorithm = try reader.text()
    signature = Array(try reader.string())
  }

  /// The armored form, wrapped at 70 columns as `ssh-keygen` wraps it, ending in a newline.
  public var armored: String {
    var writer = SSHWriter()
    writer.raw(Self.magic)
    writer.uint32(1)
    writer.string(publicKey.blob)
    writer.string(namespace)
    writer.string([UInt8]())
    writer.string(hashAlgorithm)
    writer.string(signature)
    let base64 = Data(writer.bytes).base64EncodedString()
    var lines = [Self.begin]
    var rest = Substring(base64)
    while !rest.isEmpty {
      lines.append(String(rest.prefix(70)))
      rest = rest.dropFirst(70)
    }
    lines.append(Self.end)
    return lines.joined(separator: "\n") + "\n"
  }

  /// What the private key actually signs for `message`: the SSHSIG preamble with the message's
  /// hash, so that a signature for one namespace is never valid for another.
  public static func signedData(
    of message: [UInt8], namespace: String, hashAlgorithm: String = "sha512"
  ) throws(SigningError) -> [UInt8] {
    let digest: [UInt8]
    switch hashAlgorithm {
    case "sha512": digest = Digest.sha512(message)
    case "sha256": digest = Digest.sha256(message)
    default: throw SigningError("SSHSIG hash algorithm \(hashAlgorithm) is not supported")
    }
    var writer = SSHWriter()
    writer.raw(magic)
    writer.string(namespace)
    writer.string([UInt8]())
    writer.string(hashAlgorithm)
    writer.string(digest)
    return writer.bytes
  }

  /// Whether this is a valid signature of `message` in `namespace` by `publicKey`. Throws for a
  /// key type or algorithm that cannot be checked here.
  public func isValid(for message: [UInt8], namespace expected: String) throws(SigningError) -> Bool {
    guard namespace == expected else { return false }
    let data = try Self.signedData(of: message, namespace: namespace, hashAlgorithm: hashAlgorithm)
    return try publicKey.isValidSignature(signature, for: data)
  }
}
