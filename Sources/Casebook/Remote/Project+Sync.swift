import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What one `sync` did, ref by ref (README, "Working as a team").
public struct SyncReport: Encodable, Sendable {
  /// One ref's outcome.
  public struct Change: Encodable, Sendable {
    /// The local ref (`refs/heads/main`, `refs/heads/sessions/<id>`, `refs/tags/approved/...`,
    /// `refs/casebook/locks/<section>`).
    public let ref: String
    /// fetched, fast-forward, merged, pushed, up-to-date, ahead, diverged, clash, rejected.
    public let action: String
    public let commit: String?
    public let detail: String?
  }

  public let remote: String
  /// The remote's URL with any password taken out.
  public let url: String
  public internal(set) var changes: [Change] = []
  /// A session started to hold the conflicts of merging the remote's main, when it conflicted.
  public internal(set) var conflictSession: String?
  /// Problems that need a person: a tag or lock clash, a diverged session, a refused push.
  public internal(set) var problems: [String] = []
  /// Exit code the CLI gives: 0 done, 3 a conflict or clash needs a person, 5 the remote refused.
  public internal(set) var exitCode: Int32 = 0

  mutating func add(_ ref: String, _ action: String, _ commit: ObjectID? = nil, _ detail: String? = nil) {
    changes.append(Change(ref: ref, action: action, commit: commit?.hex, detail: detail))
  }

  mutating func problem(_ text: String, exit: Int32) {
    problems.append(text)
    exitCode = max(exitCode, exit)
  }
}

extension Project {
  /// Fetches from `remote`, brings its main, sessions, approval tags and locks into this clone by
  /// Casebook's rules, and pushes what this clone has that the remote has not: main, session
  /// branches that moved here, new approval tags and lock refs.
  ///
  /// - The remote's main is fast-forwarded to, or merged into main with one structural merge
  ///   commit; a conflict starts a session from the remote's main holding the conflicts (for
  ///   `casebook resolve`), pushes nothing, and throws `.conflict`.
  /// - A remote main that no longer contains what this clone last saw is reported (`.remote`),
  ///   never followed; nothing is pushed.
  /// - What the remote lacks goes in one atomic push, each ref a compare-and-swap against the
  ///   remote tip last fetched: all of it lands or none; what did not stays here for the next
  ///   sync.
  public func sync(remote name: String? = nil, by user: User, progress: TransferProgress) throws -> SyncReport {
    let remote = try syncRemote(name)
    var report = SyncReport(remote: remote.name, url: RemoteLayout.redacted(remote.url))
    let trackedMain = RemoteLayout.trackingPrefix(remote.name) + "main"
    let lastSeen = try repository.referenceTarget(trackedMain)
    if try !localRemoteUnchanged(remote) { try fetch(remote, progress: progress) }
    let remoteMain = try repository.referenceTarget(trackedMain)
    if let lastSeen, let remoteMain, try !repository.isDescendant(remoteMain, of: lastSeen) {
      // Keep what was last seen, so the next sync reports the rewrite again instead of taking it.
      try? repository.updateReference(trackedMain, to: lastSeen, expected: remoteMain, message: "casebook: keep")
      throw CasebookError.remote(
        "\(remote.name)'s main was rewritten: it is at \(remoteMain.hex.prefix(12)), which does not contain \(lastSeen.hex.prefix(12)) that this clone last saw there. Casebook does not follow a rewritten main; nothing was merged or pushed. Ask whoever rewrote it to restore it (git push --force \(remote.name) \(lastSeen.hex):refs/heads/main)"
      )
    }
    // Sessions, tags and locks first: they only add here, and a conflict on main must not keep
    // the others' sessions from being read and resolved here.
    try integrateBranches(remote.name, prefix: Layout.sessionPrefix, report: &report)
    try integrateTags(remote.name, report: &report)
    try integrateLocks(remote.name, report: &report, by: user)
    if let remoteMain { try integrateMain(remoteMain, remote: remote.name, report: &report, by: user) }
    try push(remote, report: &report, progress: progress)
    return report
  }

