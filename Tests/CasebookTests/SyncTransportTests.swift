import Foundation
import TestSupport
import Testing

/// `casebook clone` and `sync` over real servers on loopback: OpenSSH's sshd, and git's own
/// `git http-backend` behind a small web server, plain and with TLS from a test CA.
@Suite("Sync over ssh and http(s)")
struct SyncTransportTests {
  /// Alice's project pushed to `<root>/served/project.git` (a plain bare repository that the
  /// servers serve); bob has no clone yet.
  static func team() throws -> (team: Team, served: String) {
    let team = try Team(authors: ["alice"])
    let served = team.cli.root + "/served"
    try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
    _ = try team.cli.git(["clone", "-q", "--bare", team.remote, served + "/project.git"], in: team.cli.root)
    return (team, served)
  }

  /// Runs casebook as `author` with `env` added.
  static func run(_ team: Team, _ author: String, _ args: [String], env: [String: String]) throws -> CLI.Result {
    try team.author(author).run(args, env: env)
  }

  @Test(
    "ssh: clone and sync with a key file and with an ssh-agent; a stranger's key is refused",
    .enabled(if: SSHServer.available && SSHAgent.available, "openssh-server or openssh-client is not installed"))
  func ssh() throws {
    let (team, served) = try Self.team()
    let server = try SSHServer()
    defer { server.stop() }
    let url = server.url(forRepository: served + "/project.git")
    let keyFile = ["GIT_SSH_COMMAND": server.sshCommand(identity: server.clientKey.privateKey)]
    let clone = try Self.run(team, "bob", ["clone", url, team.path("bob")], env: keyFile)
    #expect(clone.status == 0, "\(clone.stderr)")
    _ = try team.commitSection("bob", "rationale", "Over ssh.\n")
    let synced = try Self.run(team, "bob", ["sync", "--repo", team.path("bob")], env: keyFile)
    #expect(synced.status == 0, "\(synced.stderr)")
    #expect(try team.tree(served + "/project.git") == team.tree(team.path("bob")))

    // The agent: no key file on the command line, the key only in a real ssh-agent.
    let agent = try SSHAgent(keys: [server.clientKey.privateKey])
    defer { agent.stop() }
    let viaAgent = ["GIT_SSH_COMMAND": server.sshCommand(identity: nil), "SSH_AUTH_SOCK": agent.socket]
    _ = try team.commitSection("bob", "strategic-case", "Through the agent.\n")
    let agentSync = try Self.run(team, "bob", ["sync", "--repo", team.path("bob")], env: viaAgent)
    #expect(agentSync.status == 0, "\(agentSync.stderr)")
    #expect(try team.tree(served + "/project.git") == team.tree(team.path("bob")))

    // A key the server does not know: exit 5, a clear message, nothing changed either side.
    let stranger = try SSHKeyPair.generate(at: team.cli.root + "/stranger")
    _ = try team.commitSection("bob", "economic-case", "Not allowed.\n")
    let before = try team.cli.state(of: team.path("bob"))
    let remoteBefore = try team.refs(served + "/project.git")
    let refused = try Self.run(
      team, "bob", ["sync", "--repo", team.path("bob")],
      env: ["GIT_SSH_COMMAND": server.sshCommand(identity: stranger.privateKey)])
    #expect(refused.status == 5, "\(refused.stderr)")
    #expect(refused.stderr.contains("Could not read from remote repository"), "\(refused.stderr)")
    #expect(refused.stderr.contains("the credentials"), "\(refused.stderr)")
    #expect(try team.cli.state(of: team.path("bob")) == before)
    #expect(try team.refs(served + "/project.git") == remoteBefore)
  }

