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
    var start: Int?
    var line = 0
    while line < bytes.count {
      let rest = UnsafeRawBufferPointer(rebasing: bytes[line...])
      if Self.signatureStarts.contains(where: { rest.starts(with: $0) }) { start = line }
      line = (bytes[line...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count - 1) + 1
    }
    guard let start else { return nil }
    return SignedPayload(
      signature: String(decoding: bytes[start...], as: UTF8.self), payload: Array(bytes[..<start]))
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
