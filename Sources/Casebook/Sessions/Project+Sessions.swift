import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The outcome of a write that made one commit.
public struct WriteResult: Sendable, Codable {
  public let commit: String
  public let branch: String
}

extension WriteResult: ReplayableResult {
  func replayed(commit: String, in project: Project) -> WriteResult { WriteResult(commit: commit, branch: branch) }
}

/// The outcome of `session start` and `session resume`.
public struct SessionStarted: Sendable, Codable {
  public let sessionId: String
  public let commit: String
  public let branch: String
}

/// The outcome of merging a session into main.
public struct SessionMerged: Sendable, Codable {
  public let sessionId: String
  /// The merge commit on main; nil when there was nothing new to merge.
  public let commit: String?
  public let merged: Bool
  public let message: String
}

extension SessionStarted: ReplayableResult {
  func replayed(commit: String, in project: Project) -> SessionStarted {
    SessionStarted(sessionId: sessionId, commit: commit, branch: branch)
  }
}

extension SessionMerged: ReplayableResult {
  func replayed(commit: String, in project: Project) -> SessionMerged {
    SessionMerged(sessionId: sessionId, commit: commit, merged: merged, message: message)
  }
}

extension Project {
  /// Starts a session for `user`: a new branch off main whose first commit records the session.
  ///
  /// A request id of a start is scoped to the user (there is no session yet): a retry finds the
  /// session that the first attempt started, among the user's sessions.
  public func startSession(request: RequestID? = nil, by user: User) throws -> SessionStarted {
    guard let main = try repository.referenceTarget(Layout.main) else {
      throw CasebookError.repository("main is missing")
    }
    let ticket = RequestTicket.make(request, action: "session-start", [("user", user.id)])
    if let ticket, let done = try startedSession(ticket, by: user) { return done }
    let id = Self.newSessionID()
    let ref = Layout.sessionRef(id)
    let result = SessionStarted(sessionId: id.text, commit: "", branch: ref)
    let commit = try commit(on: ref, by: user, createFrom: main) { snapshot, pending in
      let record = SessionRecord(
        sessionId: id.text, userId: user.id, projectId: settings.projectID, startedAt: Timestamp.string(now()),
        base: main.hex)
      try pending.put(Layout.sessionFile(id), yaml: record.node)
      try pending.record(ticket, session: id, in: snapshot, by: user, result: result)
      return CommitMessage(summary: "start session \(id)", action: "session-start", user: user.id, session: id)
    }
    return result.replayed(commit: commit.hex, in: self)
  }

  /// The session a start with `ticket`'s key made for `user`, if one did: one tree lookup per
  /// session branch.
  private func startedSession(_ ticket: RequestTicket, by user: User) throws -> SessionStarted? {
    for (name, target) in try repository.references(glob: Layout.sessionPrefix + "*") {
      guard let id = try? SessionID(String(name.dropFirst(Layout.sessionPrefix.count))) else { continue }
      let snapshot = try Snapshot(repository: repository, records: records, ref: name, commit: target)
      guard let stored = try snapshot.mapping(ticket.path(session: id)), stored["user_id"]?.string == user.id else {
        continue
      }
      if let done: SessionStarted = try replay(ticket, session: id) { return done }
    }
    return nil
  }

