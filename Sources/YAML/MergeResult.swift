/// The outcome of a 3-way merge.
public struct MergeResult: Sendable, Equatable {
  /// The merged value; at a conflicting path it holds our value (callers write nothing while there are conflicts).
  public let merged: Node
  /// The conflicts, in document order (ours' order).
  public let conflicts: [MergeConflict]
  /// Whether there are no conflicts.
  public var isClean: Bool { conflicts.isEmpty }

  /// A result with the given fields.
  public init(merged: Node, conflicts: [MergeConflict]) {
    self.merged = merged
    self.conflicts = conflicts
  }
}
