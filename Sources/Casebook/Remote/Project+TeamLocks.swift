import Git

/// A lock taken with the team's remote in the loop.
public struct TeamLockTaken: Sendable, Encodable {
  public let lock: SectionLock
  public let acquired: Bool
  /// The remote that confirmed the lock; nil when it stayed local (no remote, or unreachable).
  public let confirmedBy: String?
  /// Why the lock is only local, when it is.
  public let unconfirmed: String?
}

extension Project {
  /// `casebook lock take` on a project with a remote: the lock is taken on the remote too, by
  /// compare-and-swap, so two authors on two machines cannot both hold it.
  ///
  /// 1. The remote's lock history for the section is fetched and brought in (so a lock another
  ///    author holds there refuses this take, exit 3, before anything is written).
  /// 2. The lock is taken here, on top of the remote's latest lock commit.
  /// 3. That commit is pushed with a lease: the remote takes it only if its lock ref is still
  ///    where step 1 saw it (checked under its ref lock). If another author got there first, the
  ///    take here is undone and the other author's lock is reported (exit 3); a remote that
  ///    refuses it (a hook) undoes it too (exit 5).
  ///
  /// With no remote configured this is a local take. When the remote cannot be reached the lock
  /// is taken here and marked unconfirmed; the next `sync` sends it, and reports a clash if
  /// someone else took the section meanwhile.
  public func takeSectionLock(
    _ id: String, session: String, request: RequestID? = nil, by user: User, remote name: String?,
    progress: TransferProgress = .silent
  ) throws -> TeamLockTaken {
    let section = try SectionID(id)
    guard let remote = try (repository.remotes().isEmpty && name == nil ? nil : syncRemote(name)) else {
      let taken = try takeSectionLock(id, session: session, request: request, by: user)
      return TeamLockTaken(lock: taken.lock, acquired: taken.acquired, confirmedBy: nil, unconfirmed: nil)
    }
    let ref = Layout.lockRef(section)
    guard let tracking = RemoteLayout.tracking(ref, remote: remote.name) else { throw CasebookError.repository(ref) }
    func local(_ why: String) throws -> TeamLockTaken {
      let taken = try takeSectionLock(id, session: session, request: request, by: user)
      warn("\(why); the lock on \(section) is taken here only, unconfirmed until the next 'casebook sync'")
      return TeamLockTaken(lock: taken.lock, acquired: taken.acquired, confirmedBy: nil, unconfirmed: why)
    }
    do {
      try catchUp(section, remote: remote, progress: progress)
    } catch let error as CasebookError where error.exitCode == 5 {
      return try local("\(remote.name) could not be reached (\(error.explanation))")
    }
    let before = try repository.referenceTarget(ref)
    let taken = try takeSectionLock(id, session: session, request: request, by: user)
    guard let tip = try repository.referenceTarget(ref) else { throw CasebookError.repository("\(ref) is missing") }
    if try repository.referenceTarget(tracking) == tip {
      return TeamLockTaken(lock: taken.lock, acquired: taken.acquired, confirmedBy: remote.name, unconfirmed: nil)
    }
    let answer = try send([(ref, tip, repository.referenceTarget(tracking))], to: remote, progress: progress)
    switch answer {
    case .pushed:
      try? repository.updateReference(
        tracking, to: tip, expected: try repository.referenceTarget(tracking),
        message: "casebook: lock confirmed by \(remote.name)")
      return TeamLockTaken(lock: taken.lock, acquired: taken.acquired, confirmedBy: remote.name, unconfirmed: nil)
    case .unreachable(let detail):
      warn(
        "\(remote.name) could not be reached (\(detail)); the lock on \(section) is taken here only, unconfirmed until the next 'casebook sync'"
      )
      return TeamLockTaken(lock: taken.lock, acquired: taken.acquired, confirmedBy: nil, unconfirmed: detail)
    case .refused(let detail):
      try undo(ref, to: before, taken: taken, tip: tip)
      throw CasebookError.remote("\(remote.name) refused the lock on \(section) (\(detail)); nothing was taken")
    case .moved:
      break
    }
    // Another author's lock reached the remote first: undo the take here, bring theirs in.
    try undo(ref, to: before, taken: taken, tip: tip)
    try? catchUp(section, remote: remote, progress: progress)
    if let held = try readLock(ref)?.record, held.state == .held, held.sessionId != session, !held.expired {
      throw Self.heldError(held)
    }
    throw CasebookError.conflict(
      "\(remote.name)'s lock on \(section) moved while this take was sent; nothing was taken. Try again"
    )
  }

  /// Puts the lock ref back where it was before a take the remote did not confirm (only if the
  /// take wrote a commit, and only if nothing moved the ref since).
  private func undo(_ ref: String, to before: ObjectID?, taken: LockTaken, tip: ObjectID) throws {
    guard taken.lock.commit == tip.hex, before != tip else { return }
    if let before {
      try? repository.updateReference(ref, to: before, expected: tip, message: "casebook: lock not confirmed")
    } else {
      try? repository.deleteReference(ref, expected: tip)
    }
  }

  /// Fetches the remote's lock history of `section` and brings it in (fast-forward, or a merge
  /// where both sides added to it). The refspec is a pattern, so a remote without the lock yet
  /// is no error (it may bring in locks whose names start the same; they are only tracked).
  private func catchUp(_ section: SectionID, remote: RemoteInfo, progress: TransferProgress) throws {
    let ref = Layout.lockRef(section)
    guard let tracking = RemoteLayout.tracking(ref, remote: remote.name) else { return }
    try fetch(remote, progress: progress, refspecs: ["+\(ref)*:\(tracking)*"])
    var report = SyncReport(remote: remote.name, url: RemoteLayout.redacted(remote.url))
    try integrateLocks(remote.name, report: &report, only: section, by: User("casebook-sync"))
  }
}
