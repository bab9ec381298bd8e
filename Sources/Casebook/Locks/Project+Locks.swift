import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The outcome of taking a section lock.
public struct LockTaken: Sendable, Encodable {
  public let lock: SectionLock
  /// True when this call took a lock the session did not hold (new, or taken over); false
  /// when the session already held it (extended, or left as it was because it was fresh).
  public let acquired: Bool
}

/// The outcome of releasing a lock, or breaking one with `unlock --force`.
public struct LockReleased: Sendable, Encodable {
  /// The record as it stands after the release (state `released`).
  public let lock: SectionLock
  /// The lock ref's new commit: the release, readable with `git show`.
  public let commit: String
}

extension Project {
  /// The file inside each lock commit's tree that holds the record.
  static let lockFile = "lock.yaml"

  /// How long a lock lasts after the holder's last write (`settings.lock_minutes`).
  var lockDuration: TimeInterval { TimeInterval(settings.lockMinutes * 60) }

  // MARK: - Reading

  /// The lock of section `id` as its ref records it now (held, expired or released); nil when
  /// the section was never locked.
  public func sectionLock(_ id: String) throws -> SectionLock? {
    try readLock(Layout.lockRef(try SectionID(id)))?.record
  }

  /// Every lock that is held now, expired ones included (they are marked `expired`), by section.
  public func sectionLocks() throws -> [SectionLock] {
    try repository.references(glob: Layout.lockPrefix + "*").compactMap { ref in
      guard let record = try readLock(ref.name, at: ref.target)?.record, record.state == .held else { return nil }
      return record
    }
  }

  /// Reads the lock record at the ref's tip (or at `at`).
  func readLock(_ ref: String, at given: ObjectID? = nil) throws -> (tip: ObjectID, record: SectionLock)? {
    guard let tip = try given ?? repository.referenceTarget(ref) else { return nil }
    let found: Mapping?
    do {
      found = try Snapshot(repository: repository, records: records, ref: ref, commit: tip).mapping(Self.lockFile)
    } catch let error as CasebookError {
      throw CasebookError.repository("\(ref): \(error.explanation)")
    }
    guard let map = found else {
      throw CasebookError.repository("\(ref) at \(tip.hex.prefix(12)) has no \(Self.lockFile)")
    }
    var record = try SectionLock(map, path: "\(ref):\(Self.lockFile)")
    record.commit = tip.hex
    if record.state == .held,
      let arrival = LockSightings(repository.gitDirectory).arrival(record.sectionId, commit: tip.hex),
      let later = LockSightings.expiry(since: record.since, expires: record.expires, arrival: arrival)
    {
      record.expires = later
    }
    record.expired = record.state == .held && record.isExpired(at: now())
    return (tip, record)
  }

  // MARK: - Taking and releasing

  /// Takes (or extends) the lock of section `id` for `session`. The session's own lock is
  /// extended when more than half its time has passed, and otherwise left as it is; another
  /// session's lock that has not expired is a conflict naming its holder; an expired one is
  /// taken over. Every change is a compare-and-swap on the lock ref, retried when it loses.
  @discardableResult
  public func acquireSectionLock(_ id: String, session: String, by user: User) throws -> LockTaken {
    try acquireSectionLock(SectionID(id), session: SessionID(session), by: user)
  }