  /// The remote `name` names, or the one to use by default: `origin`, else the only remote.
  func syncRemote(_ name: String?) throws -> RemoteInfo {
    let remotes = try repository.remotes()
    if let name {
      guard let remote = remotes.first(where: { $0.name == name }) else {
        throw CasebookError.notFound(
          "no remote named '\(Identifier.printable(name))'; the remotes are: \(remotes.map(\.name).joined(separator: ", ").nonEmpty ?? "none")"
        )
      }
      return remote
    }
    if let origin = remotes.first(where: { $0.name == "origin" }) { return origin }
    guard remotes.count == 1 else {
      throw CasebookError.badInput(
        remotes.isEmpty
          ? "this project has no remote: add one with 'casebook remote add NAME URL'"
          : "this project has \(remotes.count) remotes and none is 'origin': name one (casebook sync NAME)")
    }
    return remotes[0]
  }

  /// Fetches every ref Casebook exchanges (or just `refspecs`) into its remote-tracking name,
  /// with git's own fetch: no tags followed, no FETCH_HEAD, nothing pruned.
  func fetch(_ remote: RemoteInfo, progress: TransferProgress, refspecs: [String]? = nil) throws {
    let transport = GitTransport(repository: repository.gitDirectory, progress: progress)
    let outcome = try transport.run(
      ["fetch", "--no-tags", "--no-write-fetch-head", "--no-prune", "--no-recurse-submodules"]
        + transport.progressFlag + [remote.name] + (refspecs ?? RemoteLayout.fetchRefspecs(remote.name)))
    guard outcome.status == 0 else {
      throw Self.remoteError("cannot fetch from \(remote.name) (\(RemoteLayout.redacted(remote.url)))", outcome)
    }
  }

  /// Whether the remote is a folder on this machine (a path or `file://`) whose every ref that a
  /// fetch would bring is already here under its remote-tracking name, at the same commit: then
  /// a fetch would change nothing, and the sync skips it (reading the remote's refs takes well
  /// under a millisecond; starting git's fetch and upload-pack takes several).
  func localRemoteUnchanged(_ remote: RemoteInfo) throws -> Bool {
    guard let path = Self.localPath(remote.url), let other = try? Repository.open(at: path) else { return false }
    for (ref, target) in try other.references(glob: "refs/*") {
      guard let tracking = RemoteLayout.tracking(ref, remote: remote.name) else { continue }
      if try repository.referenceTarget(tracking) != target { return false }
    }
    return true
  }

