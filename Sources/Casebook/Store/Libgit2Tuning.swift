import Git

/// The libgit2 options the store's write path is measured with (docs/DECISIONS.md, "Write
/// path"). libgit2's options are process-wide, so the application applies them, once, at
/// start-up: the `casebook` executable and the benchmarks do. A program that links the library
/// and does not call this gets libgit2's defaults, which are slower and check more.
public enum Libgit2Tuning {
  public static func apply() throws {
    // Keep trees up to 256 KiB in the object cache (default 4 KiB): the store reads the same
    // `sections/` and root trees on every operation.
    try GitLibrary.setCacheObjectLimit(.tree, bytes: 256 << 10)
    // And small blobs (default: none), which are the YAML records every write reads: the
    // section's record on main and in the session, the session file, the lock.
    try GitLibrary.setCacheObjectLimit(.blob, bytes: 16 << 10)
    // At most 32 MiB cached per handle (default 256 MiB): the working set of a write is a few
    // trees and records, and a long-running process (a server holding many projects open)
    // should not grow by every tree it ever read.
    try GitLibrary.setCacheMaxSize(bytes: 32 << 20)
    // Every tree entry and parent the store writes is an object it has just written or read, so
    // libgit2's re-read of each one (to check that it exists and has the right type) is pure
    // cost: about a fifth of a revise's system calls. `git fsck` in the tests checks the result.
    try GitLibrary.setStrictObjectCreation(false)
    // Nor re-hash each object read (libgit2's default, unlike git's): a revise read and
    // re-hashed about 10 KB this way. `git fsck` and `casebook doctor` check integrity.
    try GitLibrary.setStrictHashVerification(false)
  }
}
