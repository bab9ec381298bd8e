/// Three-way structural merge of parsed YAML values.
public enum YAMLMerge {
  /// Merges `ours` and `theirs` against their common ancestor `base` (nil when there is none).
  ///
  /// - Equal sides give that value; a side equal to base gives the other side (whatever the policy).
  /// - Where both sides changed a value differently, a policy in `options.policies` whose pattern
  ///   names the place decides (see `MergePolicy`); otherwise:
  /// - Mappings merge key by key (a missing base counts as empty); order is ours' keys, then keys
  ///   only theirs added, in theirs' order. Deleted on one side and unchanged on the other: deleted;
  ///   deleted on one side and changed on the other: conflict.
  /// - Sequences of mappings with an identity key (see `MergeOptions.identityKeys`) merge item by
  ///   item. Order: ours, with theirs' new items inserted after the item that precedes them in
  ///   theirs (after any of ours' own additions there), at the end when theirs appended them, or
  ///   at the front; if ours kept base order and theirs reordered, theirs' order with ours' new
  ///   items inserted the same way. An item that replaced one the other side still has takes its place.
  /// - Sequences of scalars, and other sequences whose lengths differ, merge as ordered sets when
  ///   no side repeats an item: removals on either side applied, additions on both kept once,
  ///   ordered as above; both sides replacing the same item with different items is a conflict
  ///   on the whole sequence.
  /// - Other sequences merge by position when all three have the same length, else conflict.
  /// - Two multi-line strings changed differently go to `options.mergeText`, else conflict.
  /// - Anything else changed differently on both sides is a conflict; the merged value there is ours.
  public static func merge(
    base: Node?, ours: Node, theirs: Node, options: MergeOptions = MergeOptions()
  ) -> MergeResult {
    var merger = Merger(options: options)
    let merged = merger.merge(base, ours, theirs, at: MergePath()) ?? ours
    return MergeResult(merged: merged, conflicts: merger.conflicts)
  }
}