  /// The folder of a local remote (a path or a `file://` URL); nil for ssh, http(s) and git's
  /// `host:path` form.
  static func localPath(_ url: String) -> String? {
    if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
    if url.contains("://") { return nil }
    if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return nil }
    return url
  }

  /// A transport failure as the user should read it: git's own words (its `fatal:` and
  /// `remote:` lines), with any URL password taken out, and a hint for the usual causes.
  static func remoteError(_ what: String, _ outcome: GitTransport.Outcome) -> CasebookError {
    .remote("\(what): \(gitSaid(outcome)); nothing local was changed by it")
  }

  static func gitSaid(_ outcome: GitTransport.Outcome) -> String {
    let lines = outcome.messages.filter {
      $0.hasPrefix("fatal:") || $0.hasPrefix("error:") || $0.hasPrefix("remote:") || $0.contains("Permission denied")
        || $0.hasPrefix("ssh:") || $0.hasPrefix(" ! ")
    }
    var text = (lines.isEmpty ? Array(outcome.messages.suffix(3)) : lines).joined(separator: " ")
    for word in text.split(separator: " ") where RemoteLayout.hasPassword(String(word)) {
      text = text.replacingEvery(String(word), with: RemoteLayout.redacted(String(word)))
    }
    if text.isEmpty { text = "git exited with status \(outcome.status)" }
    if text.contains("Authentication failed") || text.contains("Permission denied")
      || text.contains("could not read Username") || text.contains("Could not read from remote repository")
    {
      text +=
        " (check the URL and the credentials: an ssh key or agent, a git credential helper, or CASEBOOK_HTTP_USERNAME and CASEBOOK_HTTP_PASSWORD)"
    } else if text.contains("Host key verification failed") || text.contains("certificate") {
      text += " (the server's host key or certificate is not trusted here)"
    }
    return text
  }

  // MARK: - Main

  private func integrateMain(_ remoteMain: ObjectID, remote: String, report: inout SyncReport, by user: User) throws {
    try retrying(Layout.main) { () -> Bool? in
      guard let local = try repository.referenceTarget(Layout.main) else {
        try repository.updateReference(Layout.main, to: remoteMain, expected: nil, message: "casebook: sync \(remote)")
        updateWorkingTree(from: nil, to: remoteMain)
        report.add(Layout.main, "fetched", remoteMain)
        return true
      }
      if try repository.isDescendant(local, of: remoteMain) {
        report.add(Layout.main, local == remoteMain ? "up-to-date" : "ahead", local)
        return true
      }
      if try repository.isDescendant(remoteMain, of: local) {
        do {
          try repository.updateReference(
            Layout.main, to: remoteMain, expected: local, message: "casebook: sync \(remote): fast-forward")
        } catch let error as GitError where error.isConflict {
          return nil
        }
        updateWorkingTree(from: local, to: remoteMain)
        report.add(Layout.main, "fast-forward", remoteMain)
        return true
      }
      guard let base = try repository.mergeBase(local, remoteMain) else {
        throw CasebookError.remote(
          "\(remote)'s main shares no history with this project's main: it holds another project; nothing was merged or pushed"
        )
      }
      let outcome = try merge(base: base, main: local, session: remoteMain)
      guard outcome.isClean else {
        report.conflictSession = try keepSyncConflicts(
          outcome.conflicts, remote: remote, remoteMain: remoteMain, base: base, main: local, by: user)
        return true  // not reached: keepSyncConflicts throws
      }
      let tree = try repository.buildTree(base: outcome.mainTree, changes: outcome.changes)
      let prepared = try prepare(on: Layout.main, by: user) { _, pending in
        pending.baseTree = tree
        pending.extraParents = [remoteMain]
        return CommitMessage(
          summary: "merge \(remote)'s main into main",
          body: "Structural merge of \(remote)'s main at \(remoteMain.hex).",
          action: "sync-merge", user: user.id, extra: [("Casebook-Remote", remote), ("Casebook-Main", remoteMain.hex)])
      }
      guard prepared.head == local, try publish(prepared) else { return nil }
      report.add(Layout.main, "merged", prepared.commit)
      return true
    }
  }

  /// Keeps the conflicts of merging the remote's main as data: on a session of `user` started
  /// from the remote's main, whose merge into main is exactly the merge that conflicted, so
  /// `casebook resolve --session ID` and `session merge ID` settle it as any session's
  /// conflicts. A second sync against the same remote main reuses that session. Always throws.
  private func keepSyncConflicts(
    _ conflicts: [ConflictRecord], remote: String, remoteMain: ObjectID, base: ObjectID?, main: ObjectID,
    by user: User
  ) throws -> String {
    let marker = "refs/casebook/sync/\(remote)"
    var id: SessionID?
    if let start = try repository.referenceTarget(marker), let commit = try? repository.commit(start),
      commit.parents.first == remoteMain,
      let text = commit.trailers.first(where: { $0.key == "Casebook-Session" })?.value,
      let existing = try? SessionID(text), try repository.referenceTarget(Layout.sessionRef(existing)) != nil
    {
      id = existing
    }
    let session = try id ?? startSyncSession(remote: remote, from: remoteMain, base: base, marker: marker, by: user)
    let snapshot = try sessionSnapshot(session)
    let prefix =
      "\(remote)'s main and this clone's main both moved and conflict; nothing was pushed. The conflicts are kept on session \(session), started for you from \(remote)'s main: resolve them, then 'casebook session merge \(session)' and 'casebook sync \(remote)'"
    try recordConflicts(conflicts, session: snapshot, main: main, operation: "sync", by: user, prefix: prefix)
    throw CasebookError.conflict(prefix, conflicts)
  }

  private func startSyncSession(
    remote: String, from remoteMain: ObjectID, base: ObjectID?, marker: String, by user: User
  ) throws -> SessionID {
    let id = Self.newSessionID()
    let commit = try commit(on: Layout.sessionRef(id), by: user, createFrom: remoteMain) { _, pending in
      let record = SessionRecord(
        sessionId: id.text, userId: user.id, projectId: settings.projectID, startedAt: Timestamp.string(now()),
        base: (base ?? remoteMain).hex)
      try pending.put(Layout.sessionFile(id), yaml: record.node)
      return CommitMessage(
        summary: "start session \(id) to merge \(remote)'s main", action: "session-start", user: user.id, session: id,
        extra: [("Casebook-Remote", remote), ("Casebook-Main", remoteMain.hex)])
    }
    let old = try repository.referenceTarget(marker)
    try repository.updateReference(marker, to: commit, expected: old, message: "casebook: sync conflicts")
    return id
  }

  // MARK: - Sessions, tags, locks

  /// Brings the remote's branches under `prefix` in: a new one is created, one this clone is
  /// behind on fast-forwards, one both sides moved is reported (only its owner writes a session,
  /// so that is the same person on two machines) and left as it is here.
  func integrateBranches(_ remote: String, prefix: String, report: inout SyncReport) throws {
    let tracking = RemoteLayout.trackingPrefix(remote) + prefix.dropFirst("refs/heads/".count)
    for (name, remoteTip) in try repository.references(glob: tracking + "*") {
      guard let local = RemoteLayout.local(name, remote: remote) else { continue }
      if let localTip = try integrate(local, remoteTip, remote: remote, report: &report) {
        report.problem(
          "\(local) moved both here and on \(remote) (here \(localTip.hex.prefix(12)), there \(remoteTip.hex.prefix(12))); it was left as it is on both sides",
          exit: 3)
        report.add(local, "diverged", localTip)
      }
    }
  }

  /// Creates or fast-forwards `local` to `remoteTip`; returns the local tip when both moved.
  private func integrate(_ local: String, _ remoteTip: ObjectID, remote: String, report: inout SyncReport) throws
    -> ObjectID?
  {
    guard let localTip = try repository.referenceTarget(local) else {
      try repository.updateReference(local, to: remoteTip, expected: nil, message: "casebook: sync \(remote)")
      report.add(local, "fetched", remoteTip)
      return nil
    }
    if try repository.isDescendant(localTip, of: remoteTip) { return nil }
    if try repository.isDescendant(remoteTip, of: localTip) {
      try repository.updateReference(local, to: remoteTip, expected: localTip, message: "casebook: sync \(remote)")
      report.add(local, "fast-forward", remoteTip)
      return nil
    }
    return localTip
  }

  /// Approval tags and approved documents are immutable: one this clone lacks is created here;
  /// one whose name this clone has for another object is a clash, reported and never
  /// overwritten on either side.
  func integrateTags(_ remote: String, report: inout SyncReport) throws {
    let prefix = RemoteLayout.trackingPrefix(remote)
    for pattern in ["tags/" + Layout.approvalTagPrefix, "casebook/documents/"] {
      for (name, remoteTag) in try repository.references(glob: prefix + pattern + "*") {
        guard let local = RemoteLayout.local(name, remote: remote) else { continue }
        guard let localTag = try repository.referenceTarget(local) else {
          try repository.updateReference(local, to: remoteTag, expected: nil, message: "casebook: sync \(remote)")
          report.add(local, "fetched", remoteTag)
          continue
        }
        if localTag != remoteTag {
          report.problem(Self.tagClash(local, here: localTag, there: remoteTag, remote: remote), exit: 3)
          report.add(local, "clash", localTag)
        }
      }
    }
  }

  static func tagClash(_ tag: String, here: ObjectID, there: ObjectID, remote: String) -> String {
    if tag.hasPrefix(Layout.documentPrefix) {
      return
        "approved document \(tag) is \(here.hex.prefix(12)) here and \(there.hex.prefix(12)) on \(remote): two approvals took the same number; it is never overwritten, so neither side was changed (it goes with the clashing approval tag of the same name)"
    }
    return
      "approval tag \(tag.dropFirst("refs/tags/".count)) is \(here.hex.prefix(12)) here and \(there.hex.prefix(12)) on \(remote): two approvals took the same name; approval tags are never overwritten, so neither side was changed. Approve the section again to record this clone's approval under the next number, then remove the local tag (git tag -d \(tag.dropFirst("refs/tags/".count)))"
  }
}