  @Test(
    "http: credentials from the environment or git's credential helper, never shown or stored; a wrong password refused",
    .enabled(if: GitHTTPServer.available, "python3 or git-http-backend is not installed"))
  func http() throws {
    let (team, served) = try Self.team()
    let password = "s3cret-\(UUID().uuidString.prefix(8))"
    let server = try GitHTTPServer(root: served, username: "bob", password: password)
    defer { server.stop() }
    let url = server.url(forRepository: "project.git")
    let credentials = ["CASEBOOK_HTTP_USERNAME": "bob", "CASEBOOK_HTTP_PASSWORD": password]
    let clone = try Self.run(team, "bob", ["clone", url, team.path("bob"), "--json"], env: credentials)
    #expect(clone.status == 0, "\(clone.stderr)")
    _ = try team.commitSection("bob", "rationale", "Over http.\n")
    let synced = try Self.run(team, "bob", ["sync", "--repo", team.path("bob"), "--json"], env: credentials)
    #expect(synced.status == 0, "\(synced.stdout) \(synced.stderr)")
    #expect(try team.tree(served + "/project.git") == team.tree(team.path("bob")))

    // A wrong password: exit 5, told why, nothing changed.
    _ = try team.commitSection("bob", "strategic-case", "Refused.\n")
    let before = try team.cli.state(of: team.path("bob"))
    let wrong = try Self.run(
      team, "bob", ["sync", "--repo", team.path("bob")],
      env: ["CASEBOOK_HTTP_USERNAME": "bob", "CASEBOOK_HTTP_PASSWORD": "not-the-password"])
    #expect(wrong.status == 5, "\(wrong.stderr)")
    #expect(wrong.stderr.contains("Authentication failed") && wrong.stderr.contains("the credentials"))
    #expect(try team.cli.state(of: team.path("bob")) == before)

    // git's own credential helper (store, in the user's git config) serves the password too.
    let store = team.cli.root + "/credentials"
    try "http://bob:\(password)@127.0.0.1:\(server.port)\n".write(toFile: store, atomically: true, encoding: .utf8)
    _ = try runCommand(
      "/usr/bin/git", ["config", "--global", "credential.helper", "store --file=\(store)"],
      environment: ["HOME": team.cli.root, "GIT_CONFIG_NOSYSTEM": "1"])
    let helped = try Self.run(team, "bob", ["sync", "--repo", team.path("bob"), "--json"], env: [:])
    #expect(helped.status == 0, "\(helped.stdout) \(helped.stderr)")

    // The password is in no output, no config, no log of the repository.
    for text in [clone.stdout, clone.stderr, synced.stdout, synced.stderr, wrong.stdout, wrong.stderr, helped.stdout] {
      #expect(!text.contains(password))
    }
    let config = try String(contentsOfFile: team.path("bob") + "/.git/config", encoding: .utf8)
    #expect(!config.contains(password) && !config.contains("not-the-password"))
    let logs = try team.cli.git(["log", "--all", "-p", "--format=%B"], in: team.path("bob"))
    #expect(!logs.contains(password))
  }

  @Test(
    "https: a server whose CA is trusted is accepted; an unknown CA is refused",
    .enabled(
      if: GitHTTPServer.available && TestCertificateAuthority.available, "python3, git-http-backend or openssl missing")
  )
  func https() throws {
    let (team, served) = try Self.team()
    try FileManager.default.createDirectory(atPath: team.cli.root + "/ca", withIntermediateDirectories: true)
    let ca = try TestCertificateAuthority(in: team.cli.root + "/ca")
    let server = try GitHTTPServer(root: served, username: "bob", password: "pw", tls: ca)
    defer { server.stop() }
    let url = server.url(forRepository: "project.git")
    #expect(url.hasPrefix("https://"))
    let credentials = ["CASEBOOK_HTTP_USERNAME": "bob", "CASEBOOK_HTTP_PASSWORD": "pw"]
    let unknown = try Self.run(team, "bob", ["clone", url, team.path("bob")], env: credentials)
    #expect(unknown.status == 5, "\(unknown.stderr)")
    #expect(unknown.stderr.contains("certificate"), "\(unknown.stderr)")
    #expect(!FileManager.default.fileExists(atPath: team.path("bob")))
    var trusted = credentials
    trusted["GIT_SSL_CAINFO"] = ca.caCertificate
    let clone = try Self.run(team, "bob", ["clone", url, team.path("bob")], env: trusted)
    #expect(clone.status == 0, "\(clone.stderr)")
    _ = try team.commitSection("bob", "rationale", "Over https.\n")
    #expect(try Self.run(team, "bob", ["sync", "--repo", team.path("bob")], env: trusted).status == 0)
    #expect(try team.tree(served + "/project.git") == team.tree(team.path("bob")))
  }

