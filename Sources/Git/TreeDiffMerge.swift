/// The plan of a diff-driven 3-way merge (`Repository.diffMerge`): what to change in "ours" to
/// bring in "theirs", and the paths both sides changed differently.
public struct TreeDiffMerge: Sendable, Equatable {
  /// Theirs' changes that ours did not touch, to apply to ours' tree with `buildTree(base:changes:)`.
  public let changes: [String: TreeChange]
  /// Files changed differently on both sides (modify/modify, add/add, modify/delete), sorted by
  /// path. A side that holds a folder where another holds a file is reported as absent (nil).
  public let conflicts: [TreeConflict]
  /// Every file theirs changed since the ancestor where ours does not already hold theirs'
  /// version, sorted by path: what the caller checks rules such as locks against.
  public let theirChanges: [PathChange]

  /// Makes a plan value.
  public init(changes: [String: TreeChange], conflicts: [TreeConflict], theirChanges: [PathChange]) {
    self.changes = changes
    self.conflicts = conflicts
    self.theirChanges = theirChanges
  }
}
