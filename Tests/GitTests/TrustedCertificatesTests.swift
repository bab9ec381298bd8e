import CGit2
import Foundation
import Git
import TestSupport
import Testing

/// The deferred CA bundle (Git/Internal/TrustedCertificates+Deferral.swift), against a real TLS
/// server on 127.0.0.1 (`openssl s_server`, with a CA made for the test): until the certificates
/// are loaded every HTTPS certificate is refused, and loading really parses them.
///
/// One test, in order, because libgit2's list of trusted certificates is process-wide.
@Suite(.serialized) struct TrustedCertificatesTests {
  /// Whether this libgit2 is built on mbedTLS (Debian's is), which is what the deferral is for.
  static var libgit2UsesMbedTLS: Bool {
    // /proc files report a size of 0, so read to the end rather than by size.
    guard let maps = FileHandle(forReadingAtPath: "/proc/self/maps"), let bytes = try? maps.readToEnd() else { return false }
    return String(decoding: bytes, as: UTF8.self).contains("libmbedx509")
  }

  @Test(.enabled(if: libgit2UsesMbedTLS && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
  func httpsIsRefusedUntilCertificatesAreLoadedAndAcceptedAfter() throws {
    // Asked first, so that this module's start-up (not a bare git_libgit2_init) is what ran.
    let bundle = try #require(TrustedCertificates.deferredBundle)
    #expect(FileManager.default.fileExists(atPath: bundle), "libgit2 asked for \(bundle)")

    let dir = try TemporaryDirectory()
    let tls = try TestTLSServer(in: dir.path)
    defer { tls.stop() }
    let url = "https://127.0.0.1:\(tls.port)/project.git"

    // Nothing loaded: the server's certificate is refused, not accepted unchecked.
    let before = try Self.connect(url, scratch: dir.appending("repo"))
    #expect(before.code == GIT_ECERTIFICATE.rawValue, "\(before)")

    // A file with no certificate in it reaches mbedTLS's real parser, which refuses it.
    let garbage = dir.appending("garbage.pem")
    try Data("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n".utf8)
      .write(to: URL(fileURLWithPath: garbage))
    #expect {
      try TrustedCertificates.load(file: garbage)
    } throws: { error in
      (error as? GitError)?.message.contains("failed to load CA certificates") ?? false
    }

    // The test's own CA: the handshake and the certificate check pass, and the failure that is
    // left is the HTTP one (s_server answers with a web page, not a git service).
    try TrustedCertificates.load(file: tls.caFile)
    let trusted = try Self.connect(url, scratch: dir.appending("repo"))
    #expect(trusted.code != GIT_ECERTIFICATE.rawValue, "\(trusted)")
    #expect(!trusted.message.localizedCaseInsensitiveContains("certificate"), "\(trusted)")

    // The deferred system bundle parses, and it does not vouch for the test's CA.
    try TrustedCertificates.load()
    try TrustedCertificates.load()
    let system = try Self.connect(url, scratch: dir.appending("repo"))
    #expect(system.code == GIT_ECERTIFICATE.rawValue, "\(system)")
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

/// `openssl s_server` on 127.0.0.1 with a certificate for `127.0.0.1` signed by a CA made here.
final class TestTLSServer {
  let caFile: String
  let port: Int
  private let process: Process

  init(in dir: String) throws {
    caFile = dir + "/ca.pem"
    try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/ca.key", "-out", caFile,
      "-days", "2", "-subj", "/CN=Casebook Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign"])
    try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/server.key", "-out",
      dir + "/server.csr", "-subj", "/CN=127.0.0.1"])
    try Self.openssl(["x509", "-req", "-in", dir + "/server.csr", "-CA", caFile, "-CAkey", dir + "/ca.key",
      "-CAcreateserial", "-out", dir + "/server.pem", "-days", "2"])

    let log = dir + "/server.log"
    FileManager.default.createFile(atPath: log, contents: nil)
    process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", dir + "/server.pem", "-key",
      dir + "/server.key", "-www"]
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

  private static func openssl(_ args: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = args
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestFailure("openssl \(args[0]) failed") }
  }
}
