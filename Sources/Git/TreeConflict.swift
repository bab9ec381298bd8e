/// One path that a 3-way tree merge could not settle by itself. nil = absent on that side.
public struct TreeConflict: Sendable, Equatable {
  /// The full path, e.g. "sections/intro.yaml".
  public let path: String
  /// The blob in the merge base, nil if the path was absent there (add/add).
  public let ancestor: ObjectID?
  /// Our blob, nil if we deleted it.
  public let ours: ObjectID?
  /// Their blob, nil if they deleted it.
  public let theirs: ObjectID?

  /// Makes a conflict value.
  public init(path: String, ancestor: ObjectID?, ours: ObjectID?, theirs: ObjectID?) {
    self.path = path
    self.ancestor = ancestor
    self.ours = ours
    self.theirs = theirs
  }
}
