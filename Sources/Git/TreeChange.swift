/// What to do to one path when building a tree.
public enum TreeChange: Sendable, Equatable {
  /// Set the path to this blob as a regular file (mode 100644).
  case blob(ObjectID)
  /// Set the path to this blob as an executable file (mode 100755).
  case executable(ObjectID)
  /// Remove the path (no error if already absent).
  case remove
}
