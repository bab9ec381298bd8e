/// How `YAMLMerge.merge` treats sequences of mappings and multi-line strings.
public struct MergeOptions: Sendable {
  /// Identity keys for sequences of mappings, by path pattern: the sequence's path with "[]" for
  /// each sequence item on the way, e.g. "stakeholders" or "sections[].owners" (the root is "").
  ///
  /// The keys are candidates tried in order; the first one that every item on all three sides has
  /// as a scalar, unique within each side, is the identity. With no entry (or when no candidate
  /// fits) the default applies to any sequence of mappings: "id" if it fits, else "name"; else
  /// the sequence is merged by position when all three have the same length, or is a conflict.
  public var identityKeys: [String: [String]] = [:]

  /// Optional line merge for multi-line strings changed differently on both sides, called with
  /// (base, ours, theirs); base is "" when absent. Returns nil when the lines conflict.
  public var mergeText: (@Sendable (_ base: String, _ ours: String, _ theirs: String) -> String?)? =
    nil

  /// Default options: automatic identity keys, no text merge.
  public init() {}

  /// Options with the given identity keys and text merge.
  public init(
    identityKeys: [String: [String]],
    mergeText: (@Sendable (_ base: String, _ ours: String, _ theirs: String) -> String?)? = nil
  ) {
    self.identityKeys = identityKeys
    self.mergeText = mergeText
  }
}
