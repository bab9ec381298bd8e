internal import CGit2

/// A run of lines of a file that one commit last changed, as `git blame` reports them.
public struct BlameHunk: Sendable, Equatable {
  /// The commit that last changed these lines.
  public let commit: ObjectID
  /// The first line of the run in the blamed version of the file, from 1.
  public let startLine: Int
  /// How many lines the run has.
  public let lineCount: Int
}

extension Repository {
  /// Which commit last changed each line of `path` as it is in commit `newest`, following every
  /// parent, as `git blame <newest> -- <path>` does. Throws `isNotFound` when the file is not in
  /// `newest`.
  public func blame(path: String, newest: ObjectID) throws -> [BlameHunk] {
    var options = git_blame_options()
    try check(git_blame_options_init(&options, UInt32(GIT_BLAME_OPTIONS_VERSION)), "git_blame_options_init")
    options.newest_commit = newest.oid
    var blame: OpaquePointer?
    try check(git_blame_file(&blame, handle, path, &options), "git_blame_file")
    defer { git_blame_free(blame) }
    var hunks: [BlameHunk] = []
    for index in 0..<git_blame_get_hunk_count(blame) {
      guard let hunk = git_blame_get_hunk_byindex(blame, index)?.pointee else { continue }
      hunks.append(
        BlameHunk(
          commit: ObjectID(hunk.final_commit_id), startLine: Int(hunk.final_start_line_number),
          lineCount: Int(hunk.lines_in_hunk)))
    }
    return hunks
  }
}
