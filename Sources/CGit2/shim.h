#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

// git_libgit2_opts is variadic, which Swift cannot call: one typed wrapper per option used.

/// Largest object of `type` that libgit2's per-repository object cache keeps. The defaults
/// (4 KiB for trees, none for blobs) make a project's `sections/` tree, once it has a few dozen
/// sections, be re-read and re-inflated on every operation.
static inline int casebook_git_set_cache_object_limit(git_object_t type, size_t size) {
  return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, size);
}

/// The most bytes libgit2's object cache may hold per repository handle (default 256 MiB).
static inline int casebook_git_set_cache_max_size(ssize_t size) {
  return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, size);
}

/// Whether libgit2 checks, when it writes a tree or commit, that every object it points to
/// exists with the right type (one object-database read per entry and parent).
static inline int casebook_git_set_strict_object_creation(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, enabled);
}

/// Whether libgit2 re-hashes every object it reads to check it against its id. git itself does
/// not (only `git fsck` and pack verification do); Casebook's `doctor` checks integrity.
static inline int casebook_git_set_strict_hash_verification(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

/// An object-database backend whose state lives in Swift (Git/Internal/RecentObjects.swift):
/// libgit2 hands callbacks the `git_odb_backend` pointer, and `context` recovers the owner.
typedef struct casebook_memory_backend {
  git_odb_backend parent;
  void *context;
} casebook_memory_backend;

/// deflateInit2 is a macro, which Swift cannot call: the writer of loose objects uses this.
static inline int casebook_deflate_init(z_stream *stream, int level, int window_bits, int mem_level) {
  return deflateInit2(stream, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY);
}

/// Where libgit2's TLS stream finds trusted CA certificates: a bundle file, a directory, or both.
/// With mbedTLS (Debian's build) this parses them at once.
static inline int casebook_git_set_ssl_cert_locations(const char *file, const char *path) {
  return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path);
}