  /// `acquireSectionLock` for checked ids.
  @discardableResult
  func acquireSectionLock(_ id: SectionID, session: SessionID, ticket: RequestTicket? = nil, by user: User) throws
    -> LockTaken
  {
    let ref = Layout.lockRef(id)
    return try retrying(ref) {
      let time = now()
      let current = try readLock(ref)
      let stamp = Timestamp.string(time)
      let expires = Timestamp.string(time.addingTimeInterval(lockDuration))
      var record: SectionLock
      var summary: String
      var acquired = true
      if let held = current?.record, held.state == .held {
        if held.sessionId == session {
          let remaining = (Timestamp.parse(held.expires) ?? time).timeIntervalSince(time)
          if remaining > lockDuration / 2 { return LockTaken(lock: held, acquired: false) }
          record = SectionLock(
            sectionId: id.text, userId: held.userId, sessionId: session.text, since: held.since, expires: expires)
          summary = "extend lock on \(id) for session \(session)"
          acquired = false
        } else if !held.isExpired(at: time) {
          throw Self.heldError(held)
        } else {
          record = SectionLock(
            sectionId: id.text, userId: user.id, sessionId: session.text, since: stamp, expires: expires)
          summary = "take over expired lock on \(id) from \(held.userId) (session \(held.sessionId))"
        }
      } else {
        record = SectionLock(
          sectionId: id.text, userId: user.id, sessionId: session.text, since: stamp, expires: expires)
        summary = "lock \(id) for session \(session)"
      }
      let message = CommitMessage(
        summary: summary, action: acquired ? "lock-section" : "extend-lock", user: user.id, session: session,
        section: id, extra: [("Casebook-Lock-Expires", expires)] + (ticket?.trailers ?? []))
      guard let tip = try writeLock(ref, record: &record, parent: current?.tip, message: message, by: user) else {
        return nil
      }
      record.commit = tip.hex
      return LockTaken(lock: record, acquired: acquired)
    }
  }

  /// `casebook lock take`: takes the lock of section `id` for an agent or a person about to edit
  /// it, after checking that `session` exists, is active and is `user`'s own.
  public func takeSectionLock(_ id: String, session: String, request: RequestID? = nil, by user: User) throws
    -> LockTaken
  {
    let id = try SectionID(id)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(request, action: "lock-section", [("section", id.text), ("session", session.text)])
    if let ticket, let done = try lockRequest(ticket, ref: Layout.lockRef(id)) {
      guard var record = try readLock(Layout.lockRef(id), at: done.id)?.record else {
        throw CasebookError.repository("\(Layout.lockRef(id)) at \(done.id.hex.prefix(12)) has no lock record")
      }
      record.expired = false
      return LockTaken(lock: record, acquired: done.action == "lock-section")
    }
    _ = try writableSession(session, in: try sessionSnapshot(session), by: user)
    return try acquireSectionLock(id, session: session, ticket: ticket, by: user)
  }

  /// The commit of the lock ref that recorded `ticket`'s request (a lock commit has no tree to
  /// keep a record in, so the request is in its trailers), from the newest, with its action.
  func lockRequest(_ ticket: RequestTicket, ref: String) throws -> (id: ObjectID, action: String?)? {
    guard var current = try repository.referenceTarget(ref) else { return nil }
    for _ in 0..<Self.lockHistoryScanned {
      let commit = try repository.commit(current)
      if commit.trailers.contains(where: { $0.key == "Casebook-Request" && $0.value == ticket.id.key }) {
        let action = commit.trailers.first { $0.key == "Casebook-Action" }?.value
        guard
          commit.trailers.contains(where: { $0.key == "Casebook-Request-Fingerprint" && $0.value == ticket.fingerprint }
          )
        else { throw ticket.reused(action ?? "a lock change", at: "\(ref) at \(current.hex.prefix(12))") }
        warn(
          "request '\(ticket.id)' was done already, in \(current.hex.prefix(12)); nothing was written, and this is its first result"
        )
        return (current, action)
      }
      guard let next = commit.parents.first else { return nil }
      current = next
    }
    return nil
  }

  /// How far back a lock's history is searched for a request id: a lock changes a few times per
  /// edit of its section, so this is months of work on one section.
  static let lockHistoryScanned = 10_000

  /// The first result of a lock release made with `ticket`, if it was made.
  private func releasedBefore(_ ticket: RequestTicket?, _ id: SectionID) throws -> LockReleased? {
    guard let ticket, let done = try lockRequest(ticket, ref: Layout.lockRef(id)),
      var record = try readLock(Layout.lockRef(id), at: done.id)?.record
    else { return nil }
    record.expired = false
    return LockReleased(lock: record, commit: done.id.hex)
  }

