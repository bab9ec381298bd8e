import Foundation

/// A key pair made by `ssh-keygen` (no passphrase).
public struct SSHKeyPair: Sendable {
  /// The private key file (mode 0600); its public half is `privateKey` + ".pub".
  public let privateKey: String
  /// The public key line ("ssh-ed25519 AAAA... comment"), as authorized_keys takes it.
  public let publicKey: String

  /// Makes a key pair at `path` (and `path`.pub); `type` as `ssh-keygen -t` takes it.
  public static func generate(at path: String, type: String = "ed25519") throws -> SSHKeyPair {
    guard let keygen = SSHServer.keygen else { throw FixtureError("ssh-keygen is not installed") }
    try FixtureProcess.run(keygen, ["-q", "-t", type, "-N", "", "-C", "casebook-test", "-f", path])
    let line = FixtureProcess.contents(of: path + ".pub").trimmingCharacters(in: .whitespacesAndNewlines)
    return SSHKeyPair(privateKey: path, publicKey: line)
  }
}

/// Debian's OpenSSH server (`sshd -D -e`) on 127.0.0.1, for git over `ssh://`: a throw-away
/// host key, public-key login only with `clientKey` (or keys added by `authorize`), as the user
/// this process runs as (root included), git's commands run by the user's own shell.
///
/// A client trusts the server through `knownHostsFile` (OpenSSH's `UserKnownHostsFile`, which
/// the ssh client reads from the passwd home, not $HOME) or by running with HOME = `home`, whose
/// `.ssh/known_hosts` holds the same line (libgit2 reads `$HOME/.ssh/known_hosts`).
public final class SSHServer: @unchecked Sendable {
  public static let sshd = FixtureProcess.executable("sshd", candidates: ["/usr/sbin/sshd"])
  public static let keygen = FixtureProcess.executable("ssh-keygen", candidates: ["/usr/bin/ssh-keygen"])
  public static let ssh = FixtureProcess.executable("ssh", candidates: ["/usr/bin/ssh"])
  /// Whether the server and its client can run here.
  public static var available: Bool { sshd != nil && keygen != nil && ssh != nil }

  public let port: Int
  /// The user an `ssh://` URL logs in as: the one this process runs as.
  public let user: String
  /// The key pair the server lets in.
  public let clientKey: SSHKeyPair
  /// The server's known_hosts line: "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
  public let knownHostsLine: String
  /// A file holding only `knownHostsLine`.
  public let knownHostsFile: String
  /// A HOME whose `.ssh/known_hosts` holds `knownHostsLine` (and nothing else in `.ssh`).
  public let home: String
  /// sshd's log (its -e output).
  public let logFile: String

  private let directory: TemporaryDirectory
  private let authorizedKeys: String
  private let process: FixtureChild

