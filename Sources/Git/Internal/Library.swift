internal import CGit2

/// libgit2's process-wide state. It is initialised once, lazily, and never shut down:
/// shutting down while another Repository is alive would free global state under it.
enum Library {
  /// `git_libgit2_init` runs exactly once, the first time this is read (Swift statics are lazy and thread-safe).
  private static let initCount: Int32 = {
    #if os(Linux)
      // See TrustedCertificates+Deferral.swift: the CA bundle is parsed when HTTPS needs it.
      CertificateDeferral.active = true
      let count = git_libgit2_init()
      CertificateDeferral.active = false
    #else
      let count = git_libgit2_init()
    #endif
    // Keep trees up to 256 KiB in the object cache (default 4 KiB): the store reads the same
    // `sections/` and root trees on every operation.
    _ = casebook_git_set_cache_object_limit(GIT_OBJECT_TREE, 256 << 10)
    // And small blobs (default: none), which are the YAML records every write reads: the
    // section's record on main and in the session, the session file, the lock.
    _ = casebook_git_set_cache_object_limit(GIT_OBJECT_BLOB, 16 << 10)
    // At most 32 MiB cached per handle (default 256 MiB): the working set of a write is a few
    // trees and records, and a long-running process (a server holding many projects open)
    // should not grow by every tree it ever read.
    _ = casebook_git_set_cache_max_size(32 << 20)
    // Every tree entry and parent the store writes is an object it has just written or read, so
    // libgit2's re-read of each one (to check that it exists and has the right type) is pure
    // cost: about a fifth of a revise's system calls. `git fsck` in the tests checks the result.
    _ = casebook_git_set_strict_object_creation(0)
    // Nor does it re-hash each object it reads (libgit2's default, unlike git's): a revise read
    // and re-hashed about 10 KB this way. `git fsck` and `casebook doctor` check integrity.
    _ = casebook_git_set_strict_hash_verification(0)
    return count
  }()

  /// Makes sure libgit2 is initialised before the first C call.
  static func ensureInitialized() {
    _ = initCount
  }
}