  /// Releases the lock of section `id` held by `session`. Releasing a lock that is not held is
  /// `notFound`; one held by another session is a conflict (break it with `forceUnlock`).
  public func releaseSectionLock(
    _ id: String, session: String, by user: User, reason: String? = nil, request: RequestID? = nil
  ) throws -> LockReleased {
    let id = try SectionID(id)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "release-lock", [("section", id.text), ("session", session.text), ("reason", reason)])
    if let done = try releasedBefore(ticket, id) { return done }
    try requireOwner(
      of: session, user,
      "to break another session's lock, use 'casebook unlock \(id) --force --reason TEXT' (it is recorded)")
    return try releaseHeldLock(id, session: session, by: user, reason: reason, ticket: ticket)
  }

  /// The release itself, with no owner check: for `releaseSectionLock` once it has checked, and
  /// for the store's own releases (a session closing or expiring, a refused write's lock).
  private func releaseHeldLock(
    _ id: SectionID, session: SessionID, by user: User, reason: String?, ticket: RequestTicket? = nil
  ) throws -> LockReleased {
    try releaseLock(id, by: user, action: "release-lock", reason: reason, ticket: ticket) { held in
      guard held.sessionId == session else { throw Self.heldError(held) }
      return "release lock on \(id) held by session \(session)"
    }
  }

  /// Breaks the lock of section `id`, whoever holds it: an audited act. The release is a commit
  /// on the lock ref with `Casebook-Action: force-unlock`, who did it and why, so it shows in
  /// `git log refs/casebook/locks/<id>`, in `git log --all` and in `casebook audit`.
  public func forceUnlock(_ id: String, by user: User, reason: String?, request: RequestID? = nil) throws
    -> LockReleased
  {
    let id = try SectionID(id)
    let ticket = RequestTicket.make(request, action: "force-unlock", [("section", id.text), ("reason", reason)])
    if let done = try releasedBefore(ticket, id) { return done }
    return try releaseLock(id, by: user, action: "force-unlock", reason: reason, forced: true, ticket: ticket) { held in
      "force-unlock \(id) held by \(held.userId) (session \(held.sessionId))"
    }
  }

  /// Releases, without complaint, the lock of `id` if `session` holds it. Returns whether it did.
  @discardableResult
  func releaseIfHeld(_ id: SectionID, session: SessionID, by user: User, reason: String) throws -> Bool {
    guard let current = try readLock(Layout.lockRef(id)), current.record.state == .held,
      current.record.sessionId == session
    else { return false }
    do {
      _ = try releaseHeldLock(id, session: session, by: user, reason: reason)
      return true
    } catch let error as CasebookError where error.exitCode == 2 || error.exitCode == 3 {
      return false  // released or taken over meanwhile: nothing of ours left to release
    }
  }

  /// Releases every lock that `session` holds (on `session close`).
  func releaseLocks(heldBy session: SessionID, by user: User, reason: String) throws {
    for lock in try sectionLocks() where lock.sessionId == session {
      try releaseIfHeld(SectionID(lock.sectionId), session: session, by: user, reason: reason)
    }
  }

  /// One release: `check` gets the held record and returns the commit summary, or throws.
  func releaseLock(
    _ id: SectionID, by user: User, action: String, reason: String?, forced: Bool = false,
    ticket: RequestTicket? = nil, check: (SectionLock) throws -> String
  ) throws -> LockReleased {
    let ref = Layout.lockRef(id)
    return try retrying(ref) {
      guard let current = try readLock(ref), current.record.state == .held else {
        throw CasebookError.notFound("section \(id) is not locked")
      }
      let summary = try check(current.record)
      var record = current.record
      record.state = .released
      record.releasedBy = user.id
      record.releasedAt = Timestamp.string(now())
      record.reason = reason
      record.forced = forced
      var extra = [("Casebook-Lock-Holder", record.userId)]
      if let reason { extra.append(("Casebook-Reason", reason)) }
      extra += ticket?.trailers ?? []
      let message = CommitMessage(
        summary: summary, body: reason.map { "Reason: \($0)" }, action: action, user: user.id,
        session: try? SessionID(record.sessionId), section: id, extra: extra)
      guard let tip = try writeLock(ref, record: &record, parent: current.tip, message: message, by: user) else {
        return nil
      }
      record.commit = tip.hex
      record.expired = false
      return LockReleased(lock: record, commit: tip.hex)
    }
  }

  /// Writes one lock commit (tree: `lock.yaml`) on top of `parent`, the tip the record was
  /// computed from, through the same prepare and publish as every write; a ref that did not
  /// exist starts a history of its own and is created only if it still does not. Returns nil
  /// when another writer moved the ref first.
  private func writeLock(
    _ ref: String, record: inout SectionLock, parent: ObjectID?, message: CommitMessage, by user: User
  ) throws -> ObjectID? {
    let node = record.node
    let prepared = try prepare(on: ref, head: parent, start: parent, by: user) { _, pending in
      // Through PendingChange, as every other record, so the next read of the lock finds it parsed.
      try pending.put(Self.lockFile, yaml: node)
      return message
    }
    return try publish(prepared) ? prepared.commit : nil
  }

  static func heldError(_ held: SectionLock) -> CasebookError {
    .conflict(
      "section \(held.sectionId) is locked by \(held.holder); wait until it is committed or released, or break it with 'casebook unlock \(held.sectionId) --force --reason TEXT'"
    )
  }

  /// Refuses when another session holds an unexpired lock on `id` (for `section commit`).
  func checkSectionLockFree(_ id: SectionID, session: SessionID) throws {
    guard let held = try readLock(Layout.lockRef(id))?.record, held.state == .held, held.sessionId != session,
      !held.isExpired(at: now())
    else { return }
    throw Self.heldError(held)
  }

  /// A section write's claim on the section's lock: `take()` inside the write, once the write
  /// has been validated; `keep()` once the commit has landed. If the write fails after taking a
  /// lock the session did not hold before, `finish()` releases it again, so a refused write
  /// never leaves a lock behind. (A crash in between leaves one that expires; `doctor` reports it.)
  func claimSectionLock(_ id: SectionID, session: SessionID, by user: User) -> SectionLockClaim {
    SectionLockClaim(project: self, section: id, session: session, user: user)
  }
}

