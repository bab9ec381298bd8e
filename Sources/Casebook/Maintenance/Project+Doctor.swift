import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One thing `casebook doctor` found.
public struct DoctorFinding: Sendable, Encodable {
  /// What kind of damage: `stale-ref-lock`, `stale-temp-object`, `unfinished-merge`,
  /// `expired-lock`, `idle-session`, `missing-object`, `unreadable-object`, `corrupt-object`.
  public let kind: String
  /// What it is about: a file, a ref, a section, a session or an object id.
  public let subject: String
  /// What is wrong, and what was done about it.
  public var detail: String
  /// Whether `--fix` repaired it.
  public var fixed: Bool
}

/// What `casebook doctor` found and did.
public struct DoctorReport: Sendable, Encodable {
  public let findings: [DoctorFinding]
  /// True when nothing is left to repair: no findings, or every one fixed.
  public let healthy: Bool
  /// How many objects reachable from refs were read and re-hashed.
  public let checkedObjects: Int
}

extension Project {
  // MARK: - The merge marker of `section commit`

  /// Points `refs/casebook/merging/<session>` at the session commit about to be published,
  /// before `section commit` moves the session branch and then main: if the process dies
  /// between the two ref updates, the marker tells `doctor` which merge to finish.
  func setMergeMarker(_ session: SessionID, at commit: ObjectID) throws -> ObjectID {
    let ref = Layout.mergingRef(session)
    let current = try repository.referenceTarget(ref)
    guard current != commit else { return commit }
    do {
      try repository.updateReference(
        ref, to: commit, expected: current, message: "casebook: merging session \(session) into main")
    } catch let error as GitError where error.isConflict {
      throw CasebookError.conflict(
        "another section commit in session \(session) is under way; nothing was written, try again when it is done")
    }
    return commit
  }

  /// Deletes the marker once `section commit` has finished (or failed and reported it), only
  /// if it still points at what this process wrote.
  func clearMergeMarker(_ session: SessionID, at commit: ObjectID?) {
    guard let commit else { return }
    try? repository.deleteReference(Layout.mergingRef(session), expected: commit)
  }

  // MARK: - Doctor

  /// Finds what a crash can leave behind and, with `fix`, repairs it:
  ///
  /// - ref lock files (`*.lock` under the git folder's refs, `packed-refs.lock`, `HEAD.lock`)
  ///   older than `staleAfter` seconds: libgit2 holds them for the moment of a ref update, so
  ///   an old one is a dead writer's, and it blocks every later update of that ref;
  /// - temporary object files (`objects/**/tmp_*`) older than `staleAfter`;
  /// - a `section commit` that published the session but not the merge into main (its marker
  ///   ref is left): finished with a real merge, or reported when it conflicts;
  /// - section locks past their expiry: released;
  /// - sessions still `active` long after their last activity (`settings.session_idle_minutes`):
  ///   marked `expired` with a commit on their branch, their locks released;
  /// - objects reachable from any ref that are missing, unreadable or do not hash to their name
  ///   (reported; these need a copy from a remote or a backup).
  public func doctor(fix: Bool, staleAfter: TimeInterval = Project.staleLockSeconds, by user: User) throws
    -> DoctorReport
  {
    var findings: [DoctorFinding] = []
    // File locks first: while one is left, the ref it guards cannot be updated by any fix.
    findings += try staleFiles(fix: fix, staleAfter: staleAfter)
    findings += try unfinishedMerges(fix: fix, by: user)
    findings += try expiredLocks(fix: fix, by: user)
    findings += try idleSessions(fix: fix, by: user)
    let (checked, problems) = try repository.verifyReachableObjects()
    for problem in problems {
      let kind: String
      switch problem.kind {
      case .missing: kind = "missing-object"
      case .unreadable: kind = "unreadable-object"
      case .hashMismatch: kind = "corrupt-object"
      }
      findings.append(
        DoctorFinding(
          kind: kind, subject: problem.id.hex,
          detail: "\(problem.detail); fetch it from a remote that has it or restore the repository from a backup",
          fixed: false))
    }
    return DoctorReport(findings: findings, healthy: findings.allSatisfy(\.fixed), checkedObjects: checked)
  }

