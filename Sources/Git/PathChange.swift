/// One path that differs between two trees. nil = absent on that side.
public struct PathChange: Sendable, Equatable {
  /// The full path of the file.
  public let path: String
  /// The blob before, nil if added.
  public let old: ObjectID?
  /// The blob after, nil if deleted.
  public let new: ObjectID?

  /// Makes a change value.
  public init(path: String, old: ObjectID?, new: ObjectID?) {
    self.path = path
    self.old = old
    self.new = new
  }
}