extension String {
  fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

extension Project {
  /// Brings the remote's lock histories in. One this clone lacks or is behind on is taken as it
  /// is (and the moment it arrived noted, for the clock-free expiry: `LockSightings`); one both
  /// sides added to is joined by a merge commit holding the lock that stands: the remote's,
  /// unless it is released or expired and this clone's is held. Two live locks of different
  /// sessions are a clash: the remote's stands (it reached the team first), this clone's lock is
  /// kept in the merged history, and the text its session wrote stays on the session's branch.
  func integrateLocks(_ remote: String, report: inout SyncReport, only: SectionID? = nil, by user: User) throws {
    let tracking = RemoteLayout.trackingPrefix(remote) + "casebook/locks/"
    for (name, remoteTip) in try repository.references(glob: tracking + (only?.text ?? "*")) {
      guard let local = RemoteLayout.local(name, remote: remote),
        let section = try? SectionID(String(local.dropFirst(Layout.lockPrefix.count)))
      else { continue }
      let before = try repository.referenceTarget(local)
      if let localTip = try integrate(local, remoteTip, remote: remote, report: &report) {
        try mergeLock(section, local: localTip, remote: remoteTip, remoteName: remote, report: &report, by: user)
      }
      if let after = try repository.referenceTarget(local), after != before, after == remoteTip {
        LockSightings(repository.gitDirectory).record(section, commit: after, at: now())
      }
    }
  }

