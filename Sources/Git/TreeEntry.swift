/// One entry of a tree: a name in that directory, what it points at, and its kind.
public struct TreeEntry: Sendable, Equatable {
  /// The file or directory name (one path component).
  public let name: String
  /// The object it points at.
  public let id: ObjectID
  /// Blob, executable, tree, link or submodule commit.
  public let kind: EntryKind

  /// Makes an entry value.
  public init(name: String, id: ObjectID, kind: EntryKind) {
    self.name = name
    self.id = id
    self.kind = kind
  }
}
