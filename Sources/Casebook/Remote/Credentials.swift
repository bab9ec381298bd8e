import Git
import TextExtraction

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a fetch or push finds credentials, tried in order, each once per operation (README,
/// "Working as a team"):
///
/// - HTTP(S): `CASEBOOK_HTTP_USERNAME` and `CASEBOOK_HTTP_PASSWORD`, then git's own credential
///   helpers (`git credential fill`, with prompts turned off), as `git fetch` would ask them.
/// - SSH: the ssh-agent (`SSH_AUTH_SOCK`), then the key file `CASEBOOK_SSH_KEY`, else
///   `~/.ssh/id_ed25519`, `id_ecdsa` and `id_rsa`; the host key is checked against
///   `~/.ssh/known_hosts` by libgit2.
///
/// A credential is handed to libgit2 and forgotten: it is never printed, logged or stored.
public final class RemoteCredentials {
  private let environment: [String: String]
  private var tried: Set<String> = []

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.environment = environment
  }

  /// The next credential to offer for `request`, or nil when every source was tried.
  public func next(_ request: CredentialRequest) -> Credential? {
    let user = request.usernameFromURL ?? environment["USER"] ?? Self.systemUser()
    if request.acceptsSSHKey {
      if let socket = environment["SSH_AUTH_SOCK"], !socket.isEmpty, tried.insert("agent").inserted {
        return .sshAgent(username: user)
      }
      for key in sshKeys() where tried.insert("key:" + key).inserted {
        let publicKey = System.kind(key + ".pub") == .file ? key + ".pub" : nil
        return .sshKeyFile(username: user, privateKey: key, publicKey: publicKey, passphrase: nil)
      }
      return nil
    }
    if request.acceptsUserPassword {
      if let name = environment["CASEBOOK_HTTP_USERNAME"], let password = environment["CASEBOOK_HTTP_PASSWORD"],
        tried.insert("environment").inserted
      {
        return .userPassword(username: name, password: password)
      }
      if tried.insert("helper").inserted, let found = credentialHelper(request.url, username: request.usernameFromURL) {
        return .userPassword(username: found.username, password: found.password)
      }
      return nil
    }
    if request.acceptsUsername, tried.insert("username").inserted { return .username(user) }
    return nil
  }

  private func sshKeys() -> [String] {
    if let key = environment["CASEBOOK_SSH_KEY"], !key.isEmpty { return [key] }
    guard let home = environment["HOME"] else { return [] }
    return ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }.filter { System.kind($0) == .file }
  }

  private static func systemUser() -> String {
    guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "git" }
    return String(cString: name)
  }

  /// Asks git's credential helpers, as `git credential fill` does, with prompting turned off.
  /// The query (protocol, host, path, user name; never a password) goes through a private
  /// temporary file, since the child's standard input is /dev/null.
  private func credentialHelper(_ url: String, username: String?) -> (username: String, password: String)? {
    guard let scheme = url.firstRange(of: "://") else { return nil }
    let rest = url[scheme.upperBound...]
    let authority = rest.prefix { $0 != "/" }
    let host = authority.split(separator: "@").last.map(String.init) ?? ""
    let path = rest.dropFirst(authority.count).drop { $0 == "/" }
    var query = "protocol=\(url[..<scheme.lowerBound])\nhost=\(host)\npath=\(path)\n"
    if let username { query += "username=\(username)\n" }
    let folder = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array((folder + "/casebook-credential-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { return nil }
    let file = String(cString: template)
    defer { unlink(file) }
    let written = query.utf8.withContiguousStorageIfAvailable { write(fd, $0.baseAddress, $0.count) } ?? -1
    close(fd)
    guard written == query.utf8.count,
      let output = try? ChildProcess.run(
        "/bin/sh", arguments: ["-c", "GIT_TERMINAL_PROMPT=0 exec git credential fill < \"$1\"", "sh", file],
        timeLimit: .seconds(30), outputLimit: 64 * 1024),
      output.termination == ChildProcess.Termination.exited(0)
    else { return nil }
    var found: [String: String] = [:]
    for line in String(decoding: output.stdout, as: UTF8.self).split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      found[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    guard let name = found["username"], let password = found["password"] else { return nil }
    return (name, password)
  }
}
