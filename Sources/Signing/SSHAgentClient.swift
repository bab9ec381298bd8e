#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Asks a running `ssh-agent` (at `SSH_AUTH_SOCK`) to sign, over its protocol
/// (draft-miller-ssh-agent): list the keys it holds, sign with one. The private key never
/// leaves the agent.
public struct SSHAgentClient: Sendable {
  public let socketPath: String

  public init(socketPath: String) { self.socketPath = socketPath }

  /// The agent of this process's environment, if `SSH_AUTH_SOCK` names one.
  public static func fromEnvironment() -> SSHAgentClient? {
    guard let path = getenv("SSH_AUTH_SOCK").map({ String(cString: $0) }), !path.isEmpty else { return nil }
    return SSHAgentClient(socketPath: path)
  }

  private static let requestIdentities: UInt8 = 11
  private static let identitiesAnswer: UInt8 = 12
  private static let signRequest: UInt8 = 13
  private static let signResponse: UInt8 = 14
  /// Ask for rsa-sha2-512 rather than the SHA-1 `ssh-rsa` (ignored for other key types).
  private static let rsaSHA512: UInt32 = 4

  /// The public keys the agent holds.
  public func keys() throws(SigningError) -> [SSHPublicKey] {
    var reply = try exchange([Self.requestIdentities])
    guard try reply.bytes(1).first == Self.identitiesAnswer else {
      throw SigningError("ssh-agent at \(socketPath) refused to list its keys")
    }
    let count = try reply.uint32()
    var keys = [SSHPublicKey]()
    for _ in 0..<min(count, 1000) {
      let blob = try reply.string()
      _ = try reply.string()  // comment
      if let key = try? SSHPublicKey(blob: blob) { keys.append(key) }
    }
    return keys
  }

  /// An SSHSIG signature of `message` in `namespace` by the agent's `key`.
  public func sign(_ message: [UInt8], namespace: String, key: SSHPublicKey) throws(SigningError)
    -> SSHSignature
  {
    let data = try SSHSignature.signedData(of: message, namespace: namespace)
    var request = SSHWriter()
    request.raw([Self.signRequest])
    request.string(key.blob)
    request.string(data)
    request.uint32(key.type == "ssh-rsa" ? Self.rsaSHA512 : 0)
    var reply = try exchange(request.bytes)
    guard try reply.bytes(1).first == Self.signResponse else {
      throw SigningError(
        "ssh-agent at \(socketPath) refused to sign with \(key.fingerprint) (is the key added? ssh-add -l)")
    }
    let signature = Array(try reply.string())
    return SSHSignature(publicKey: key, namespace: namespace, hashAlgorithm: "sha512", signature: signature)
  }

  /// Sends one message (length-prefixed) and reads the one reply.
  private func exchange(_ message: [UInt8]) throws(SigningError) -> SSHReader {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SigningError("cannot make a socket for ssh-agent: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let path = Array(socketPath.utf8)
    guard path.count < MemoryLayout.size(ofValue: address.sun_path) else {
      throw SigningError("SSH_AUTH_SOCK is too long a path: \(socketPath)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: path)
      raw[path.count] = 0
    }
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard connected == 0 else {
      throw SigningError("cannot reach ssh-agent at \(socketPath): \(String(cString: strerror(errno)))")
    }
    var framed = SSHWriter()
    framed.string(message)
    try Self.writeAll(fd, framed.bytes)
    let header = try Self.readExactly(fd, 4)
    let length = header.reduce(0) { $0 << 8 | Int($1) }
    guard length > 0, length <= 256 * 1024 else { throw SigningError("ssh-agent sent a reply of \(length) bytes") }
    return SSHReader(try Self.readExactly(fd, length))
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SigningError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if written < 0, errno == EINTR { continue }
      guard written > 0 else { throw SigningError("writing to ssh-agent failed: \(String(cString: strerror(errno)))") }
      offset += written
    }
  }

  private static func readExactly(_ fd: Int32, _ count: Int) throws(SigningError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: count)
    var offset = 0
    while offset < count {
      let got = buffer[offset...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if got < 0, errno == EINTR { continue }
      guard got > 0 else { throw SigningError("ssh-agent closed the connection mid-reply") }
      offset += got
    }
    return buffer
  }
}
