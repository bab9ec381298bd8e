import CGit2
import Foundation
import Git
import TestSupport
import Testing

/// HTTPS certificates in a process that links the Git layer (this test process, like a server
/// or sync tool would), against a real TLS server on 127.0.0.1 (`openssl s_server`, with a CA
/// made for the test): libgit2 checks every certificate against the system's bundle, so the
/// test's unknown CA is refused, and once that CA is trusted the handshake passes. (The
/// `casebook` executable defers the system bundle instead: SystemTests checks that.)
///
/// One test, in order, because libgit2's list of trusted certificates is process-wide.
@Suite(.serialized) struct TrustedCertificatesTests {
  @Test(.enabled(if: TestCertificateAuthority.available, "openssl is not installed"))
  func aLibraryProcessVerifiesCertificates() throws {
    // Nothing defers the bundle in a library process; load() has nothing to do.
    #expect(TrustedCertificates.deferredBundle == nil)
    try TrustedCertificates.load()
    // The raw libgit2 calls below need it initialised, which no Git call may have done yet when
    // this test runs alone.
    GitLibrary.initialize()

    let dir = try TemporaryDirectory()
    let tls = try TestTLSServer(in: dir.path)
    defer { tls.stop() }
    let url = "https://127.0.0.1:\(tls.port)/project.git"

    // The system's CAs do not vouch for the test's own: refused, not accepted unchecked.
    let unknown = try Self.connect(url, scratch: dir.appending("repo"))
    #expect(unknown.code == GIT_ECERTIFICATE.rawValue, "\(unknown)")

    // A file with no certificate in it reaches the TLS library's real parser, which refuses it.
    let garbage = dir.appending("garbage.pem")
    try Data("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n".utf8)
      .write(to: URL(fileURLWithPath: garbage))
    #expect(throws: GitError.self) { try TrustedCertificates.load(file: garbage) }

    // The test's own CA trusted: the handshake and the certificate check pass, and the failure
    // that is left is the HTTP one (s_server answers with a web page, not a git service).
    try TrustedCertificates.load(file: tls.caFile)
    let trusted = try Self.connect(url, scratch: dir.appending("repo2"))
    #expect(trusted.code != GIT_ECERTIFICATE.rawValue, "\(trusted)")
    #expect(!trusted.message.localizedCaseInsensitiveContains("certificate"), "\(trusted)")
  }

  /// libgit2's error from connecting an anonymous remote at `url` for fetching.
  static func connect(_ url: String, scratch: String) throws -> (code: Int32, message: String) {
    var repo: OpaquePointer?
    guard git_repository_init(&repo, scratch, 1) == 0 else { throw TestFailure("git_repository_init failed") }
    defer { git_repository_free(repo) }
    var remote: OpaquePointer?
    guard git_remote_create_anonymous(&remote, repo, url) == 0 else { throw TestFailure("no remote for \(url)") }
    defer { git_remote_free(remote) }
    let rc = git_remote_connect(remote, GIT_DIRECTION_FETCH, nil, nil, nil)
    let message = git_error_last().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? ""
    git_error_clear()
    guard rc != 0 else { throw TestFailure("connected to \(url), which serves no git repository") }
    return (rc, message)
  }
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// `openssl s_server` on 127.0.0.1 with the server certificate of a `TestCertificateAuthority`
/// made here.
final class TestTLSServer {
  let caFile: String
  let port: Int
  private let process: Process

  init(in dir: String) throws {
    let authority = try TestCertificateAuthority(in: dir)
    caFile = authority.caCertificate

    let log = dir + "/server.log"
    FileManager.default.createFile(atPath: log, contents: nil)
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = [
      "s_server", "-accept", "127.0.0.1:0", "-cert", authority.serverCertificate, "-key",
      authority.serverKey, "-www",
    ]
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    process.standardError = FileHandle.nullDevice
    try process.run()
    // s_server prints "ACCEPT 127.0.0.1:<port>" once it listens; wait at most 10 s for it.
    var found: Int?
    for _ in 0..<200 {
      let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }),
        let port = line.split(separator: ":").last.flatMap({ Int($0) })
      {
        found = port
        break
      }
      Thread.sleep(forTimeInterval: 0.05)
    }
    guard let found else {
      kill(process.processIdentifier, SIGKILL)
      throw TestFailure("openssl s_server did not start listening")
    }
    port = found
  }

  func stop() {
    // s_server outlives SIGTERM while a client is attached; SIGKILL it.
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}
