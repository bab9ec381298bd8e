import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One thing that happened on main while a session was away.
public struct MainChange: Sendable, Codable, Equatable {
  /// `section`, `profile`, `input` or `approval`.
  public let kind: String
  /// The section id, profile key, input id or approval tag.
  public let name: String
  /// What happened: `committed`, `changed`, `added`, `removed`, or an approval's decision.
  public let change: String
  public let by: String?
  public let at: String?
  /// A short human detail (a revision, a file name, a comment).
  public let detail: String?
}

/// The outcome of `session resume`.
public struct SessionResumed: Sendable, Codable {
  public let sessionId: String
  public let commit: String
  public let branch: String
  /// True when main was merged into the session by this resume.
  public let refreshed: Bool
  /// Main's commit at the resume.
  public let main: String
  /// What main gained since the session last saw it, and approvals made since it was last active.
  public let changes: [MainChange]
}

extension SessionResumed: ReplayableResult {
  func replayed(commit: String, in project: Project) -> SessionResumed {
    SessionResumed(
      sessionId: sessionId, commit: commit, branch: branch, refreshed: refreshed, main: main, changes: changes)
  }
}

extension Project {
  /// Reactivates a session of `user` and brings it up to date with main, in one commit: a merge
  /// of main into the session (parents [session, main]) when main moved, else a plain commit.
  /// Without `id`, the user's most recently active session that is not both closed and merged
  /// into main (an active, expired, or closed-but-unmerged one). Reports what changed on main.
  public func resumeSession(_ id: String? = nil, request: RequestID? = nil, by user: User) throws -> SessionResumed {
    let given = try id.map(SessionID.init)
    let id = try given ?? latestResumable(by: user)
    _ = try sessionSnapshot(id)
    let ticket = RequestTicket.make(request, action: "session-resume", [("session", given?.text)])
    return try once(ticket, session: id) { try resumeSessionOnce(id, ticket: ticket, by: user) }
  }

  private func resumeSessionOnce(_ id: SessionID, ticket: RequestTicket?, by user: User) throws -> SessionResumed {
    try retrying(Layout.sessionRef(id)) {
      let session = try sessionSnapshot(id)
      var record = try storedSessionRecord(id, in: session)
      guard record.userId == user.id else {
        throw CasebookError.badInput(
          "session \(id) belongs to \(record.userId), not \(user.id); resume a session of your own")
      }
      let lastSeen = try sessionRecord(id, in: session).lastActive
      guard let main = try repository.referenceTarget(Layout.main) else {
        throw CasebookError.repository("main is missing")
      }
      record.status = .active
      record.endedAt = nil
      record.lastActive = Timestamp.string(now())
      let base = try sessionMergeBase(id, main: main, tip: session.commit!, recorded: record.base)
      let open = try conflictSet(id, in: session)?.open ?? []
      let approvals = try approvalsSince(lastSeen)
      let message = CommitMessage(
        summary: "resume session \(id)", action: "session-resume", user: user.id, session: id,
        extra: [("Casebook-Main", main.hex)])
      if try !isBehindMain(id, base: record.base, main: main) || !open.isEmpty {
        if !open.isEmpty {
          warn(
            "session \(id) has \(open.count) unresolved conflict(s) with main; resolve them with 'casebook resolve --session \(id)'"
          )
        }
        let result = SessionResumed(
          sessionId: id.text, commit: "", branch: session.ref, refreshed: false, main: main.hex, changes: approvals)
        let prepared = try prepare(on: session.ref, by: user) { snapshot, pending in
          try pending.put(Layout.sessionFile(id), yaml: record.node)
          try pending.record(ticket, session: id, in: snapshot, by: user, result: result)
          return message
        }
        guard prepared.head == session.commit, try publish(prepared) else { return nil }
        return result.replayed(commit: prepared.commit.hex, in: self)
      }
      let outcome = try merge(base: base, main: main, session: session.commit!)
      guard outcome.isClean else {
        try recordConflicts(
          outcome.conflicts, session: session, main: main, operation: "session-resume", by: user, record: record,
          prefix: "resumed session \(id), but could not bring in main")
        return nil
      }
      record.base = main.hex
      let result = SessionResumed(
        sessionId: id.text, commit: "", branch: session.ref, refreshed: true, main: main.hex,
        changes: try changesOnMain(from: base, to: main) + approvals)
      guard
        let commit = try publishSessionMerge(
          id, session: session, main: main, merge: outcome, record: record, by: user,
          message: CommitMessage(
            summary: "resume session \(id) and merge main \(main.hex.prefix(12)) into it", action: "session-resume",
            user: user.id, session: id, extra: [("Casebook-Main", main.hex)]),
          request: ticket, result: result)
      else { return nil }
      return result.replayed(commit: commit.hex, in: self)
    }
  }