  private func staleFiles(fix: Bool, staleAfter: TimeInterval) throws -> [DoctorFinding] {
    let git = repository.gitDirectory
    let manager = FileManager.default
    var candidates: [(path: String, kind: String)] = []
    for name in ["packed-refs.lock", "HEAD.lock", "index.lock", "config.lock"]
    where manager.fileExists(atPath: "\(git)/\(name)") {
      candidates.append((name, "stale-ref-lock"))
    }
    for relative in ((try? manager.subpathsOfDirectory(atPath: "\(git)/refs")) ?? []) where relative.hasSuffix(".lock")
    {
      candidates.append(("refs/\(relative)", "stale-ref-lock"))
    }
    for relative in ((try? manager.subpathsOfDirectory(atPath: "\(git)/objects")) ?? [])
    where System.lastComponent(relative).hasPrefix("tmp_") {
      candidates.append(("objects/\(relative)", "stale-temp-object"))
    }
    var out: [DoctorFinding] = []
    let wall = Date()  // file times are the real clock's, whatever clock the project was given
    for (relative, kind) in candidates.sorted(by: { $0.path < $1.path }) {
      let path = "\(git)/\(relative)"
      guard let attributes = try? manager.attributesOfItem(atPath: path),
        attributes[.type] as? FileAttributeType == .typeRegular,
        let modified = attributes[.modificationDate] as? Date
      else { continue }
      let age = wall.timeIntervalSince(modified)
      guard age >= staleAfter else { continue }
      var finding = DoctorFinding(
        kind: kind, subject: relative,
        detail: "left by a writer that stopped \(Int(age)) s ago (older than \(Int(staleAfter)) s)", fixed: false)
      if fix {
        do {
          try manager.removeItem(atPath: path)
          finding.detail += "; removed"
          finding.fixed = true
        } catch {
          finding.detail += "; could not remove it: \(error.explanation)"
        }
      }
      out.append(finding)
    }
    return out
  }

  private func unfinishedMerges(fix: Bool, by user: User) throws -> [DoctorFinding] {
    var out: [DoctorFinding] = []
    for (name, target) in try repository.references(glob: Layout.mergingPrefix + "*") {
      let marked = String(name.dropFirst(Layout.mergingPrefix.count))
      var finding = DoctorFinding(
        kind: "unfinished-merge", subject: name,
        detail: "a section commit in session \(marked) stopped before main was updated", fixed: false)
      guard let session = try? SessionID(marked),
        let tip = try repository.referenceTarget(Layout.sessionRef(session)),
        let main = try repository.referenceTarget(Layout.main)
      else {
        finding.detail = "a merge marker for a session that does not exist"
        if fix { finding.fixed = dropMarker(name, target, &finding) }
        out.append(finding)
        continue
      }
      if try repository.mergeBase(main, target) == target {
        finding.detail = "the merge of session \(session) into main had already finished; the marker was left"
      } else if try repository.mergeBase(tip, target) != target {
        finding.detail = "the section commit in session \(session) never reached its branch; nothing to merge"
      } else if fix {
        do {
          // The owner check is not doctor's to pass: a crash leaves the merge to whoever finds it.
          let owner = try storedSessionRecord(session, in: sessionSnapshot(session)).userId
          let merged = try mergeSessionOnce(session, owner: owner, ticket: nil, by: user)
          finding.detail += "; merged into main" + (merged.commit.map { " as \($0)" } ?? "")
        } catch let error as CasebookError where error.exitCode == 3 {
          finding.detail +=
            "; merging it conflicts with main, so it was left for a person: \(error.explanation)"
          out.append(finding)
          continue
        }
      }
      if fix { finding.fixed = dropMarker(name, target, &finding) }
      out.append(finding)
    }
    return out
  }

