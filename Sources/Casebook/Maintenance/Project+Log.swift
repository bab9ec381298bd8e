import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One commit as the log and the audit trail show it.
public struct LogEntry: Sendable, Encodable {
  public let kind: String
  public let commit: String
  public let time: String
  public let user: String
  public let action: String?
  public let session: String?
  public let section: String?
  public let summary: String
  public let trailers: [String: String]
  public let parents: Int
}

extension Project {
  /// Commits on main (or a session's branch), newest first, optionally only those touching a
  /// section.
  public func log(session: String? = nil, section: String? = nil, limit: Int? = nil) throws -> [LogEntry] {
    let branch = try session.map { try sessionSnapshot(SessionID($0)) } ?? mainSnapshot()
    let path = try section.map { Layout.sectionMeta(try SectionID($0)) }
    return try repository.log(from: branch.commit!, path: path, limit: limit).map(Self.entry)
  }

  /// The whole audit trail: every Casebook commit on main, on every session branch and on every
  /// section lock's ref, and every approval, oldest first.
  public func audit() throws -> [LogEntry] {
    var heads = [try repository.referenceTarget(Layout.main)].compactMap { $0 }
    heads += try repository.references(glob: Layout.sessionPrefix + "*").map(\.target)
    // Section locks: taking, releasing and, above all, forced unlocks are part of the trail.
    heads += try repository.references(glob: Layout.lockPrefix + "*").map(\.target)
    // One walk over every branch; reversed so that equal times keep parents before children.
    var entries: [(Date, LogEntry)] = try repository.log(fromAll: heads).reversed().map {
      ($0.committer.time, Self.entry($0))
    }
    for approval in try approvals() {
      let time = Timestamp.parse(approval.time) ?? Date.distantPast
      entries.append(
        (
          time,
          LogEntry(
            kind: "approval", commit: approval.commit, time: approval.time, user: approval.reviewer,
            action: "approve-section", session: nil, section: approval.section,
            summary:
              "\(approval.decision.rawValue) \(approval.section) v\(approval.version) (revision \(approval.revision))"
              + (approval.comment.map { ": \($0)" } ?? ""),
            trailers: ["tag": approval.tag], parents: 0)
        ))
    }
    return entries.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
  }

  static func entry(_ commit: Commit) -> LogEntry {
    var trailers: [String: String] = [:]
    for trailer in commit.trailers where trailer.key.hasPrefix("Casebook-") { trailers[trailer.key] = trailer.value }
    return LogEntry(
      kind: "commit", commit: commit.id.hex, time: Timestamp.string(commit.committer.time), user: commit.author.name,
      action: trailers["Casebook-Action"], session: trailers["Casebook-Session"], section: trailers["Casebook-Section"],
      summary: commit.summary, trailers: trailers, parents: commit.parents.count)
  }
}
