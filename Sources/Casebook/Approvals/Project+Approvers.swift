import Git

/// The approvers list as one session changed it.
public struct ApproversWritten: Sendable, Encodable, ReplayableResult {
  public let approvers: [Approver]
  public let commit: String

  func replayed(commit: String, in project: Project) -> ApproversWritten {
    ApproversWritten(approvers: approvers, commit: commit)
  }
}

extension Project {
  /// Who may approve, as main's `casebook.yaml` says now.
  public func approvers() throws -> [Approver] { try settings(at: mainSnapshot()).approvers }

  /// Adds (or replaces) `entry` in the session's `casebook.yaml`; it reaches main when the
  /// session is merged, and who changed it is in the history.
  public func addApprover(_ entry: Approver, session: String, request: RequestID? = nil, by user: User) throws
    -> ApproversWritten
  {
    let approver = try User(entry.user)
    for section in entry.sections { _ = try SectionID(section) }
    for role in entry.roles { _ = try User(role) }
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "add-approver",
      [
        ("session", session.text), ("user", approver.id), ("roles", entry.roles.joined(separator: ",")),
        ("sections", entry.sections.joined(separator: ",")), ("gates", entry.gates.joined(separator: ",")),
      ])
    return try writeApprovers(session: session, ticket: ticket, by: user, summary: "let \(approver.id) approve") {
      $0.removeAll { $0.user == approver.id }
      $0.append(Approver(user: approver.id, roles: entry.roles, sections: entry.sections, gates: entry.gates))
    }
  }

  /// Removes `approver` from the session's `casebook.yaml`.
  public func removeApprover(_ approver: String, session: String, request: RequestID? = nil, by user: User) throws
    -> ApproversWritten
  {
    let approver = try User(approver)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "remove-approver", [("session", session.text), ("user", approver.id)])
    return try writeApprovers(session: session, ticket: ticket, by: user, summary: "stop \(approver.id) approving") {
      guard $0.contains(where: { $0.user == approver.id }) else {
        throw CasebookError.notFound("\(approver.id) is not among the approvers")
      }
      $0.removeAll { $0.user == approver.id }
    }
  }

  private func writeApprovers(
    session: SessionID, ticket: RequestTicket?, by user: User, summary: String,
    change: @escaping (inout [Approver]) throws -> Void
  ) throws -> ApproversWritten {
    try once(ticket, session: session) {
      var written: [Approver] = []
      let commit = try writeSession(
        session, by: user, request: ticket, result: ApproversWritten(approvers: written, commit: "")
      ) { snapshot, _, pending in
        var settings = try settings(at: snapshot)
        try change(&settings.approvers)
        written = settings.approvers
        try pending.put(Layout.config, yaml: settings.node)
        return CommitMessage(summary: summary, action: "change-approvers", user: user.id, session: session)
      }
      return ApproversWritten(approvers: written, commit: commit.hex)
    }
  }

  /// Refuses an approval the project's approvers list does not allow (exit 3); with no list,
  /// anyone may approve.
  func checkApprover(_ user: User, section: SectionID, role: String, gate: String, on main: Snapshot) throws {
    let approvers = try settings(at: main).approvers
    guard !approvers.isEmpty else { return }
    guard approvers.contains(where: { $0.user == user.id && $0.allows(section: section.text, role: role, gate: gate) })
    else {
      let own = approvers.filter { $0.user == user.id }
      throw CasebookError.conflict(
        own.isEmpty
          ? "\(user.id) is not among the project's approvers (settings.approvers in casebook.yaml), so may not approve \(section); nothing was written"
          : "\(user.id) may not approve \(section) as \(role) at \(gate.isEmpty ? "this gate" : gate) (settings.approvers in casebook.yaml); nothing was written"
      )
    }
  }
}