  private func dropMarker(_ name: String, _ target: ObjectID, _ finding: inout DoctorFinding) -> Bool {
    do {
      try repository.deleteReference(name, expected: target)
      finding.detail += "; marker removed"
      return true
    } catch {
      finding.detail += "; the marker could not be removed: \(error.explanation)"
      return false
    }
  }

  private func expiredLocks(fix: Bool, by user: User) throws -> [DoctorFinding] {
    var out: [DoctorFinding] = []
    for lock in try sectionLocks() where lock.expired {
      var finding = DoctorFinding(
        kind: "expired-lock", subject: lock.sectionId, detail: "locked by \(lock.holder)", fixed: false)
      if fix {
        do {
          _ = try releaseLock(
            SectionID(lock.sectionId), by: user, action: "release-expired-lock",
            reason: "expired; released by casebook doctor"
          ) { held in
            guard held.commit == lock.commit else {
              throw CasebookError.conflict("the lock on \(lock.sectionId) changed while doctor looked at it")
            }
            return "release expired lock on \(lock.sectionId) held by \(held.userId) (session \(held.sessionId))"
          }
          finding.detail += "; released"
          finding.fixed = true
        } catch let error as CasebookError where error.exitCode == 2 || error.exitCode == 3 {
          finding.detail += "; left alone: \(error.explanation)"
        }
      }
      out.append(finding)
    }
    return out
  }

  private func idleSessions(fix: Bool, by user: User) throws -> [DoctorFinding] {
    var out: [DoctorFinding] = []
    let idle = TimeInterval(settings.sessionIdleMinutes * 60)
    for (name, target) in try repository.references(glob: Layout.sessionPrefix + "*") {
      guard let id = try? SessionID(String(name.dropFirst(Layout.sessionPrefix.count))) else { continue }
      let snapshot = try Snapshot(repository: repository, records: records, ref: name, commit: target)
      // Stored `active`, but idle past its time (which `sessionRecord` reads as `expired`).
      guard try storedSessionRecord(id, in: snapshot).status == .active else { continue }
      let record = try sessionRecord(id, in: snapshot)
      guard let last = Timestamp.parse(record.lastActive), now().timeIntervalSince(last) > idle else { continue }
      var finding = DoctorFinding(
        kind: "idle-session", subject: id.text,
        detail:
          "\(record.userId)'s session is active but has been idle since \(record.lastActive) (more than \(settings.sessionIdleMinutes) min)",
        fixed: false)
      if fix {
        do {
          try expireSession(id, by: user)
          releaseLocksAfterWrite(heldBy: id, by: user, reason: "session expired")
          finding.detail += "; marked expired"
          finding.fixed = true
        } catch let error as CasebookError where error.exitCode == 3 {
          finding.detail += "; left alone: \(error.explanation)"
        }
      }
      out.append(finding)
    }
    return out
  }

  /// Marks an idle session `expired` with one commit on its branch (by whoever runs doctor).
  /// Rebuilt like any write if the session moves meanwhile, and refused if it came back to life.
  private func expireSession(_ id: SessionID, by user: User) throws {
    let idle = TimeInterval(settings.sessionIdleMinutes * 60)
    try commit(on: Layout.sessionRef(id), by: user) { snapshot, pending in
      var record = try sessionRecord(id, in: snapshot)
      guard try storedSessionRecord(id, in: snapshot).status == .active, let last = Timestamp.parse(record.lastActive),
        now().timeIntervalSince(last) > idle
      else { throw CasebookError.conflict("session \(id) became active again") }
      record.status = .expired
      record.endedAt = record.lastActive
      try pending.put(Layout.sessionFile(id), yaml: record.node)
      return CommitMessage(
        summary: "expire session \(id), idle since \(record.lastActive)", action: "session-expire", user: user.id,
        session: id)
    }
  }
}
