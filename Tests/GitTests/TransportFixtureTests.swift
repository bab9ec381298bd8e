import Foundation
import TestSupport
import Testing

/// The transport fixtures, driven by the real git CLI: sshd over `ssh://` with a key file and
/// with an agent, git http-backend over HTTP and HTTPS with basic auth, and pushes cut off
/// mid-transfer. Each test has its own servers on 127.0.0.1.
struct TransportFixtureTests {
  /// The client's transfer gives up if under 1 KB/s for 30 s, so no test waits on a dead server.
  static let slowTransferLimit = ["GIT_HTTP_LOW_SPEED_LIMIT": "1000", "GIT_HTTP_LOW_SPEED_TIME": "30"]

  @Test(.enabled(if: SSHServer.available, "sshd or ssh-keygen is not installed (openssh-server, openssh-client)"))
  func sshCloneAndPushWithAKeyFile() throws {
    let server = try SSHServer()
    defer { server.stop() }
    let dir = try TemporaryDirectory()
    let bare = try Self.bareRepository(dir.appending("remote.git"))
    let url = server.url(forRepository: bare)
    #expect(url == "ssh://\(server.user)@127.0.0.1:\(server.port)\(bare)")
    #expect(server.knownHostsLine.hasPrefix("[127.0.0.1]:\(server.port) ssh-ed25519 "))
    let known = FixtureText.read(server.home + "/.ssh/known_hosts")
    #expect(known == server.knownHostsLine + "\n")
    let ssh = ["GIT_SSH_COMMAND": server.sshCommand(identity: server.clientKey.privateKey)]

    let work = try Self.workRepository(dir.appending("work"), files: ["a.txt": "one\n"])
    let pushed = try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: ssh)
    #expect(pushed.status == 0, "\(pushed.stderr)\n\(server.log)")
    #expect(try Self.head(of: bare) == Self.head(of: work))

    let cloned = try runGit(["clone", "-q", url, dir.appending("clone")], in: dir.path, environment: ssh)
    #expect(cloned.status == 0, "\(cloned.stderr)")
    #expect(FixtureText.read(dir.appending("clone/a.txt")) == "one\n")