  private func mergeLock(
    _ section: SectionID, local localTip: ObjectID, remote remoteTip: ObjectID, remoteName: String,
    report: inout SyncReport, by user: User
  ) throws {
    let ref = Layout.lockRef(section)
    guard let theirs = try readLock(ref, at: remoteTip)?.record, let ours = try readLock(ref, at: localTip)?.record
    else { return }
    let theirsLive = theirs.state == .held && !theirs.expired
    let oursLive = ours.state == .held && !ours.expired
    var kept = oursLive && !theirsLive ? ours : theirs
    if theirsLive && oursLive && theirs.sessionId != ours.sessionId {
      report.problem(
        "lock clash on section \(section): \(ours.userId) (session \(ours.sessionId)) took it here while \(theirs.holder) on \(remoteName); \(remoteName)'s lock stands, this clone's is kept in the lock's history, and session \(ours.sessionId)'s text is unchanged on its branch",
        exit: 3)
      kept = theirs
    }
    let node = kept.node
    let prepared = try prepare(on: ref, head: localTip, start: remoteTip, by: user) { _, pending in
      try pending.put(Self.lockFile, yaml: node)
      pending.extraParents = [localTip]
      return CommitMessage(
        summary: "merge the lock history of \(section) from \(remoteName)",
        body: "Kept: \(kept.userId) (session \(kept.sessionId)), \(kept.state.rawValue).", action: "merge-lock",
        user: user.id, section: section, extra: [("Casebook-Remote", remoteName)])
    }
    guard try publish(prepared) else {
      throw CasebookError.conflict(
        "\(ref) moved while it was merged with \(remoteName)'s; nothing was pushed. Sync again")
    }
    if kept.commit == theirs.commit {
      LockSightings(repository.gitDirectory).record(section, commit: prepared.commit, at: now())
    }
    report.add(ref, "merged", prepared.commit, "\(kept.userId) \(kept.state.rawValue)")
  }

  // MARK: - Push

  /// What this clone has that the remote has not confirmed, ref by ref: each a fast-forward of
  /// the remote's ref (or a ref it lacks), approval tags only where the remote has no tag of the
  /// name. Diverged refs and clashes are left out (they were reported).
  func unconfirmed(_ remote: String) throws -> [(ref: String, tip: ObjectID, remoteTip: ObjectID?)] {
    var refs: [(String, ObjectID)] = []
    if let main = try repository.referenceTarget(Layout.main) { refs.append((Layout.main, main)) }
    refs += try repository.references(glob: Layout.sessionPrefix + "*").map { ($0.name, $0.target) }
    refs += try repository.references(glob: Layout.lockPrefix + "*").map { ($0.name, $0.target) }
    var out: [(ref: String, tip: ObjectID, remoteTip: ObjectID?)] = []
    for (ref, tip) in refs {
      guard let tracking = RemoteLayout.tracking(ref, remote: remote) else { continue }
      let remoteTip = try repository.referenceTarget(tracking)
      if let remoteTip, try tip == remoteTip || !repository.isDescendant(tip, of: remoteTip) { continue }
      out.append((ref, tip, remoteTip))
    }
    let immutable =
      try repository.references(glob: "refs/tags/" + Layout.approvalTagPrefix + "*")
      + repository.references(glob: Layout.documentPrefix + "*")
    for (ref, tag) in immutable {
      guard let tracking = RemoteLayout.tracking(ref, remote: remote), try repository.referenceTarget(tracking) == nil
      else { continue }
      out.append((ref, tag, nil))
    }
    return out
  }