  /// The user's most recently active session that is not both closed and merged into main.
  private func latestResumable(by user: User) throws -> SessionID {
    let candidates = try sessions(user: user.id).filter { !($0.session.status == .closed && $0.merged) }
    guard let latest = candidates.first else {
      throw CasebookError.notFound("\(user.id) has no session to resume; start one with 'casebook session start'")
    }
    return try SessionID(latest.session.sessionId)
  }

  /// Sections, profile keys and inputs that main gained between `base` and `main`, read from the
  /// few trees that changed (sections/, inputs/ and the profile), not from the history.
  func changesOnMain(from base: ObjectID?, to main: ObjectID) throws -> [MainChange] {
    let old = try Snapshot(repository: repository, records: records, ref: Layout.main, commit: base)
    let new = try Snapshot(repository: repository, records: records, ref: Layout.main, commit: main)
    var out: [MainChange] = []
    func folder(_ snapshot: Snapshot, _ path: String) throws -> ObjectID? {
      guard let tree = snapshot.tree, let entry = try repository.entry(at: path, inTree: tree), entry.kind == .tree
      else { return nil }
      return entry.id
    }
    for change in try repository.changedPaths(from: folder(old, "sections"), to: folder(new, "sections"))
    where change.path.hasSuffix(".yaml") && !change.path.contains("/") {
      guard let id = try? SectionID(String(change.path.dropLast(".yaml".count))) else { continue }
      let before = try sectionRecord(id, in: old)
      guard let after = try sectionRecord(id, in: new) else {
        out.append(MainChange(kind: "section", name: id.text, change: "removed", by: nil, at: nil, detail: nil))
        continue
      }
      let committed = after.status == .committed && (before?.status != .committed || before?.revision != after.revision)
      out.append(
        MainChange(
          kind: "section", name: id.text, change: committed ? "committed" : (before == nil ? "added" : "changed"),
          by: committed ? (after.committedBy ?? after.updatedBy) : after.updatedBy,
          at: committed ? (after.committedAt ?? after.updatedAt) : after.updatedAt,
          detail: "revision \(after.revision), \(after.status.rawValue)"))
    }
    let oldProfile = try old.yaml(Layout.profile)?.mapping ?? Mapping()
    let newProfile = try new.yaml(Layout.profile)?.mapping ?? Mapping()
    for key in newProfile.keys + oldProfile.keys.filter({ newProfile[$0] == nil })
    where oldProfile[key] != newProfile[key] {
      let change = oldProfile[key] == nil ? "added" : newProfile[key] == nil ? "removed" : "changed"
      let shown = newProfile[key].map { YAML.emit($0).trimmingWhitespace() }
      out.append(
        MainChange(
          kind: "profile", name: key, change: change, by: nil, at: nil,
          detail: shown.map { $0.count > 120 ? String($0.prefix(117)) + "..." : $0 }))
    }
    let oldInputs = Set(try old.entries("inputs").map(\.name))
    for entry in try new.entries("inputs") where entry.kind == .tree && !oldInputs.contains(entry.name) {
      guard let id = try? InputID(entry.name) else { continue }
      let meta = try new.mapping(Layout.inputMeta(id)).map { try InputRecord($0, path: Layout.inputMeta(id)) }
      out.append(
        MainChange(
          kind: "input", name: entry.name, change: "added", by: meta?.uploadedBy, at: meta?.uploadedAt,
          detail: meta?.name))
    }
    return out
  }

  /// Approvals recorded at or after `time` (ISO 8601 strings compare in time order).
  private func approvalsSince(_ time: String) throws -> [MainChange] {
    // Times have one-second resolution: an approval in the same second as the last activity is
    // reported rather than missed.
    try approvals().filter { $0.time >= time }.sorted { $0.time < $1.time }.map {
      MainChange(
        kind: "approval", name: $0.tag, change: $0.decision.rawValue, by: $0.reviewer, at: $0.time,
        detail: "\($0.section) revision \($0.revision)" + ($0.comment.map { ": \($0)" } ?? ""))
    }
  }
}
