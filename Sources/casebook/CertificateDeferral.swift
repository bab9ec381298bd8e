import Git

#if os(Linux)
  import Glibc
#endif

// Debian's libgit2 is built with mbedTLS, whose start-up (`git_libgit2_init`) parses every
// certificate in the system CA bundle: about 140 of them, 6–7 ms, a quarter of a
// `casebook section revise` process, for HTTPS that a local write never does. libgit2 offers no
// way to skip or delay it (libgit2/libgit2#3935 asks for exactly this laziness), so the
// `casebook` executable, and only it, defines mbedTLS's `mbedtls_x509_crt_parse_file`. The
// dynamic linker binds libgit2's call to this definition, which forwards every call to mbedTLS
// except the ones made while `initializeLibgit2()` runs `git_libgit2_init`; that one's file is
// handed to `TrustedCertificates.deferSystemBundle`. libgit2 is then left with an empty list of
// trusted certificates, so until `TrustedCertificates.load()` runs every HTTPS certificate is
// refused: deferral fails closed. With a libgit2 built on OpenSSL (which reads its CA store
// lazily anyway) nothing calls this function, and nothing changes. A library or server that
// links Casebook does not get this definition, and libgit2 loads and checks certificates as usual.

enum CertificateDeferral {
  /// True only inside `initializeLibgit2()`, on the main thread, before any other thread exists.
  nonisolated(unsafe) static var active = false

  /// Initialises libgit2 with the CA bundle's parsing deferred.
  static func initializeLibgit2() {
    active = true
    GitLibrary.initialize()
    active = false
  }
}

#if os(Linux)
  /// mbedTLS's own `mbedtls_x509_crt_parse_file`, found past this binary's definition.
  private let mbedtlsParseFile: (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32)? = {
    // RTLD_NEXT: the next definition in load order after this object's, i.e. libmbedx509's.
    guard let next = UnsafeMutableRawPointer(bitPattern: -1), let symbol = dlsym(next, "mbedtls_x509_crt_parse_file")
    else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32).self)
  }()

  /// `MBEDTLS_ERR_X509_FILE_IO_ERROR`: what mbedTLS itself returns for a file it cannot read.
  private let mbedtlsFileIOError: Int32 = -0x2900

  @_cdecl("mbedtls_x509_crt_parse_file")
  public func _casebookDeferredCertificateParse(_ chain: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    if CertificateDeferral.active {
      if let path { TrustedCertificates.deferSystemBundle(String(cString: path)) }
      return 0
    }
    guard let parse = mbedtlsParseFile else { return mbedtlsFileIOError }
    return parse(chain, path)
  }
#endif