  static func newSessionID() -> SessionID {
    var rng = SystemRandomNumberGenerator()
    // 32 lowercase hex digits: a valid session id by construction.
    return try! SessionID((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng).hexPadded(2) }.joined())
  }

  /// The session's record as its own branch holds it, with `last_active` brought up to the
  /// branch tip's commit time and the exchange count read from its exchange tree.
  func sessionRecord(_ id: SessionID, in snapshot: Snapshot) throws -> SessionRecord {
    var record = try storedSessionRecord(id, in: snapshot)
    if let tip = snapshot.commit {
      let time = Timestamp.string(try repository.commit(tip).committer.time)
      if time > record.lastActive { record.lastActive = time }
    }
    record.exchangeCount = try lastExchangeSequence(id, in: snapshot)
    if try isExpired(record, tip: snapshot.commit) { record.status = .expired }
    return record
  }

  /// The session file as stored, without the derived fields (cheaper, for writes).
  func storedSessionRecord(_ id: SessionID, in snapshot: Snapshot) throws -> SessionRecord {
    guard let map = try snapshot.mapping(Layout.sessionFile(id)) else {
      throw CasebookError.notFound("session \(id) has no \(Layout.sessionFile(id))")
    }
    return try SessionRecord(map, path: Layout.sessionFile(id))
  }

  /// The highest exchange sequence number on the branch: the last file of the last bucket.
  func lastExchangeSequence(_ session: SessionID, in snapshot: Snapshot) throws -> Int {
    let folder = "exchanges/\(session)"
    guard let bucket = try snapshot.entries(folder).filter({ $0.kind == .tree }).map(\.name).max() else { return 0 }
    let last = try snapshot.entries("\(folder)/\(bucket)").map(\.name).filter { $0.hasSuffix(".yaml") }.max()
    guard let last else { return 0 }
    // A file name the store did not write (edited in with git) is damage, not a number to add to.
    guard let sequence = Int(last.dropLast(".yaml".count)), RecordNumber.counts.contains(sequence) else {
      throw CasebookError.repository(
        "\(folder)/\(bucket)/\(last) is not an exchange the store wrote; the branch is damaged")
    }
    return sequence
  }

  /// The branch of session `id`, which must exist.
  func sessionSnapshot(_ id: SessionID) throws -> Snapshot {
    let snapshot = try snapshot(Layout.sessionRef(id))
    guard snapshot.commit != nil else { throw CasebookError.notFound("session \(id) not found") }
    return snapshot
  }

  /// Refuses unless `user` owns session `id`, for writes on the session's behalf that do not go
  /// through `writableSession` (merging it, releasing its locks): nobody writes to, or publishes
  /// from, another user's session. Returns the owner.
  @discardableResult
  func requireOwner(of id: SessionID, _ user: User, _ rule: String) throws -> String {
    let owner = try storedSessionRecord(id, in: sessionSnapshot(id)).userId
    guard owner == user.id else {
      throw CasebookError.badInput("session \(id) belongs to \(owner), not \(user.id); \(rule)")
    }
    return owner
  }

  /// Checks, inside a write, that `user` may write to session `id` now (its owner; active, and
  /// not idle past the project's limit unless `allowExpired`), and returns its record with
  /// `last_active` brought up to now.
  func writableSession(
    _ id: SessionID, in snapshot: Snapshot, by user: User, allowExpired: Bool = false
  ) throws -> SessionRecord {
    var record = try storedSessionRecord(id, in: snapshot)
    guard record.userId == user.id else {
      throw CasebookError.badInput(
        "session \(id) belongs to \(record.userId), not \(user.id); start a session of your own")
    }
    guard record.status == .active else {
      // `doctor --fix` stores `expired` for a session left active long after its idle time.
      if record.status == .expired { throw Self.expiredError(id, minutes: settings.sessionIdleMinutes) }
      throw CasebookError.badInput("session \(id) is closed; resume it with 'casebook session resume' first")
    }
    if !allowExpired, try isExpired(record, tip: snapshot.commit) {
      throw Self.expiredError(id, minutes: settings.sessionIdleMinutes)
    }
    record.lastActive = Timestamp.string(now())
    return record
  }

  /// One commit on session `id`'s branch by its owner: `build` gets the session record (with
  /// `last_active` set to now), may change it, and the file is rewritten only if it did, so an
  /// ordinary write changes nothing but what it is about. `main` is main's head when the caller
  /// has just read it (for the behind-main warning), so that it is not read twice.
  ///
  /// With a `request`, the write also records it (see `once`), with `result()`: the write's
  /// result as `build` left it, without the commit.
  func writeSession(
    _ id: SessionID, by user: User, allowExpired: Bool = false, main: ObjectID? = nil,
    request: RequestTicket? = nil, result: @autoclosure () -> (any ReplayableResult)? = nil,
    build: (Snapshot, inout SessionRecord, inout PendingChange) throws -> CommitMessage
  ) throws -> ObjectID {
    let ref = Layout.sessionRef(id)
    var base = ""
    let commit = try commit(on: ref, by: user, missing: "session \(id) not found") { snapshot, pending in
      var record = try writableSession(id, in: snapshot, by: user, allowExpired: allowExpired)
      base = record.base
      let before = record.node
      let message = try build(snapshot, &record, &pending)
      if record.node != before { try pending.put(Layout.sessionFile(id), yaml: record.node) }
      if let request, let made = result() {
        try pending.record(request, session: id, in: snapshot, by: user, result: made)
      }
      return message
    }
    warnIfBehind(id, base: base, main: main)
    return commit
  }

  /// Every session, newest activity first, optionally only one user's.
  public func sessions(user: String? = nil) throws -> [SessionSummary] {
    let main = try repository.referenceTarget(Layout.main)
    var out: [SessionSummary] = []
    for (name, target) in try repository.references(glob: Layout.sessionPrefix + "*") {
      guard let id = try? SessionID(String(name.dropFirst(Layout.sessionPrefix.count))) else { continue }
      let snapshot = try Snapshot(repository: repository, records: records, ref: name, commit: target)
      let record = try sessionRecord(id, in: snapshot)
      if let user, record.userId != user { continue }
      let merged = try main.map { try repository.mergeBase($0, target) == target } ?? false
      out.append(SessionSummary(session: record, branch: name, head: target.hex, merged: merged))
    }
    return out.sorted { ($0.session.lastActive, $0.session.sessionId) > ($1.session.lastActive, $1.session.sessionId) }
  }

  /// One session.
  public func session(_ id: String) throws -> SessionSummary {
    let id = try SessionID(id)
    let snapshot = try sessionSnapshot(id)
    let record = try sessionRecord(id, in: snapshot)
    let main = try repository.referenceTarget(Layout.main)
    let merged = try main.map { try repository.mergeBase($0, snapshot.commit!) == snapshot.commit! } ?? false
    return SessionSummary(session: record, branch: snapshot.ref, head: snapshot.commit!.hex, merged: merged)
  }

  /// The user who owns session `id`: one record read, for a front end's access check, where
  /// `session(_:)` also works out whether main has merged it (a walk of the branch's history,
  /// which grows with every write to the session).
  public func sessionOwner(_ id: String) throws -> String {
    let id = try SessionID(id)
    return try storedSessionRecord(id, in: sessionSnapshot(id)).userId
  }

  /// The commit session `id`'s branch points at (one reference read).
  public func sessionHead(_ id: String) throws -> String {
    try sessionSnapshot(SessionID(id)).commit!.hex
  }

  /// Closes session `id`: records its end; later writes to it are refused until it is resumed.
  public func closeSession(_ id: String, request: RequestID? = nil, by user: User) throws -> WriteResult {
    let id = try SessionID(id)
    let ticket = RequestTicket.make(request, action: "session-close", [("session", id.text)])
    let branch = Layout.sessionRef(id)
    return try once(ticket, session: id) {
      // An expired session may still be closed: closing is how its owner says it is finished.
      let commit = try writeSession(
        id, by: user, allowExpired: true, request: ticket, result: WriteResult(commit: "", branch: branch)
      ) { _, record, _ in
        record.status = .closed
        record.endedAt = record.lastActive
        return CommitMessage(summary: "close session \(id)", action: "session-close", user: user.id, session: id)
      }
      releaseLocksAfterWrite(heldBy: id, by: user, reason: "session closed")
      return WriteResult(commit: commit.hex, branch: branch)
    }
  }

  /// Merges session `id` into main with a true merge commit, YAML merged structurally and
  /// Markdown line by line. On a conflict nothing is written to main: the conflicts are recorded
  /// on the session's branch (`sessions/<id>.conflicts.yaml`, for `casebook resolve`) and the
  /// error lists them. Refused while conflicts recorded earlier are still open.
  public func mergeSession(_ id: String, request: RequestID? = nil, by user: User) throws -> SessionMerged {
    let id = try SessionID(id)
    let owner = try requireOwner(of: id, user, "only its owner merges it")
    let ticket = RequestTicket.make(request, action: "session-merge", [("session", id.text)])
    return try once(ticket, session: id, home: Layout.main) {
      try mergeSessionOnce(id, owner: owner, ticket: ticket, by: user)
    }
  }

  /// The merge itself, with no owner check: for `mergeSession` once it has checked, and for
  /// `doctor --fix` finishing a section commit that a crash stopped half-way.
  func mergeSessionOnce(_ id: SessionID, owner: String, ticket: RequestTicket?, by user: User) throws
    -> SessionMerged
  {
    let result: SessionMerged = try retrying(Layout.main) {
      guard let tip = try repository.referenceTarget(Layout.sessionRef(id)),
        let main = try repository.referenceTarget(Layout.main)
      else { throw CasebookError.notFound("session \(id) not found") }
      let session = try Snapshot(repository: repository, records: records, ref: Layout.sessionRef(id), commit: tip)
      try refuseOpenConflicts(id, in: session)
      let recorded = try storedSessionRecord(id, in: session).base
      let base = try sessionMergeBase(id, main: main, tip: tip, recorded: recorded)
      if base == tip {
        return SessionMerged(
          sessionId: id.text, commit: nil, merged: false, message: "session \(id) has nothing new for main")
      }
      let outcome = try merge(base: base, main: main, session: tip)
      guard outcome.isClean else {
        try recordConflicts(outcome.conflicts, session: session, main: main, operation: "session-merge", by: user)
        return nil  // the session moved while recording: start over
      }
      let tree = try repository.buildTree(base: outcome.mainTree, changes: outcome.changes)
      let prepared = try prepare(on: Layout.main, by: user) { snapshot, pending in
        pending.baseTree = tree
        pending.extraParents = [tip]
        try pending.record(
          ticket, session: id, in: snapshot, by: user,
          result: SessionMerged(sessionId: id.text, commit: "", merged: true, message: "merged"))
        return CommitMessage(
          summary: "merge session \(id) into main", body: "Session of \(owner).", action: "session-merge",
          user: user.id, session: id)
      }
      // The tree was merged against `main`; if main moved since, merge again on its new head.
      guard prepared.head == main, try publish(prepared) else { return nil }
      return SessionMerged(sessionId: id.text, commit: prepared.commit.hex, merged: true, message: "merged")
    }
    return result
  }
}
