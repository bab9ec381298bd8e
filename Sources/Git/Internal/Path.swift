internal import CGit2

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Repository-relative paths as the tree functions accept them: "a/b/c.yaml".
enum RepositoryPath {
  /// Splits and validates a path: no empty, ".", ".." or ".git" component, no leading, trailing
  /// or double "/", no NUL. Throws GitError(code -1, function `function`) otherwise, because such
  /// a path would either escape the tree or produce an object that `git fsck` rejects.
  static func components(_ path: String, function: String) throws -> [Substring] {
    // Split and checked on UTF-8 bytes ("/" and "." are ASCII, so never inside a multi-byte
    // character): splitting by Character costs a grapheme-breaking pass over every path.
    let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { Substring($0) }
    for part in parts {
      let bytes = part.utf8
      // `.git` in any case, compared without making a lowercased copy of every component.
      let isDotGit =
        bytes.count == 4
        && bytes.elementsEqual(".git".utf8) { a, b in
          (a >= 0x41 && a <= 0x5A ? a | 0x20 : a) == b
        }
      if bytes.isEmpty || bytes.elementsEqual(".".utf8) || bytes.elementsEqual("..".utf8) || isDotGit
        || bytes.contains(0)
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
    split(separator: "\0", omittingEmptySubsequences: false).joined(separator: "\\0")
  }
}
