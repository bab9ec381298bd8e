/// What moving a project to another gate did (or, for a dry run, would do): the sections the new
/// gate's template adds, the ones it carries over, and the ones the project keeps although the
/// new template does not list them. Nothing is ever removed.
public struct GateChange: Sendable, Codable {
  /// One section in the report, with its state in the session (nil status: not drafted yet).
  public struct Entry: Sendable, Codable {
    public let sectionId: String
    public let title: String
    public let required: Bool
    public let status: SectionRecord.Status?
    public let revision: Int?
  }

  public let fromGate: String
  public let toGate: String
  public let fromTemplate: String
  public let toTemplate: String
  /// "forward" (one gate on), "skip" (more than one on) or "back"; the last two need --force.
  public let direction: String
  /// Sections new to the project: drafted with `section draft ID` from the new skeletons.
  public let added: [Entry]
  /// Sections the new gate also lists: their drafts stay as they are; guidance and skeleton are the new gate's.
  public let carried: [Entry]
  /// Sections of the project the new gate does not list: kept, with their drafts, in the list.
  public let kept: [Entry]
  /// Profile keys from the new template's stub that the profile did not have yet.
  public let profileKeysAdded: [String]
  /// The commit, or nil for a dry run.
  public internal(set) var commit: String?
  public let branch: String
}

extension GateChange: ReplayableResult {
  func replayed(commit: String, in project: Project) -> GateChange {
    var out = self
    out.commit = commit
    return out
  }
}
