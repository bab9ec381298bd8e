import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The outcome of `session refresh`.
public struct SessionRefreshed: Sendable, Codable {
  public let sessionId: String
  /// The merge commit on the session's branch; nil when the session already had all of main.
  public let commit: String?
  public let refreshed: Bool
  /// The main commit the session now includes.
  public let main: String
  public let message: String
}

extension SessionRefreshed: ReplayableResult {
  func replayed(commit: String, in project: Project) -> SessionRefreshed {
    SessionRefreshed(sessionId: sessionId, commit: commit, refreshed: refreshed, main: main, message: message)
  }
}

extension Project {
  /// Merges main into session `id` (a true merge commit on the session's branch, parents
  /// [session, main]), so that the session sees what other sessions committed. YAML merges
  /// structurally and Markdown line by line, as a session merge does. The session file's `base`
  /// becomes main's commit: what the session last saw. On a conflict nothing is merged, the
  /// conflicts are recorded on the session's branch for `casebook resolve`, and `.conflict` is
  /// thrown.
  public func refreshSession(_ id: String, request: RequestID? = nil, by user: User) throws -> SessionRefreshed {
    let id = try SessionID(id)
    _ = try sessionSnapshot(id)
    let ticket = RequestTicket.make(request, action: "refresh-session", [("session", id.text)])
    return try once(ticket, session: id) { try refreshSessionOnce(id, ticket: ticket, by: user) }
  }

  private func refreshSessionOnce(_ id: SessionID, ticket: RequestTicket?, by user: User) throws -> SessionRefreshed {
    try retrying(Layout.sessionRef(id)) {
      let session = try sessionSnapshot(id)
      var record = try writableSession(id, in: session, by: user)
      try refuseOpenConflicts(id, in: session)
      guard let main = try repository.referenceTarget(Layout.main) else {
        throw CasebookError.repository("main is missing")
      }
      if try !isBehindMain(id, base: record.base, main: main) {
        return SessionRefreshed(
          sessionId: id.text, commit: nil, refreshed: false, main: main.hex,
          message: "session \(id) is up to date with main"
        )
      }
      let base = try sessionMergeBase(id, main: main, tip: session.commit!, recorded: record.base)
      let outcome = try merge(base: base, main: main, session: session.commit!)
      guard outcome.isClean else {
        try recordConflicts(outcome.conflicts, session: session, main: main, operation: "refresh-session", by: user)
        return nil  // the branch moved while recording: start over
      }
      record.base = main.hex
      func result(_ commit: String) -> SessionRefreshed {
        SessionRefreshed(
          sessionId: id.text, commit: commit, refreshed: true, main: main.hex, message: "merged main into session \(id)"
        )
      }
      guard
        let commit = try publishSessionMerge(
          id, session: session, main: main, merge: outcome, record: record, by: user,
          message: CommitMessage(
            summary: "refresh session \(id) from main", body: "Merge main \(main.hex.prefix(12)) into the session.",
            action: "refresh-session", user: user.id, session: id, extra: [("Casebook-Main", main.hex)]),
          request: ticket, result: result(""))
      else { return nil }
      return result(commit.hex)
    }
  }

  /// Writes the merge of `main` into the session as one commit on its branch, with the session
  /// file rewritten from `record` and any recorded conflicts removed. Returns nil when the branch
  /// moved since `session` was read (the caller starts over).
  func publishSessionMerge(
    _ id: SessionID, session: Snapshot, main: ObjectID, merge: MergeOutcome, record: SessionRecord, by user: User,
    message: CommitMessage, request: RequestTicket? = nil, result: (any ReplayableResult)? = nil
  ) throws -> ObjectID? {
    let prepared = try prepare(on: session.ref, by: user) { snapshot, pending in
      pending.baseTree = merge.mainTree
      pending.apply(merge.changes)
      pending.extraParents = [main]
      try pending.put(Layout.sessionFile(id), yaml: record.node)
      pending.remove(Layout.conflictFile(id))
      if let request, let result { try pending.record(request, session: id, in: snapshot, by: user, result: result) }
      return message
    }
    guard prepared.head == session.commit, try publish(prepared) else { return nil }
    return prepared.commit
  }

  /// Whether main holds commits that session `id` has not seen. Cheap by design (no history
  /// walk): the session file's `base` is the main commit the session last merged (start,
  /// refresh, resume, resolve); main's head is that commit, or merges of this very session on
  /// top of it (a `section commit` or `session merge` moves main by merging the session itself).
  func isBehindMain(_ id: SessionID, base: String, main: ObjectID) throws -> Bool {
    var current = main
    for _ in 0..<32 {
      if current.hex == base { return false }
      let commit = try repository.commit(current)
      guard commit.parents.count == 2, isOwnMerge(commit, session: id) else { return true }
      current = commit.parents[0]
    }
    return true
  }

  /// The merge base of main and session `id` (whose head is `tip` and whose file records
  /// `recorded` as the main commit it last saw), found along main's first parents without a
  /// history walk: the first of `recorded` or of this session's own merges into main (whose
  /// second parent is then the base). Falls back to libgit2's merge base when neither shows up
  /// within 64 steps. `git_merge_base` alone paints down main's whole history whenever the
  /// session has not merged main since main gained other sessions' merges, so it grows with
  /// the project's age.
  func sessionMergeBase(_ id: SessionID, main: ObjectID, tip: ObjectID, recorded: String) throws -> ObjectID? {
    var current = main
    for _ in 0..<64 {
      if current.hex == recorded { return current }
      let commit = try repository.commit(current)
      if commit.parents.count == 2, isOwnMerge(commit, session: id) { return commit.parents[1] }
      guard let first = commit.parents.first else { break }
      current = first
    }
    return try repository.mergeBase(main, tip)
  }

  private func isOwnMerge(_ commit: Commit, session id: SessionID) -> Bool {
    commit.trailers.contains { $0.key == "Casebook-Action" && $0.value == "session-merge" }
      && commit.trailers.contains { $0.key == "Casebook-Session" && $0.value == id.text }
  }

  /// Warns when a write went to a session that has not seen main's latest commits.
  func warnIfBehind(_ id: SessionID, base: String, main known: ObjectID? = nil) {
    guard let main = known ?? (try? repository.referenceTarget(Layout.main)),
      (try? isBehindMain(id, base: base, main: main)) == true
    else { return }
    warn(
      "session \(id) is behind main (it last saw \(base.prefix(12)), main is at \(main.hex.prefix(12))); run 'casebook session refresh \(id)' to bring in what others committed"
    )
  }

  /// Whether the session, whose branch tip is `tip`, has been idle longer than the project allows.
  func isExpired(_ record: SessionRecord, tip: ObjectID?) throws -> Bool {
    guard record.status == .active, let tip else { return false }
    let last = try repository.commit(tip).committer.time
    return now().timeIntervalSince(last) > Double(settings.sessionIdleMinutes) * 60
  }

  static func expiredError(_ id: SessionID, minutes: Int) -> CasebookError {
    .badInput(
      "session \(id) expired after \(minutes) minutes without activity; run 'casebook session resume' to reactivate it and bring in main's changes"
    )
  }
}
