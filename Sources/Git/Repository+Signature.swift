internal import CGit2

/// A signature git stores with a commit or tag, and the bytes it signs.
public struct SignedPayload: Sendable, Equatable {
  /// The signature's text as stored (`-----BEGIN SSH SIGNATURE-----` …, or an OpenPGP one).
  public let signature: String
  /// What was signed: the object without its signature.
  public let payload: [UInt8]
}

extension Repository {
  /// The signature in a commit's `gpgsig` header and the commit's bytes without it, as git
  /// verifies them; nil for an unsigned commit.
  public func signedPayload(ofCommit id: ObjectID) throws -> SignedPayload? {
    var oid = id.oid
    var signature = git_buf()
    var data = git_buf()
    defer {
      git_buf_dispose(&signature)
      git_buf_dispose(&data)
    }
    let rc = git_commit_extract_signature(&signature, &data, handle, &oid, nil)
    if rc == GIT_ENOTFOUND.rawValue {
      git_error_clear()
      return nil
    }
    try check(rc, "git_commit_extract_signature")
    return SignedPayload(
      signature: String(decoding: UnsafeRawBufferPointer(start: signature.ptr, count: signature.size), as: UTF8.self),
      payload: Array(UnsafeRawBufferPointer(start: data.ptr, count: data.size)))
  }

  /// The signature after a tag's message and the tag's bytes before it, split where git splits
  /// them (the last line that starts a signature); nil for an unsigned tag.
  public func signedPayload(ofTag id: ObjectID) throws -> SignedPayload? {
    var oid = id.oid
    var object: OpaquePointer?
    try check(git_odb_read(&object, odb, &oid), "git_odb_read")
    defer { git_odb_object_free(object) }
    let bytes = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
    guard let start = Self.signatureStart(bytes) else { return nil }
    return SignedPayload(
      signature: String(decoding: bytes[start...], as: UTF8.self), payload: Array(bytes[..<start]))
  }

  /// A tag's message without the signature git appends to it (libgit2 keeps it in the message).
  static func unsigned(_ message: String) -> String {
    let bytes = Array(message.utf8)
    guard let start = signatureStart(bytes) else { return message }
    return String(decoding: bytes[..<start], as: UTF8.self)
  }

  /// Where the signature starts: the last line that starts like one, as git's
  /// parse_signed_buffer finds it.
  private static func signatureStart(_ bytes: some RandomAccessCollection<UInt8>) -> Int? {
    var start: Int?
    var line = 0
    let all = Array(bytes)
    while line < all.count {
      if signatureStarts.contains(where: { all[line...].starts(with: $0) }) { start = line }
      line = (all[line...].firstIndex(of: UInt8(ascii: "\n")) ?? all.count - 1) + 1
    }
    return start
  }

  /// The first lines of the signatures git recognises (gpg-interface.c).
  private static let signatureStarts = [
    "-----BEGIN PGP SIGNATURE-----", "-----BEGIN PGP MESSAGE-----", "-----BEGIN SIGNED MESSAGE-----",
    "-----BEGIN SSH SIGNATURE-----",
  ].map { Array($0.utf8) }

  /// A config key read as git reads a boolean (`true`, `yes`, `on`, `1`; false otherwise); nil
  /// when unset or not a boolean.
  public func configBool(_ key: String) -> Bool? {
    guard let text = configString(key)?.lowercased() else { return nil }
    switch text {
    case "true", "yes", "on", "1", "": return true
    case "false", "no", "off", "0": return false
    default: return nil
    }
  }
}
