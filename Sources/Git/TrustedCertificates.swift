internal import CGit2
import Synchronization

/// The CA certificates libgit2 trusts when it talks HTTPS.
///
/// By default libgit2 loads the system's CA bundle when it starts, and every HTTPS certificate
/// is checked against it. An application that keeps libgit2 from parsing the bundle at start-up
/// (the `casebook` executable does, for its start-up time: see its CertificateDeferral.swift)
/// records the bundle here with `deferSystemBundle(_:)`; until `load()` runs, libgit2 then
/// trusts no certificate at all, so an HTTPS connection is refused, never accepted unchecked.
/// Anything that fetches or pushes over HTTPS calls `load()` first; it does nothing when nothing
/// was deferred.
public enum TrustedCertificates {
  private struct State {
    var deferred: String?
    var loaded: Result<Void, GitError>?
  }

  private static let state = Mutex(State())

  /// Records the CA bundle whose parsing the application kept from libgit2's start-up, for
  /// `load()` to read.
  public static func deferSystemBundle(_ file: String) {
    state.withLock { $0.deferred = file }
  }

  /// The CA bundle recorded by `deferSystemBundle(_:)`; nil when nothing was deferred.
  public static var deferredBundle: String? { state.withLock { $0.deferred } }

  /// Loads the deferred CA bundle, once per process; later calls return at once (or throw the
  /// first call's error). Does nothing when nothing was deferred: libgit2 then loaded the
  /// system's bundle itself at start-up.
  public static func load() throws {
    let result = state.withLock { state -> Result<Void, GitError> in
      if let loaded = state.loaded { return loaded }
      guard let file = state.deferred else { return .success(()) }
      let result: Result<Void, GitError>
      do {
        try load(file: file)
        result = .success(())
      } catch {
        result = .failure(
          error as? GitError ?? GitError(code: -1, klass: 0, message: "\(error)", function: "TrustedCertificates.load"))
      }
      state.loaded = result
      return result
    }
    try result.get()
  }

  /// Trusts the certificates in `file` (a PEM bundle) and/or `directory` (one file per
  /// certificate), e.g. a team's own CA for its git server. Throws libgit2's error, with the TLS
  /// library's reason, for a file that holds no valid certificate. The list is process-wide, as
  /// libgit2 keeps it: change it before connecting, not while a connection is open.
  public static func load(file: String?, directory: String? = nil) throws {
    precondition(file != nil || directory != nil, "TrustedCertificates.load needs a file or a directory")
    Library.ensureInitialized()
    try check(casebook_git_set_ssl_cert_locations(file, directory), "git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS)")
  }
}
