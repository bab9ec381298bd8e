internal import CGit2

/// The CA certificates libgit2 trusts when it talks HTTPS.
///
/// With a libgit2 built on mbedTLS (Debian's), parsing the system's CA bundle is most of the cost
/// of starting a short-lived process, and nothing local needs it. So this module defers it: from
/// start-up until `load()`, libgit2 trusts no certificate at all (an HTTPS connection is refused,
/// never accepted unchecked), and `load()` reads the bundle libgit2 would have read. Anything that
/// fetches or pushes over HTTPS calls `load()` first.
public enum TrustedCertificates {
  /// The CA bundle libgit2 asked for at start-up, whose parsing was deferred to `load()`; nil when
  /// nothing was deferred (a libgit2 built on OpenSSL, or no bundle on this machine).
  public static var deferredBundle: String? {
    Library.ensureInitialized()
    #if os(Linux)
      return CertificateDeferral.deferredFile
    #else
      return nil
    #endif
  }

  /// Loads the CA bundle deferred at start-up, once per process; later calls return at once (or
  /// throw the first call's error). Throws libgit2's error when the bundle cannot be parsed.
  public static func load() throws {
    try systemLoad.get()
  }

  /// Trusts the certificates in `file` (a PEM bundle) and/or `directory` (one file per
  /// certificate) instead, e.g. a team's own CA for its git server. Throws libgit2's error, with
  /// mbedTLS's reason, for a file that holds no valid certificate. The list is process-wide, as
  /// libgit2 keeps it: change it before connecting, not while a connection is open.
  public static func load(file: String?, directory: String? = nil) throws {
    precondition(file != nil || directory != nil, "TrustedCertificates.load needs a file or a directory")
    Library.ensureInitialized()
    try check(casebook_git_set_ssl_cert_locations(file, directory), "git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS)")
  }

  private static let systemLoad: Result<Void, GitError> = {
    guard let file = deferredBundle else { return .success(()) }
    do {
      try load(file: file)
      return .success(())
    } catch {
      return .failure(error as? GitError ?? GitError(code: -1, klass: 0, message: "\(error)", function: "TrustedCertificates.load"))
    }
  }()
}
