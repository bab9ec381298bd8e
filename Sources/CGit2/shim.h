#include <git2.h>
#include <git2/sys/odb_backend.h>

// git_libgit2_opts is variadic, which Swift cannot call: one typed wrapper per option used.

/// Largest object of `type` that libgit2's per-repository object cache keeps. The defaults
/// (4 KiB for trees, none for blobs) make a project's `sections/` tree, once it has a few dozen
/// sections, be re-read and re-inflated on every operation.
static inline int casebook_git_set_cache_object_limit(git_object_t type, size_t size) {
  return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, size);
}

/// Whether libgit2 checks, when it writes a tree or commit, that every object it points to
/// exists with the right type (one object-database read per entry and parent).
static inline int casebook_git_set_strict_object_creation(int enabled) {
  return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, enabled);
}

/// Writes one object through a loose-object backend directly (see Repository+ObjectWriter).
static inline int casebook_git_backend_write(
    git_odb_backend *backend, const git_oid *id, const void *data, size_t length, git_object_t type) {
  return backend->write(backend, id, data, length, type);
}

static inline void casebook_git_backend_free(git_odb_backend *backend) {
  backend->free(backend);
}