  /// Starts sshd and returns once it accepts connections (at most 10 s, else throws with its
  /// log). As root, makes sshd's privilege-separation folder /run/sshd if it is missing.
  public init() throws {
    guard let sshd = Self.sshd else { throw FixtureError("sshd is not installed (openssh-server)") }
    directory = try TemporaryDirectory(prefix: "casebook-sshd")
    user = FixtureProcess.userName
    logFile = directory.appending("sshd.log")
    authorizedKeys = directory.appending("authorized_keys")
    let hostKey = try SSHKeyPair.generate(at: directory.appending("host_ed25519"))
    clientKey = try SSHKeyPair.generate(at: directory.appending("client_ed25519"))
    try Data((clientKey.publicKey + "\n").utf8).write(to: URL(fileURLWithPath: authorizedKeys))
    if geteuid() == 0 && !FileManager.default.fileExists(atPath: "/run/sshd") {
      try FileManager.default.createDirectory(
        atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    // A free port can be taken between the pick and sshd's bind: three tries.
    var started: (FixtureChild, Int)?
    var failures: [String] = []
    for attempt in 1...3 where started == nil {
      let port = try FixtureProcess.freeLoopbackPort()
      let config = directory.appending("sshd_config")
      let pidFile = directory.appending("sshd.pid")
      try? FileManager.default.removeItem(atPath: pidFile)
      try Data(
        Self.configuration(
          port: port, hostKey: hostKey.privateKey, authorizedKeys: authorizedKeys, pidFile: pidFile
        ).utf8
      ).write(to: URL(fileURLWithPath: config))
      let log = directory.appending("sshd-\(attempt).log")
      let process = try FixtureProcess.start(
        sshd, ["-D", "-e", "-f", config], environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], log: log)
      // Listening once the pid file is written and a connection is accepted.
      let up = FixtureProcess.waitUntil(timeout: 10) {
        !process.isRunning
          || (FileManager.default.fileExists(atPath: pidFile) && FixtureProcess.accepts(port: port))
      }
      if up && process.isRunning {
        started = (process, port)
        try? FileManager.default.moveItem(atPath: log, toPath: logFile)
      } else {
        process.stop(grace: 0)
        failures.append(FixtureProcess.contents(of: log))
      }
    }
    guard let started else {
      throw FixtureError("sshd did not start listening: \(failures.joined(separator: "\n---\n"))")
    }
    (process, port) = started

    let hostPublic = hostKey.publicKey.split(separator: " ")
    knownHostsLine = "[127.0.0.1]:\(port) \(hostPublic[0]) \(hostPublic[1])"
    knownHostsFile = directory.appending("known_hosts")
    try Data((knownHostsLine + "\n").utf8).write(to: URL(fileURLWithPath: knownHostsFile))
    home = directory.appending("home")
    try FileManager.default.createDirectory(
      atPath: home + "/.ssh", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    try Data((knownHostsLine + "\n").utf8).write(to: URL(fileURLWithPath: home + "/.ssh/known_hosts"))
  }

  /// `ssh://USER@127.0.0.1:PORT/PATH` for the repository at the absolute `path`.
  public func url(forRepository path: String) -> String {
    "ssh://\(user)@127.0.0.1:\(port)\(path.hasPrefix("/") ? "" : "/")\(path)"
  }

  /// A GIT_SSH_COMMAND for the OpenSSH client: this server trusted through `knownHostsFile`, no
  /// ssh_config, no prompt, bounded waits; with `identity` the only key is that file, without it the keys
  /// come from the agent at SSH_AUTH_SOCK (or the user's default files, which the server
  /// does not let in).
  public func sshCommand(identity: String?) -> String {
    var parts = [
      Self.ssh ?? "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
      "-o", "UserKnownHostsFile=\(knownHostsFile)", "-o", "GlobalKnownHostsFile=/dev/null",
      // Bounded: a dead server ends the session within about 30 s.
      "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=6",
    ]
    if let identity { parts += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
    return parts.map(Self.shellQuoted).joined(separator: " ")
  }

  /// Lets in another public key (an authorized_keys line) from now on.
  public func authorize(publicKey: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: authorizedKeys))
    defer { try? handle.close() }
    handle.seekToEndOfFile()
    handle.write(Data((publicKey + "\n").utf8))
  }

  /// Whether sshd is still running.
  public var isRunning: Bool { process.isRunning }

  /// sshd's log so far.
  public var log: String { FixtureProcess.contents(of: logFile) }

  /// Stops sshd (sessions already open end with their clients); safe to call more than once.
  public func stop() {
    process.stop(grace: 2)
  }

  deinit {
    stop()
  }

  private static func configuration(port: Int, hostKey: String, authorizedKeys: String, pidFile: String) -> String {
    """
    ListenAddress 127.0.0.1
    Port \(port)
    HostKey \(hostKey)
    PidFile \(pidFile)
    AuthorizedKeysFile \(authorizedKeys)
    AuthenticationMethods publickey
    PubkeyAuthentication yes
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    UsePAM no
    StrictModes no
    PermitRootLogin yes
    AllowTcpForwarding no
    X11Forwarding no
    PrintMotd no
    LogLevel VERBOSE

    """
  }

  static func shellQuoted(_ text: String) -> String {
    if !text.isEmpty && text.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:@".contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}

/// A real `ssh-agent -D` on a socket in a temporary folder, holding the keys `add` gave it; a
/// client finds it through SSH_AUTH_SOCK = `socket`.
public final class SSHAgent: @unchecked Sendable {
  public static let agent = FixtureProcess.executable("ssh-agent", candidates: ["/usr/bin/ssh-agent"])
  public static let add = FixtureProcess.executable("ssh-add", candidates: ["/usr/bin/ssh-add"])
  public static var available: Bool { agent != nil && add != nil }

  /// The agent's socket: the value for SSH_AUTH_SOCK.
  public let socket: String
  public let logFile: String
  private let directory: TemporaryDirectory
  private let process: FixtureChild

  /// Starts the agent, waits (at most 10 s) for its socket, and adds `keys` (private key files).
  public init(keys: [String] = []) throws {
    guard let agent = Self.agent else { throw FixtureError("ssh-agent is not installed (openssh-client)") }
    // Short: a socket path has at most 107 bytes.
    directory = try TemporaryDirectory(prefix: "cb-agent")
    socket = directory.appending("agent.sock")
    logFile = directory.appending("agent.log")
    process = try FixtureProcess.start(
      agent, ["-D", "-a", socket], environment: ["PATH": "/usr/bin:/bin"], log: logFile)
    let process = process
    let socket = socket
    let up = FixtureProcess.waitUntil(timeout: 10) {
      !process.isRunning || FileManager.default.fileExists(atPath: socket)
    }
    guard up && process.isRunning else {
      process.stop(grace: 0)
      throw FixtureError("ssh-agent did not start: \(FixtureProcess.contents(of: logFile))")
    }
    for key in keys { try add(key: key) }
  }

  /// `ssh-add`s the private key file `key`.
  public func add(key: String) throws {
    guard let add = Self.add else { throw FixtureError("ssh-add is not installed (openssh-client)") }
    try FixtureProcess.run(add, ["-q", key], environment: ["PATH": "/usr/bin:/bin", "SSH_AUTH_SOCK": socket])
  }

  /// Stops the agent; safe to call more than once.
  public func stop() {
    process.stop(grace: 2)
  }

  deinit {
    stop()
  }
}