    try Self.commit(["b.txt": "two\n"], in: dir.appending("clone"))
    let again = try runGit(["push", "origin", "HEAD:main"], in: dir.appending("clone"), environment: ssh)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try Self.head(of: bare) == Self.head(of: dir.appending("clone")))
  }

  @Test(.enabled(if: SSHServer.available && SSHAgent.available, "openssh-server or openssh-client is not installed"))
  func sshThroughAnAgent() throws {
    let server = try SSHServer()
    defer { server.stop() }
    let agent = try SSHAgent(keys: [server.clientKey.privateKey])
    defer { agent.stop() }
    let dir = try TemporaryDirectory()
    let bare = try Self.bareRepository(dir.appending("remote.git"))
    let url = server.url(forRepository: bare)
    let work = try Self.workRepository(dir.appending("work"), files: ["a.txt": "agent\n"])
    let command = server.sshCommand(identity: nil)

    // No key file and no agent: nothing the server lets in.
    let alone = try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: ["GIT_SSH_COMMAND": command])
    #expect(alone.status != 0)
    #expect(try Self.refs(of: bare).isEmpty)

    let viaAgent = ["GIT_SSH_COMMAND": command, "SSH_AUTH_SOCK": agent.socket]
    let pushed = try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: viaAgent)
    #expect(pushed.status == 0, "\(pushed.stderr)\n\(server.log)")
    let cloned = try runGit(["clone", "-q", url, dir.appending("clone")], in: dir.path, environment: viaAgent)
    #expect(cloned.status == 0, "\(cloned.stderr)")
    #expect(FixtureText.read(dir.appending("clone/a.txt")) == "agent\n")
  }

  @Test(.enabled(if: SSHServer.available, "sshd or ssh-keygen is not installed (openssh-server, openssh-client)"))
  func sshRefusesAnotherKey() throws {
    let server = try SSHServer()
    defer { server.stop() }
    let dir = try TemporaryDirectory()
    let bare = try Self.bareRepository(dir.appending("remote.git"))
    let stranger = try SSHKeyPair.generate(at: dir.appending("stranger"))
    let work = try Self.workRepository(dir.appending("work"), files: ["a.txt": "no\n"])

    let refused = try runGit(
      ["push", server.url(forRepository: bare), "HEAD:refs/heads/main"], in: work,
      environment: ["GIT_SSH_COMMAND": server.sshCommand(identity: stranger.privateKey)])
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("Permission denied"), "\(refused.stderr)")
    #expect(try Self.refs(of: bare).isEmpty)

    // The same key let in from now on.
    try server.authorize(publicKey: stranger.publicKey)
    let admitted = try runGit(
      ["push", server.url(forRepository: bare), "HEAD:refs/heads/main"], in: work,
      environment: ["GIT_SSH_COMMAND": server.sshCommand(identity: stranger.privateKey)])
    #expect(admitted.status == 0, "\(admitted.stderr)")
  }

  @Test(.enabled(if: GitHTTPServer.available, "python3 or git-http-backend is not installed"))
  func httpCloneAndPushWithBasicAuth() throws {
    let dir = try TemporaryDirectory()
    let root = dir.appending("repos")
    let bare = try Self.bareRepository(root + "/project.git")
    let server = try GitHTTPServer(root: root, username: "ana", password: "p@ss word")
    defer { server.stop() }
    #expect(server.url(forRepository: "project.git") == "http://127.0.0.1:\(server.port)/project.git")

    // Over git's post buffer (1 MiB), so the push's body comes chunked and is de-chunked.
    let work = try Self.workRepository(dir.appending("work"), files: ["big.bin": Self.noise(3 << 20)])
    let pushed = try runGit(
      ["push", server.authenticatedURL(forRepository: "project.git"), "HEAD:refs/heads/main"], in: work,
      environment: Self.slowTransferLimit)
    #expect(pushed.status == 0, "\(pushed.stderr)\n\(server.log)")
    #expect(try Self.head(of: bare) == Self.head(of: work))
    #expect(server.log.contains("(chunked)"), "\(server.log)")

    // The right password from a credential helper, the URL bare.
    let helper = "!f() { echo username=ana; echo 'password=p@ss word'; }; f"
    let cloned = try runGit(
      ["-c", "credential.helper=" + helper, "clone", "-q", server.url(forRepository: "project.git"), "clone"],
      in: dir.path, environment: Self.slowTransferLimit)
    #expect(cloned.status == 0, "\(cloned.stderr)\n\(server.log)")
    #expect(FixtureText.read(dir.appending("clone/big.bin")) == Self.noise(3 << 20))

    // A wrong password and none at all: 401, nothing pushed.
    try Self.commit(["c.txt": "three\n"], in: work)
    let before = try Self.refs(of: bare)
    for (url, message) in [
      (server.authenticatedURL(forRepository: "project.git", password: "wrong"), "Authentication failed"),
      (server.url(forRepository: "project.git"), "could not read Username"),
    ] {
      let refused = try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: Self.slowTransferLimit)
      #expect(refused.status != 0)
      #expect(refused.stderr.contains(message), "\(refused.stderr)")
    }
    #expect(try Self.refs(of: bare) == before)
    #expect(server.log.contains("\" 401 "), "\(server.log)")
  }

  @Test(
    .enabled(
      if: GitHTTPServer.available && TestCertificateAuthority.available,
      "python3, git-http-backend or openssl is not installed"))
  func httpsNeedsTheTestCA() throws {
    let dir = try TemporaryDirectory()
    let root = dir.appending("repos")
    let bare = try Self.bareRepository(root + "/project.git")
    let authority = try TestCertificateAuthority(in: dir.path)
    let server = try GitHTTPServer(root: root, tls: authority)
    defer { server.stop() }
    let url = server.authenticatedURL(forRepository: "project.git")
    #expect(url.hasPrefix("https://"))
    let work = try Self.workRepository(dir.appending("work"), files: ["a.txt": "tls\n"])

    // The system's CAs do not vouch for the test CA.
    let untrusted = try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: Self.slowTransferLimit)
    #expect(untrusted.status != 0)
    #expect(untrusted.stderr.contains("certificate"), "\(untrusted.stderr)")
    #expect(try Self.refs(of: bare).isEmpty)

    let trusted = Self.slowTransferLimit.merging(["GIT_SSL_CAINFO": authority.caCertificate]) { $1 }
    let pushed = try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: trusted)
    #expect(pushed.status == 0, "\(pushed.stderr)\n\(server.log)")
    let cloned = try runGit(["clone", "-q", url, "clone"], in: dir.path, environment: trusted)
    #expect(cloned.status == 0, "\(cloned.stderr)")
    #expect(FixtureText.read(dir.appending("clone/a.txt")) == "tls\n")
  }

  @Test(.enabled(if: GitHTTPServer.available, "python3 or git-http-backend is not installed"))
  func aPushCutOffMidBodyChangesNoRef() throws {
    let dir = try TemporaryDirectory()
    let root = dir.appending("repos")
    let bare = try Self.bareRepository(root + "/project.git")
    let work = try Self.workRepository(dir.appending("work"), files: ["a.txt": "first\n"])
    do {
      let server = try GitHTTPServer(root: root)
      defer { server.stop() }
      let seeded = try runGit(
        ["push", server.authenticatedURL(forRepository: "project.git"), "HEAD:refs/heads/main"], in: work)
      #expect(seeded.status == 0, "\(seeded.stderr)")
    }
    let before = try Self.refs(of: bare)
    try Self.commit(["big.bin": Self.noise(3 << 20)], in: work)

    let server = try GitHTTPServer(root: root, interruption: .dropReceivePack(afterBytes: 256 << 10))
    defer { server.stop() }
    let url = server.authenticatedURL(forRepository: "project.git")
    let cut = try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: Self.slowTransferLimit)
    #expect(cut.status != 0, "\(cut.stderr)")
    #expect(server.log.contains("dropping the connection"), "\(server.log)")
    #expect(try Self.refs(of: bare) == before)
    #expect(try runGit(["fsck", "--no-dangling"], in: bare).status == 0)

    // The repository takes the same push whole afterwards.
    let whole = try GitHTTPServer(root: root)
    defer { whole.stop() }
    let pushed = try runGit(
      ["push", whole.authenticatedURL(forRepository: "project.git"), "HEAD:refs/heads/main"], in: work,
      environment: Self.slowTransferLimit)
    #expect(pushed.status == 0, "\(pushed.stderr)")
    #expect(try Self.head(of: bare) == Self.head(of: work))
  }

  @Test(.enabled(if: GitHTTPServer.available, "python3 or git-http-backend is not installed"))
  func aPushWhoseServerIsKilledChangesNoRef() throws {
    let dir = try TemporaryDirectory()
    let root = dir.appending("repos")
    let bare = try Self.bareRepository(root + "/project.git")
    let work = try Self.workRepository(dir.appending("work"), files: ["big.bin": Self.noise(3 << 20)])
    let server = try GitHTTPServer(root: root, interruption: .stallReceivePack(afterBytes: 256 << 10))
    defer { server.stop() }
    let url = server.authenticatedURL(forRepository: "project.git")
    // The push on a thread of its own, not the test's cooperative pool, which other tests may fill.
    let outcome = Locked<Result<(status: Int32, stdout: String, stderr: String), any Error>?>(nil)
    let pusher = Thread {
      let result = Result {
        try runGit(["push", url, "HEAD:refs/heads/main"], in: work, environment: Self.slowTransferLimit)
      }
      outcome.withLock { $0 = result }
    }
    pusher.start()
    let stalled = server.waitUntilStalled(timeout: 60)
    // Killed whether or not the push got there, so the push cannot wait on it.
    server.kill()
    #expect(stalled, "\(server.log)")
    // The client sees the reset at once; the low-speed limit bounds it anyway.
    let ended = FixtureWait.until(timeout: 90) { outcome.withLock { $0 != nil } }
    try #require(ended, "the push did not end after the server was killed")
    let result = try #require(outcome.withLock { $0 }).get()
    #expect(result.status != 0, "\(result.stderr)")
    #expect(try Self.refs(of: bare).isEmpty)
    #expect(try runGit(["fsck", "--no-dangling"], in: bare).status == 0)
  }

  // MARK: - Repositories

  static func bareRepository(_ path: String) throws -> String {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let made = try runGit(["init", "-q", "--bare", "-b", "main"], in: path)
    guard made.status == 0 else { throw FixtureError("git init --bare: \(made.stderr)") }
    return path
  }

  static func workRepository(_ path: String, files: [String: String]) throws -> String {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let made = try runGit(["init", "-q", "-b", "main"], in: path)
    guard made.status == 0 else { throw FixtureError("git init: \(made.stderr)") }
    try commit(files, in: path)
    return path
  }

  static func commit(_ files: [String: String], in path: String) throws {
    for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name)) }
    for args in [["add", "-A"], ["commit", "-q", "-m", "files: \(files.keys.sorted())"]] {
      let result = try runGit(args, in: path)
      guard result.status == 0 else { throw FixtureError("git \(args[0]): \(result.stderr)") }
    }
  }

  static func head(of path: String) throws -> String {
    try runGit(["rev-parse", "refs/heads/main"], in: path).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// `git show-ref` of the repository: "" when it has no ref.
  static func refs(of path: String) throws -> String {
    try runGit(["show-ref"], in: path).stdout
  }

  /// `count` bytes of text that deflate cannot shrink much (hex of a fixed pseudo-random stream),
  /// so the pack is about as large.
  static func noise(_ count: Int) -> String {
    var generator = SplitMix64(seed: 0x5EED)
    var text = ""
    text.reserveCapacity(count)
    while text.utf8.count < count { text += String(generator.next(), radix: 16) }
    return String(text.prefix(count))
  }
}

enum FixtureWait {
  /// Polls `condition` every 20 ms until it holds (true) or `timeout` seconds pass (false).
  static func until(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
      if Date() >= deadline { return false }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return true
  }
}

/// A value shared with a thread, behind a lock.
final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value
  init(_ value: Value) { self.value = value }
  func withLock<T>(_ body: (inout Value) -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body(&value)
  }
}

enum FixtureText {
  static func read(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
  }
}
