import Foundation

/// A certificate authority made for one test with `openssl`, and a server certificate it signed
/// for 127.0.0.1 and localhost: a TLS server presents `serverCertificate`/`serverKey`, and a
/// client trusts it by trusting `caCertificate` (libgit2: `TrustedCertificates.load(file:)`,
/// the git CLI: `GIT_SSL_CAINFO`). The files live in `directory`, which the caller owns.
public struct TestCertificateAuthority: Sendable {
  /// Where openssl is, if it is installed.
  public static let openssl = FixtureProcess.executable("openssl", candidates: ["/usr/bin/openssl"])
  /// Whether certificates can be made here.
  public static var available: Bool { openssl != nil }

  /// The CA's certificate (PEM): the file a client trusts.
  public let caCertificate: String
  /// The CA's private key (PEM, unencrypted).
  public let caKey: String
  /// The server certificate (PEM), for IP 127.0.0.1 and DNS localhost, signed by the CA.
  public let serverCertificate: String
  /// The server certificate's private key (PEM, unencrypted).
  public let serverKey: String

  /// Makes the CA and the server certificate in `directory` (ca.pem, ca.key, server.pem,
  /// server.key), each valid for two days.
  public init(in directory: String) throws {
    guard let openssl = Self.openssl else { throw FixtureError("openssl is not installed") }
    caCertificate = directory + "/ca.pem"
    caKey = directory + "/ca.key"
    serverCertificate = directory + "/server.pem"
    serverKey = directory + "/server.key"
    let request = directory + "/server.csr"
    let extensions = directory + "/server.ext"
    try FixtureProcess.run(
      openssl,
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey, "-out", caCertificate, "-days", "2",
        "-subj", "/CN=Casebook Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
      ])
    try FixtureProcess.run(
      openssl,
      ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKey, "-out", request, "-subj", "/CN=127.0.0.1"])
    // The IP address also as a DNS name: libgit2's mbedTLS (2.28) compares the host against the
    // DNS names only, and OpenSSL's clients (curl, so the git CLI) against the IP address.
    let names = "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:127.0.0.1\n"
    let usage = "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    try Data((names + usage).utf8).write(to: URL(fileURLWithPath: extensions))
    try FixtureProcess.run(
      openssl,
      [
        "x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial",
        "-out", serverCertificate, "-days", "2", "-extfile", extensions,
      ])
  }
}