  /// Pushes what the remote has not confirmed in one atomic `git push`: every ref lands, or
  /// none does. Each ref is a compare-and-swap against the remote tip this clone last fetched
  /// (`--force-with-lease`), checked by the remote's `git receive-pack` under its ref lock.
  private func push(_ remote: RemoteInfo, report: inout SyncReport, progress: TransferProgress) throws {
    let pending = try unconfirmed(remote.name)
    guard !pending.isEmpty else { return }
    let answer = try send(pending.map { ($0.ref, $0.tip, $0.remoteTip) }, to: remote, progress: progress)
    switch answer {
    case .pushed:
      for item in pending {
        if let tracking = RemoteLayout.tracking(item.ref, remote: remote.name) {
          let current = try repository.referenceTarget(tracking)
          if current != item.tip {
            try? repository.updateReference(
              tracking, to: item.tip, expected: current, message: "casebook: pushed to \(remote.name)")
          }
        }
        report.add(item.ref, "pushed", item.tip)
      }
    case .moved(let detail):
      report.problem(
        "\(remote.name) moved while this sync ran (\(detail)), so nothing was pushed; everything is kept here: sync again",
        exit: 3)
    case .refused(let detail):
      report.problem(
        "\(remote.name) refused the push, so nothing was pushed; everything is kept here: \(detail)", exit: 5)
      for item in pending { report.add(item.ref, "rejected", item.tip) }
    case .unreachable(let detail):
      report.problem("cannot push to \(remote.name) (\(report.url)): \(detail); everything is kept here", exit: 5)
    }
  }

  enum PushAnswer {
    case pushed
    /// A ref was not where this clone last saw it (another push got there first).
    case moved(String)
    /// The remote could not be reached, or refused (a hook, permissions).
    case refused(String)
    /// The push did not reach the point of an answer (connection, authentication).
    case unreachable(String)
  }

  /// One atomic push of `updates` (ref, new tip, remote tip it must replace; nil: must not exist).
  func send(
    _ updates: [(ref: String, tip: ObjectID, remoteTip: ObjectID?)], to remote: RemoteInfo, progress: TransferProgress
  )
    throws -> PushAnswer
  {
    let transport = GitTransport(repository: repository.gitDirectory, progress: progress)
    let leases = updates.map { "--force-with-lease=\($0.ref):\($0.remoteTip?.hex ?? "")" }
    let outcome = try transport.run(
      ["push", "--atomic", "--porcelain"] + transport.progressFlag + leases + [remote.name]
        + updates.map { "\($0.tip.hex):\($0.ref)" })
    if outcome.status == 0 { return .pushed }
    // Porcelain lines: "<flag>\t<from>:<to>\t<summary> (<reason>)"; "!" is a refusal.
    let refusals = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("!") }.map { line in
      let fields = line.split(separator: "\t")
      let ref = fields.count > 1 ? fields[1].split(separator: ":").last.map(String.init) ?? "" : ""
      return (ref: ref, reason: fields.count > 2 ? String(fields[2]) : "rejected")
    }
    let said = Self.gitSaid(outcome)
    guard !refusals.isEmpty else { return .unreachable(said) }
    // A lease that failed on this side (stale info) or under the remote's ref lock (another
    // push got there first between git's check and its update).
    let lost = [
      "stale info", "fetch first", "non-fast-forward", "failed to update ref", "failed to lock", "cannot lock ref",
      "but expected",
    ]
    if refusals.contains(where: { refusal in lost.contains { refusal.reason.contains($0) } })
      || lost.contains(where: { said.contains($0) })
    {
      return .moved(
        refusals.filter { !$0.reason.contains("atomic") }.map { "\($0.ref): \($0.reason)" }.joined(separator: "; "))
    }
    let named = refusals.filter { !$0.reason.contains("atomic push failed") }.map { "\($0.ref) \($0.reason)" }
    return .refused((named + [said]).joined(separator: "; "))
  }
}
