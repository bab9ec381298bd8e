internal import CGit2

/// libgit2's process-wide options, set only when the application asks. This module changes
/// none of them itself: a library that links Casebook's Git layer gets libgit2 as libgit2 ships.
///
/// Options apply to every repository handle in the process, so set them at start-up, before any
/// repository is opened on another thread.
public enum GitLibrary {
  /// The kinds of object libgit2's cache limits are set for.
  public enum ObjectType: Sendable {
    case commit, tree, blob, tag

    var raw: git_object_t {
      switch self {
      case .commit: GIT_OBJECT_COMMIT
      case .tree: GIT_OBJECT_TREE
      case .blob: GIT_OBJECT_BLOB
      case .tag: GIT_OBJECT_TAG
      }
    }
  }

  /// Initialises libgit2 now (it is otherwise initialised by the first call that needs it). For
  /// an application that must control what happens during `git_libgit2_init`.
  public static func initialize() {
    Library.ensureInitialized()
  }

  /// The largest object of `type` that each repository's object cache keeps (libgit2's default:
  /// 4 KiB for trees, commits and tags, no blobs).
  public static func setCacheObjectLimit(_ type: ObjectType, bytes: Int) throws {
    Library.ensureInitialized()
    try check(casebook_git_set_cache_object_limit(type.raw, bytes), "git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT)")
  }

  /// The most bytes each repository's object cache may hold (libgit2's default: 256 MiB).
  public static func setCacheMaxSize(bytes: Int) throws {
    Library.ensureInitialized()
    try check(casebook_git_set_cache_max_size(bytes), "git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE)")
  }

  /// Whether writing a tree or commit first checks that every object it names exists with the
  /// right type (libgit2's default: on).
  public static func setStrictObjectCreation(_ enabled: Bool) throws {
    Library.ensureInitialized()
    try check(
      casebook_git_set_strict_object_creation(enabled ? 1 : 0),
      "git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION)")
  }

  /// Whether every object read is re-hashed and checked against its id (libgit2's default: on;
  /// git itself checks only in `fsck` and when reading packs).
  public static func setStrictHashVerification(_ enabled: Bool) throws {
    Library.ensureInitialized()
    try check(
      casebook_git_set_strict_hash_verification(enabled ? 1 : 0),
      "git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION)")
  }
}
