import Git
import YAML

/// Safe retries: a write made with a request id records the request in its own commit, at
/// `requests/<session>/<2 hex>/<62 hex>.yaml` (the key's SHA-256) with a `Casebook-Request`
/// trailer, so that the check is one tree lookup however many writes the session has made, and
/// the record travels with the session: a clone answers a retry the same way.
extension Project {
  /// Runs `body`, one write of `session`, once per request: when the request was done already,
  /// returns its first result and writes nothing; when its key was used for another request,
  /// refuses (conflict). `home` is the branch the write lands on (the session's, or main for a
  /// session merge): it is searched first. Without a ticket, just runs `body`.
  func once<R: ReplayableResult>(
    _ ticket: RequestTicket?, session: SessionID, home: String? = nil, _ body: () throws -> R
  ) throws -> R {
    guard let ticket else { return try body() }
    if let done: R = try replay(ticket, session: session, home: home) { return done }
    do {
      return try body()
    } catch is RequestAlreadyDone {
      // Another attempt of the same request landed while this one was being built.
      guard let done: R = try replay(ticket, session: session, home: home) else {
        throw CasebookError.repository("request '\(ticket.id)' was recorded, then could not be found")
      }
      return done
    }
  }

  /// The first result of `ticket`'s request in `session`, or nil when it was never done.
  func replay<R: ReplayableResult>(_ ticket: RequestTicket, session: SessionID, home: String? = nil) throws -> R? {
    let path = ticket.path(session: session)
    var refs = [Layout.sessionRef(session), Layout.main]
    if let home, let index = refs.firstIndex(of: home) { refs.insert(refs.remove(at: index), at: 0) }
    for ref in refs {
      guard let tip = try repository.referenceTarget(ref) else { continue }
      let snapshot = try Snapshot(repository: repository, records: records, ref: ref, commit: tip)
      guard let stored = try snapshot.mapping(path) else { continue }
      let place = "\(ref):\(path)"
      guard stored["fingerprint"]?.string == ticket.fingerprint else { throw ticket.reused(stored, at: place) }
      guard let json = stored["result"]?.string, let after = stored["after"]?.string.flatMap(ObjectID.init(hex:))
      else { throw CasebookError.repository("the request record \(place) lacks its result or its parent commit") }
      let commit = try child(of: after, onFirstParentsOf: tip) ?? tip
      warn(
        "request '\(ticket.id)' was done already, in \(commit.hex.prefix(12)); nothing was written, and this is its first result"
      )
      return try R.fromStored(json, at: place).replayed(commit: commit.hex, in: self)
    }
    return nil
  }

  /// For a write that rebuilds a session's tree from an older commit (`rollback`): puts back
  /// every request record the session has now that `older` lacks, skipping folders that did not
  /// change.
  func keepRequests(
    of session: SessionID, from snapshot: Snapshot, over older: ObjectID, in pending: inout PendingChange
  )
    throws
  {
    let then = try repository.treeID(ofCommit: older)
    func keep(_ folder: String, now: [TreeEntry]) throws {
      let before = Dictionary(
        try repository.entries(at: folder, inTree: then).map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
      for entry in now where before[entry.name] != entry.id {
        let path = "\(folder)/\(entry.name)"
        if entry.kind == .tree {
          try keep(path, now: try repository.entries(ofTree: entry.id))
        } else {
          pending.put(path, blob: entry.id)
        }
      }
    }
    try keep("requests/\(session)", now: try snapshot.entries("requests/\(session)"))
  }

  /// The commit on main that merged `commit` in: among the last `limit` commits on main's
  /// first parents, the one whose other parent is `commit`. Nil when there is none so recent.
  func mainMerge(of commit: ObjectID, limit: Int = 1_000) throws -> ObjectID? {
    guard var current = try repository.referenceTarget(Layout.main) else { return nil }
    for _ in 0..<limit {
      let parents = try repository.parents(of: current)
      if parents.dropFirst().contains(commit) { return current }
      guard let next = parents.first else { break }
      current = next
    }
    return nil
  }

  /// The commit on `tip`'s first-parent line whose first parent is `parent`: a walk over commits
  /// only (no trees), from the newest, so a retry soon after its write is answered at once.
  func child(of parent: ObjectID, onFirstParentsOf tip: ObjectID) throws -> ObjectID? {
    var current = tip
    while let next = try repository.parents(of: current).first {
      if next == parent { return current }
      current = next
    }
    return nil
  }
}

extension PendingChange {
  /// Inside a write: records `ticket`'s request with the write's `result` (its commit left
  /// empty). When the head being written on already records it, throws `RequestAlreadyDone`,
  /// or refuses a key used for another request; so two attempts racing on one request land once.
  mutating func record(
    _ ticket: RequestTicket?, session: SessionID, in snapshot: Snapshot, by user: User,
    result: some ReplayableResult
  ) throws {
    guard let ticket else { return }
    let path = ticket.path(session: session)
    if let stored = try snapshot.mapping(path) {
      guard stored["fingerprint"]?.string == ticket.fingerprint else {
        throw ticket.reused(stored, at: "\(snapshot.ref):\(path)")
      }
      throw RequestAlreadyDone()
    }
    try put(path, yaml: ticket.node(user: user, after: snapshot.commit, result: try result.storedJSON()))
    trailers.append(("Casebook-Request", ticket.id.key))
  }
}
