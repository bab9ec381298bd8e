internal import CGit2

/// Turns a libgit2 return code into a thrown `GitError`.
///
/// libgit2 keeps its last error per thread, so this must run right after the call that failed,
/// with no suspension point in between. The error is cleared once read so that a later, unrelated
/// failure without a message of its own never reports a stale one.
@inline(__always)
func check(_ rc: Int32, _ function: String) throws {
  if rc < 0 { throw lastError(rc, function) }
}

/// Reads (and clears) libgit2's last error for a failed call.
func lastError(_ rc: Int32, _ function: String) -> GitError {
  var klass: Int32 = 0
  var message = "unknown error"
  if let last = git_error_last() {
    klass = last.pointee.klass
    if let text = last.pointee.message { message = String(cString: text) }
  }
  git_error_clear()
  return GitError(code: rc, klass: klass, message: message, function: function)
}
