/// How `YAMLMerge.merge` treats sequences of mappings, multi-line strings and places with a policy.
public struct MergeOptions: Sendable {
  /// Identity keys for sequences of mappings, by `MergePattern` text naming the sequence, e.g.
  /// "stakeholders", "sections[].owners" or "*.members" (the root is "").
  ///
  /// The keys are candidates tried in order; the first one that every item on all three sides has
  /// as a scalar, unique within each side, is the identity. With no entry (or when no candidate
  /// fits) the default applies to any sequence of mappings: "id" if it fits, else "name"; else
  /// the sequence is merged by position when all three have the same length, or is a conflict.
  /// Entries whose pattern does not parse are ignored (Casebook checks them when it reads
  /// `casebook.yaml`).
  public var identityKeys: [String: [String]] = [:]

  /// Policies by `MergePattern` text, e.g. ["last_active": .newest, "gate_stage": .forwardOnly(order: [])].
  /// A policy decides what happens where both sides changed a value differently. Where several
  /// patterns match one place, the one with the fewest "*" wins, then the one that sorts first.
  /// Entries whose pattern does not parse are ignored.
  public var policies: [String: MergePolicy] = [:]

  /// Optional line merge for multi-line strings changed differently on both sides, called with
  /// (base, ours, theirs); base is "" when absent. Returns nil when the lines conflict.
  public var mergeText: (@Sendable (_ base: String, _ ours: String, _ theirs: String) -> String?)? =
    nil

  /// Default options: automatic identity keys, no policies, no text merge.
  public init() {}

  /// Options with the given identity keys, text merge and policies.
  public init(
    identityKeys: [String: [String]],
    mergeText: (@Sendable (_ base: String, _ ours: String, _ theirs: String) -> String?)? = nil,
    policies: [String: MergePolicy] = [:]
  ) {
    self.identityKeys = identityKeys
    self.mergeText = mergeText
    self.policies = policies
  }
}
