/// What a tree entry points at, from its file mode.
public enum EntryKind: Sendable, Equatable {
  /// A regular file (mode 100644).
  case blob
  /// An executable file (mode 100755).
  case executable
  /// A subdirectory (mode 040000).
  case tree
  /// A symbolic link (mode 120000).
  case link
  /// A submodule commit (mode 160000).
  case commit
}
