import CTokenData
import Casebook

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

/// The server's bearer tokens: each maps to a user, roles and the projects granted. The file
/// (JSON, mode 0600, outside every repository) holds only SHA-256 hashes of the tokens; a token
/// is shown once, when it is made.
public struct TokenStore: Sendable {
  public struct Entry: Sendable, Codable, Equatable {
    public let user: String
    public let roles: [Caller.Role]
    /// nil: every project.
    public let projects: [String]?
    public let sha256: String
    /// Seconds since 1970 when it was made.
    public let createdAt: String

    enum CodingKeys: String, CodingKey {
      case user, roles, projects, sha256
      case createdAt = "created_at"
    }

    public var caller: Caller {
      Caller(user: user, roles: Set(roles), projects: projects.map(Set.init))
    }
  }

  private struct File: Codable {
    var version = 1
    var tokens: [Entry]
  }

  public let path: String
  public private(set) var entries: [Entry]

  /// The tokens file: `$CASEBOOK_TOKENS`, else `$XDG_CONFIG_HOME/casebook/tokens.json`, else
  /// `~/.config/casebook/tokens.json`.
  public static func defaultPath(environment: [String: String]) -> String {
    if let path = environment["CASEBOOK_TOKENS"], !path.isEmpty { return path }
    if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/casebook/tokens.json" }
    return (environment["HOME"] ?? "/root") + "/.config/casebook/tokens.json"
  }

  /// Reads the file at `path`; a missing file is an empty store.
  public init(path: String) throws {
    self.path = path
    guard access(path, F_OK) == 0 else {
      entries = []
      return
    }
    let data = try System.readBounded(path, limit: 16 << 20, what: "tokens file")
    do {
      entries = try JSONDecoder().decode(File.self, from: data).tokens
    } catch {
      throw CasebookError.badInput("the tokens file \(path) does not read: \(error)")
    }
  }

  /// The caller `token` stands for, or nil. Every entry's hash is compared in full, in time
  /// that does not depend on where the bytes differ.
  public func caller(for token: String) -> Caller? {
    let presented = Self.hash(token)
    var found: Entry?
    for entry in entries where Self.constantTimeEqual(entry.sha256, presented) { found = entry }
    return found?.caller
  }

  /// Adds a token for `user` and returns it; only its hash is kept.
  public mutating func add(user: String, roles: [Caller.Role], projects: [String]?) throws -> String {
    _ = try User(user)
    for project in projects ?? [] { try Projects.checked(project) }
    var bytes = [UInt8](repeating: 0, count: 32)
    var generator = SystemRandomNumberGenerator()
    for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
    let token = "cbk_" + bytes.map { String($0, radix: 16).leftPadded(2) }.joined()
    entries.append(
      Entry(
        user: user, roles: roles, projects: projects, sha256: Self.hash(token),
        createdAt: String(Int(Date().timeIntervalSince1970))))
    try save()
    return token
  }

  /// Removes every token of `user`; returns how many there were.
  public mutating func remove(user: String) throws -> Int {
    let before = entries.count
    entries.removeAll { $0.user == user }
    try save()
    return before - entries.count
  }

  /// Writes the file atomically (a new file, mode 0600, synced, renamed over the old one).
  func save() throws {
    let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try encoder.encode(File(tokens: entries))
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw CasebookError.repository("cannot write \(temporary): \(String(cString: strerror(errno)))")
    }
    var ok = data.withUnsafeBytes { raw -> Bool in
      var offset = 0
      while offset < raw.count {
        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n <= 0 { return false }
        offset += n
      }
      return true
    }
    ok = ok && fsync(fd) == 0
    close(fd)
    guard ok, rename(temporary, path) == 0 else {
      unlink(temporary)
      throw CasebookError.repository("cannot write \(path): \(String(cString: strerror(errno)))")
    }
  }

  /// SHA-256 of the token's UTF-8, in hex.
  static func hash(_ token: String) -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    let bytes = Array(token.utf8)
    bytes.withUnsafeBufferPointer { casebook_sha256($0.baseAddress, $0.count, &digest, 1) }
    return digest.map { String($0, radix: 16).leftPadded(2) }.joined()
  }

  static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in x.indices { difference |= x[i] ^ y[i] }
    return difference == 0
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