/// See `Project.claimSectionLock(_:session:by:)`.
final class SectionLockClaim {
  private let project: Project
  private let section: SectionID
  private let session: SessionID
  private let user: User
  private var fresh = false
  private var kept = false

  init(project: Project, section: SectionID, session: SessionID, user: User) {
    self.project = project
    self.section = section
    self.session = session
    self.user = user
  }

  /// Takes or extends the lock; safe to call again when the write is rebuilt after a lost race.
  func take() throws {
    if try project.acquireSectionLock(section, session: session, by: user).acquired { fresh = true }
  }

  /// The write landed: the lock stays with the session.
  func keep() { kept = true }

  /// Releases a lock this write took, unless the write landed.
  func finish() {
    guard fresh, !kept else { return }
    _ = try? project.releaseIfHeld(section, session: session, by: user, reason: "the write that took it failed")
  }
}

extension Project {
  /// Releases a lock once the write that ends it (a commit) has landed. The write stands
  /// whatever happens here, so a failure is a warning: the lock then expires on its own.
  func releaseLockAfterWrite(_ id: SectionID, session: SessionID, by user: User, reason: String) {
    do {
      try releaseIfHeld(id, session: session, by: user, reason: reason)
    } catch {
      warn("the lock on \(id) was not released (\(error.explanation)); it expires on its own")
    }
  }

  /// `releaseLockAfterWrite` for every lock a session holds (on `session close`).
  func releaseLocksAfterWrite(heldBy session: SessionID, by user: User, reason: String) {
    do {
      try releaseLocks(heldBy: session, by: user, reason: reason)
    } catch {
      warn(
        "the locks of session \(session) were not all released (\(error.explanation)); they expire on their own"
      )
    }
  }
}
