import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The outcome of `rollback`: the new commit, the commit whose state it restored, and the writes
/// it undid, newest first.
public struct RolledBack: Sendable, Codable {
  public struct Undone: Sendable, Codable {
    public let commit: String
    public let action: String?
    public let summary: String
  }

  public let sessionId: String
  public let commit: String
  public let restored: String
  public let undone: [Undone]
}

extension RolledBack: ReplayableResult {
  func replayed(commit: String, in project: Project) -> RolledBack {
    RolledBack(sessionId: sessionId, commit: commit, restored: restored, undone: undone)
  }
}

extension Project {
  /// The most writes one rollback undoes.
  static let maxRollback = 1_000

  /// Undoes a session's latest writes as one new commit whose files are those of an earlier
  /// commit of the session (`to`, or the one `last` writes back along the session's own first
  /// parents); history is never rewritten. The session file stays as it is now. Refused when a
  /// write to undo has been merged into main (or carries an approval), since main and the
  /// approval would still hold it; and by anyone but the session's owner. `exchange` links the
  /// exchange whose failure the rollback answers.
  public func rollback(
    session id: String, to revision: String? = nil, last: Int? = nil, reason: String? = nil, exchange: String? = nil,
    request: RequestID? = nil, by user: User
  ) throws -> RolledBack {
    let session = try SessionID(id)
    let ticket = RequestTicket.make(
      request, action: "rollback",
      [
        ("session", session.text), ("to", revision), ("last", last.map(String.init)), ("reason", reason),
        ("exchange", exchange),
      ])
    return try once(ticket, session: session) {
      try rollbackOnce(session, to: revision, last: last, reason: reason, exchange: exchange, ticket: ticket, by: user)
    }
  }

  private func rollbackOnce(
    _ session: SessionID, to revision: String?, last: Int?, reason: String?, exchange: String?,
    ticket: RequestTicket?, by user: User
  ) throws -> RolledBack {
    guard (revision == nil) != (last == nil) else {
      throw CasebookError.badInput("give exactly one of --to and --last")
    }
    if let last, !(1...Self.maxRollback).contains(last) {
      throw CasebookError.badInput("--last must be 1 to \(Self.maxRollback), not \(last)")
    }
    if let reason, reason.utf8.count > 64 << 10 { throw CasebookError.badInput("the reason is longer than 64 KiB") }
    var undone: [Commit] = []
    var restored: ObjectID?
    func result(_ commit: String) -> RolledBack {
      RolledBack(
        sessionId: session.text, commit: commit, restored: restored!.hex,
        undone: undone.map {
          RolledBack.Undone(
            commit: $0.id.hex, action: $0.trailers.first { $0.key == "Casebook-Action" }?.value,
            summary: String($0.message.split(separator: "\n").first ?? ""))
        })
    }
    let commit = try writeSession(session, by: user, request: ticket, result: result("")) {
      snapshot, record, pending in
      let tip = snapshot.commit!
      // Everything is checked before anything is written, objects included.
      if let exchange { _ = try validatedExchange(exchange, session: session, in: snapshot) }
      // The session's own writes, newest first, back to the target.
      var chain: [Commit] = []
      var target: ObjectID?
      let wanted = try revision.map { try self.snapshot(revision: $0).commit! }
      if let wanted, try wanted == tip || repository.mergeBase(wanted, tip) != wanted {
        throw CasebookError.badInput(
          "\(Identifier.printable(revision!)) is not an earlier commit of session \(session)'s own history")
      }
      var next: ObjectID? = tip
      while let current = next {
        if let wanted, current == wanted {
          target = current
          break
        }
        if let last, chain.count == last {
          target = current
          break
        }
        guard chain.count < Self.maxRollback else { break }
        let commit = try repository.commit(current)
        // The session's own history ends at its start: nothing before it is the session's.
        if commit.trailers.contains(where: { $0.key == "Casebook-Action" && $0.value == "session-start" }) {
          throw CasebookError.badInput(
            "rollback cannot undo the start of session \(session) or go before it; close the session instead")
        }
        chain.append(commit)
        next = commit.parents.first
      }
      guard let target, !chain.isEmpty else {
        throw CasebookError.badInput(
          revision.map { "\(Identifier.printable($0)) is not an earlier commit of session \(session)'s own history" }
            ?? "session \(session) has fewer than \(last!) writes to undo")
      }
      let main = try repository.referenceTarget(Layout.main)
      let tagged = Set(try approvals().map(\.commit))
      for commit in chain {
        let action = commit.trailers.first { $0.key == "Casebook-Action" }?.value
        if let main, try repository.mergeBase(commit.id, main) == commit.id {
          throw CasebookError.conflict(
            "\(commit.id.hex.prefix(12)) (\(action ?? "commit")) is already merged into main; rollback never crosses a merge into main"
          )
        }
        if tagged.contains(commit.id.hex) {
          throw CasebookError.conflict("\(commit.id.hex.prefix(12)) carries an approval; rollback never crosses one")
        }
      }
      pending.baseTree = try repository.treeID(ofCommit: target)
      // Requests stay done: a retry of an undone write is still answered, not written again.
      try keepRequests(of: session, from: snapshot, over: target, in: &pending)
      // The session file as it is now (its status and times), not as it was then.
      try pending.put(Layout.sessionFile(session), yaml: record.node)
      undone = chain
      restored = target
      var extra = chain.map { ("Casebook-Rolled-Back", $0.id.hex) }
      if let reason { extra.append(("Casebook-Reason", reason)) }
      if let exchange { extra.append(("Casebook-Exchange", exchange)) }
      return CommitMessage(
        summary: "roll back \(chain.count) write(s) of session \(session) to \(target.hex.prefix(12))",
        body: (reason.map { "Reason: \($0)\n\n" } ?? "")
          + chain.map { "- \($0.id.hex.prefix(12)) \($0.message.split(separator: "\n").first ?? "")" }.joined(
            separator: "\n"),
        action: "rollback", user: user.id, session: session, extra: extra)
    }
    return result(commit.hex)
  }
}