  @Test(
    "http: a push cut off mid-transfer, and one the remote's hook refuses, leave everything intact; the next sync finishes",
    .enabled(if: GitHTTPServer.available, "python3 or git-http-backend is not installed"))
  func interruptedAndRefused() throws {
    let (team, served) = try Self.team()
    let credentials = ["CASEBOOK_HTTP_USERNAME": "casebook", "CASEBOOK_HTTP_PASSWORD": "test-password"]
    do {
      let server = try GitHTTPServer(root: served)
      defer { server.stop() }
      let clone = try Self.run(
        team, "bob", ["clone", server.url(forRepository: "project.git"), team.path("bob")], env: credentials)
      #expect(clone.status == 0, "\(clone.stderr)")
    }
    // Enough new text, and text that does not compress, that the push is cut off part-way.
    var random = SplitMix64(seed: 13)
    let text = (0..<3000).map { _ in (0..<8).map { _ in String(random.next(), radix: 36) }.joined(separator: " ") + "\n"
    }
    .joined()
    _ = try team.commitSection("bob", "rationale", text)
    let remoteBefore = try team.refs(served + "/project.git")
    do {
      let server = try GitHTTPServer(root: served, interruption: .dropReceivePack(afterBytes: 20_000))
      defer { server.stop() }
      // Each server listens on a port of its own.
      _ = try team.cli.git(
        ["remote", "set-url", "origin", server.url(forRepository: "project.git")], in: team.path("bob"))
      let before = try team.cli.state(of: team.path("bob"))
      let cut = try Self.run(team, "bob", ["sync", "--repo", team.path("bob"), "--json"], env: credentials)
      #expect(cut.status == 5, "\(cut.stdout) \(cut.stderr)")
      #expect(try team.cli.state(of: team.path("bob")) == before)
      #expect(try team.refs(served + "/project.git") == remoteBefore)
      #expect(try runGit(["fsck", "--strict"], in: served + "/project.git").status == 0)
    }
    // A hook that refuses: git relays its words, and nothing lands.
    let hook = served + "/project.git/hooks/pre-receive"
    try "#!/bin/sh\necho 'casebook: refused refs/heads/main: main-forward-only: test' >&2\nexit 1\n".write(
      toFile: hook, atomically: true, encoding: .utf8)
    chmod(hook, 0o755)
    let server = try GitHTTPServer(root: served)
    defer { server.stop() }
    _ = try team.cli.git(
      ["remote", "set-url", "origin", server.url(forRepository: "project.git")], in: team.path("bob"))
    let refused = try Self.run(team, "bob", ["sync", "--repo", team.path("bob"), "--json"], env: credentials)
    #expect(refused.status == 5, "\(refused.stdout) \(refused.stderr)")
    let problems = try #require(try refused.json["problems"] as? [String])
    #expect(problems.contains { $0.contains("main-forward-only") }, "\(problems)")
    #expect(try team.refs(served + "/project.git") == remoteBefore)
    try FileManager.default.removeItem(atPath: hook)
    let finished = try Self.run(team, "bob", ["sync", "--repo", team.path("bob")], env: credentials)
    #expect(finished.status == 0, "\(finished.stderr)")
    #expect(try team.tree(served + "/project.git") == team.tree(team.path("bob")))
  }
}
