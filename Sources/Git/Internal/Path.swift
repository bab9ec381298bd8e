internal import CGit2
import Foundation

/// Repository-relative paths as the tree functions accept them: "a/b/c.yaml".
enum RepositoryPath {
  /// Splits and validates a path: no empty, ".", ".." or ".git" component, no leading, trailing
  /// or double "/", no NUL. Throws GitError(code -1, function `function`) otherwise, because such
  /// a path would either escape the tree or produce an object that `git fsck` rejects.
  static func components(_ path: String, function: String) throws -> [Substring] {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    for part in parts {
      if part.isEmpty || part == "." || part == ".." || part.lowercased() == ".git"
        || part.utf8.contains(0)
      {
        throw GitError(
          code: -1, klass: Int32(GIT_ERROR_INVALID.rawValue),
          message: "invalid path '\(path.replacingNUL)'", function: function)
      }
    }
    return parts
  }
}

extension String {
  /// The string with NUL shown as "\0", so an error message stays one readable C-safe line.
  fileprivate var replacingNUL: String {
    self.replacingOccurrences(of: "\0", with: "\\0")
  }
}
