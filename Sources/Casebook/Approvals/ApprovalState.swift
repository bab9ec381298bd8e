import Git

/// An approval and where it stands against main now (`casebook approvals`).
public struct ApprovalStatus: Sendable, Encodable {
  public enum State: String, Sendable, Encodable {
    /// The latest approval of its section, and the section's text on main is the text it approved.
    case current
    /// The latest approval of its section, but the section's text on main changed since.
    case stale
    /// A later approval of the same section exists.
    case superseded
  }

  /// A commit on main that changed the section after the approval.
  public struct Change: Sendable, Encodable {
    public let commit: String
    public let summary: String
    public let author: String
  }

  public let approval: Approval
  public let state: State
  /// For a stale approval: the commits on main that changed the section since, newest first.
  public let changedBy: [Change]
  /// The tag that superseded this one.
  public let supersededBy: String?

  enum CodingKeys: String, CodingKey {
    case tag, section, version, decision, reviewer, recordedBy, time, commit, revision, state, changedBy, supersededBy
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(approval.tag, forKey: .tag)
    try container.encode(approval.section, forKey: .section)
    try container.encode(approval.version, forKey: .version)
    try container.encode(approval.decision, forKey: .decision)
    try container.encode(approval.reviewer, forKey: .reviewer)
    try container.encode(approval.recordedBy, forKey: .recordedBy)
    try container.encode(approval.time, forKey: .time)
    try container.encode(approval.commit, forKey: .commit)
    try container.encode(approval.revision, forKey: .revision)
    try container.encode(state, forKey: .state)
    try container.encode(changedBy, forKey: .changedBy)
    try container.encode(supersededBy, forKey: .supersededBy)
  }
}

extension Project {
  /// Every approval (or those of one section) with its state against main now: current, stale
  /// (the section's text on main is no longer the text approved, with the commits that changed
  /// it) or superseded (a later approval of the section exists). Oldest first.
  public func approvalStatuses(section: String? = nil) throws -> [ApprovalStatus] {
    let all = try approvals(section: section)
    let main = try mainSnapshot()
    var latest: [String: Approval] = [:]
    for approval in all where approval.version > (latest[approval.section]?.version ?? 0) {
      latest[approval.section] = approval
    }
    return try all.map { approval in
      if let last = latest[approval.section], last.version != approval.version {
        return ApprovalStatus(approval: approval, state: .superseded, changedBy: [], supersededBy: last.tag)
      }
      let id = try SectionID(approval.section)
      let now = try main.blobID(Layout.sectionContent(id))
      if now?.hex == approval.content {
        return ApprovalStatus(approval: approval, state: .current, changedBy: [], supersededBy: nil)
      }
      return ApprovalStatus(
        approval: approval, state: .stale, changedBy: try changes(of: id, since: approval, on: main), supersededBy: nil)
    }
  }

  /// The commits on main that changed section `id`'s text after `approval`'s commit (at most 100).
  private func changes(of id: SectionID, since approval: Approval, on main: Snapshot) throws -> [ApprovalStatus.Change]
  {
    guard let head = main.commit, let approved = ObjectID(hex: approval.commit) else { return [] }
    var out: [ApprovalStatus.Change] = []
    for commit in try repository.log(from: head, path: Layout.sectionContent(id), limit: 1000) {
      if try repository.isDescendant(approved, of: commit.id) { continue }
      out.append(ApprovalStatus.Change(commit: commit.id.hex, summary: commit.summary, author: commit.author.name))
      if out.count == 100 { break }
    }
    return out
  }
}
