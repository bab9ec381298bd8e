import Foundation

/// git's own smart HTTP server (`git http-backend`, run as CGI) for the bare repositories in a
/// folder, on 127.0.0.1 behind HTTP basic auth, over HTTPS if given a certificate authority's
/// server certificate. The web server is `git_http_server.py` beside this file (Python 3's
/// standard library): it streams request bodies, chunked ones de-chunked, and responses.
///
/// Every request needs the username and password (else 401 with
/// `WWW-Authenticate: Basic realm="casebook-test"`). An `Interruption` makes a push fail
/// mid-transfer; `kill()` ends the server abruptly at any moment.
public final class GitHTTPServer: @unchecked Sendable {
  /// How a push (a `git-receive-pack` request body) is interrupted.
  public enum Interruption: Sendable {
    /// After forwarding this many bytes of the body, the server kills the backend and resets
    /// the connection.
    case dropReceivePack(afterBytes: Int)
    /// After forwarding this many bytes the server stops reading (for two minutes at most), so a
    /// test can `kill()` it mid-transfer; `waitUntilStalled` tells when.
    case stallReceivePack(afterBytes: Int)
  }

  /// Debian's python3 first (the server needs no package), else the first on PATH.
  public static let python = FixtureProcess.executable("python3", candidates: ["/usr/bin/python3"])
  /// `git http-backend`, where Debian's git keeps it.
  public static let backend = FixtureProcess.executable(
    "git-http-backend", candidates: ["/usr/lib/git-core/git-http-backend", "/usr/libexec/git-core/git-http-backend"])
  /// Whether the server can run here.
  public static var available: Bool { python != nil && backend != nil }

  /// The folder of bare repositories served: `url(forRepository: "a.git")` is `root`/a.git.
  public let root: String
  public let port: Int
  /// "http", or "https" when started with a certificate authority.
  public let scheme: String
  public let username: String
  public let password: String
  /// The server's access and error log.
  public let logFile: String

  private let directory: TemporaryDirectory
  private let stallMarker: String
  private let process: FixtureChild

  /// Starts the server for the bare repositories in `root` and returns once it accepts
  /// connections (at most 10 s, else throws with its log).
  public init(
    root: String, username: String = "casebook", password: String = "test-password",
    tls: TestCertificateAuthority? = nil, interruption: Interruption? = nil
  ) throws {
    guard let python = Self.python else { throw FixtureError("python3 is not installed") }
    guard let backend = Self.backend else { throw FixtureError("git-http-backend is not installed") }
    self.root = root
    self.username = username
    self.password = password
    scheme = tls == nil ? "http" : "https"
    directory = try TemporaryDirectory(prefix: "casebook-git-http")
    logFile = directory.appending("server.log")
    stallMarker = directory.appending("stalled")
    let portFile = directory.appending("port")
    let home = directory.appending("home")
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)

    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "git_http_server.py"
    ).path
    var args = [
      script, "--backend", backend, "--root", root, "--user", username, "--password", password,
      "--port-file", portFile, "--home", home, "--stall-marker", stallMarker,
    ]
    if let tls { args += ["--cert", tls.serverCertificate, "--key", tls.serverKey] }
    switch interruption {
    case .dropReceivePack(let bytes): args += ["--drop-receive-pack-after", String(bytes)]
    case .stallReceivePack(let bytes): args += ["--stall-receive-pack-after", String(bytes)]
    case nil: break
    }
    var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "LC_ALL": "C.UTF-8"]
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    environment["PYTHONUNBUFFERED"] = "1"
    process = try FixtureProcess.start(python, args, environment: environment, log: logFile)

    // The server writes its port once it listens.
    var found: Int?
    let process = process
    _ = FixtureProcess.waitUntil(timeout: 10) {
      found = Int(FixtureProcess.contents(of: portFile).trimmingCharacters(in: .whitespacesAndNewlines))
      return found != nil || !process.isRunning
    }
    guard let found, process.isRunning, FixtureProcess.accepts(port: found) else {
      process.stop(grace: 0)
      throw FixtureError("the git HTTP server did not start: \(FixtureProcess.contents(of: logFile))")
    }
    port = found
  }

  /// `http(s)://127.0.0.1:PORT/NAME`, for the repository `root`/`name`.
  public func url(forRepository name: String) -> String {
    "\(scheme)://127.0.0.1:\(port)/\(name)"
  }

  /// The same URL with a username and password in it (percent-encoded), by default the right ones.
  public func authenticatedURL(forRepository name: String, username: String? = nil, password: String? = nil)
    -> String
  {
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    let user = (username ?? self.username).addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    let secret = (password ?? self.password).addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    return "\(scheme)://\(user):\(secret)@127.0.0.1:\(port)/\(name)"
  }

  /// Whether the server's process is still running.
  public var isRunning: Bool { process.isRunning }

  /// The server's log so far.
  public var log: String { FixtureProcess.contents(of: logFile) }

  /// With `.stallReceivePack`: waits (at most `timeout` seconds) until a push reached the stall.
  public func waitUntilStalled(timeout: TimeInterval = 30) -> Bool {
    FixtureProcess.waitUntil(timeout: timeout) { FileManager.default.fileExists(atPath: stallMarker) }
  }

  /// Ends the server abruptly (SIGKILL): open connections are reset, a transfer in progress fails.
  public func kill() {
    process.stop(grace: 0)
  }

  /// Stops the server; safe to call more than once.
  public func stop() {
    process.stop(grace: 2)
  }

  deinit {
    stop()
  }
}
