#include <git2.h>

// git_libgit2_opts is variadic, which Swift cannot call: one typed wrapper per option used.

/// Largest object of `type` that libgit2's per-repository object cache keeps. The defaults
/// (4 KiB for trees, none for blobs) make a project's `sections/` tree, once it has a few dozen
/// sections, be re-read and re-inflated on every operation.
static inline int casebook_git_set_cache_object_limit(git_object_t type, size_t size) {
  return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, size);
}
