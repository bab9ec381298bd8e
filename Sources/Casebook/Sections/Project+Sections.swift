import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What a draft or revision carries besides its text.
public struct SectionEdit: Sendable {
  public var content: String?
  public var sources: [SourceReference] = []
  public var prompt: String?
  public var feedback: String?
  public var title: String?
  /// The exchange (`exchange record`'s id) whose tool call produced this text.
  public var exchange: String?

  public init(
    content: String? = nil, sources: [SourceReference] = [], prompt: String? = nil, feedback: String? = nil,
    title: String? = nil, exchange: String? = nil
  ) {
    self.content = content
    self.sources = sources
    self.prompt = prompt
    self.feedback = feedback
    self.title = title
    self.exchange = exchange
  }
}

/// The outcome of a write to a section.
public struct SectionWritten: Sendable, Codable {
  public let sectionId: String
  public let sessionId: String
  public let action: String
  public let revision: Int
  public let status: SectionRecord.Status
  public let commit: String
  /// For `section commit`: the merge commit on main.
  public var mainCommit: String?
}

extension SectionWritten: ReplayableResult {
  func replayed(commit: String, in project: Project) throws -> SectionWritten {
    var out = SectionWritten(
      sectionId: sectionId, sessionId: sessionId, action: action, revision: revision, status: status, commit: commit)
    // A commit's merge into main came after the session commit that recorded the request.
    if action == "commit", let id = ObjectID(hex: commit) { out.mainCommit = try project.mainMerge(of: id)?.hex }
    return out
  }
}

extension SectionEdit {
  /// What decides a section write, for its request's fingerprint.
  func requestParts(_ id: SectionID, _ session: SessionID) -> [(String, String?)] {
    [
      ("section", id.text), ("session", session.text), ("content", content), ("prompt", prompt),
      ("feedback", feedback), ("title", title), ("exchange", exchange),
      ("sources", sources.isEmpty ? nil : sources.map { "\($0.input):\($0.locator ?? "")" }.joined(separator: "\n")),
    ]
  }
}

/// A section as read at one revision.
public struct SectionView: Sendable, Encodable {
  public let record: SectionRecord
  public let content: String
  public let commit: String
  public let approvals: [Approval]
}

/// One line of `section list`.
public struct SectionListing: Sendable, Encodable {
  public let sectionId: String
  public let title: String
  public let required: Bool
  /// nil when the section has not been drafted yet.
  public let status: SectionRecord.Status?
  public let revision: Int?
  public let locked: Bool
  /// The section's latest approval and its state against main (current or stale); nil when it
  /// has none.
  public var approval: String? = nil
  public var approvalState: ApprovalStatus.State? = nil
}

extension Project {
  /// The largest section text (`section draft`, `revise`, `compose`).
  public static let maxSectionTextBytes = 4 << 20

  /// The largest YAML file Casebook reads (`profile apply`, `resolve --file`): what its YAML
  /// reader accepts as one document.
  public static let maxYAMLFileBytes = Limits().maxDocumentBytes

  // MARK: - Writing

  /// Drafts a new section in a session: revision 1, with its sources and the prompt used.
  /// Without content, the section starts from the template's skeleton.
  public func draftSection(
    _ id: String, session: String, edit: SectionEdit, request: RequestID? = nil, by user: User
  ) throws -> SectionWritten {
    let id = try SectionID(id)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(request, action: "draft-section", edit.requestParts(id, session))
    return try draftSection(id, session: session, edit: edit, ticket: ticket, by: user)
  }

  func draftSection(_ id: SectionID, session: SessionID, edit: SectionEdit, ticket: RequestTicket?, by user: User)
    throws -> SectionWritten
  {
    let main = try mainSnapshot()
    return try writeSection(id, session: session, action: "draft", edit: edit, main: main, ticket: ticket, by: user) {
      snapshot, existing, _ in
      if let existing {
        if existing.locked { throw Self.lockedError(id) }
        throw CasebookError.badInput(
          "section \(id) already has a draft (revision \(existing.revision)) in this session; use 'casebook section revise'"
        )
      }
      try checkMainLock(id, main: main, session: nil)
      let templateSection = try settings(at: snapshot).section(id.text)
      guard let title = edit.title ?? templateSection?.title else {
        throw CasebookError.badInput("section \(id) is not one of the template's; give it a --title")
      }
      let content: String
      if let given = edit.content {
        content = given
      } else if let templateSection {
        content = try renderSkeleton(templateSection, in: snapshot)
      } else {
        throw CasebookError.badInput("section \(id) is not one of the template's; give its text with --from")
      }
      try Self.checkContent(content)
      var record = SectionRecord(
        sectionId: id.text, title: title, session: session.text, user: user.id, at: Timestamp.string(now()))
      record.sources = try validatedSources(edit.sources, adding: [], in: snapshot)
      record.prompts = edit.prompt.map { [$0] } ?? []
      record.exchange = try validatedExchange(edit.exchange, session: session, in: snapshot)
      return (record, "draft \(id)", content)
    }
  }

  /// Revises a drafted section: the next revision, with the feedback that prompted it.
  public func reviseSection(
    _ id: String, session: String, edit: SectionEdit, request: RequestID? = nil, by user: User
  ) throws -> SectionWritten {
    let id = try SectionID(id)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(request, action: "revise-section", edit.requestParts(id, session))
    return try reviseSection(id, session: session, edit: edit, ticket: ticket, by: user)
  }

  func reviseSection(_ id: SectionID, session: SessionID, edit: SectionEdit, ticket: RequestTicket?, by user: User)
    throws -> SectionWritten
  {
    guard let content = edit.content else {
      throw CasebookError.badInput("revise needs the new text (--from FILE or -)")
    }
    try Self.checkContent(content)
    let main = try mainSnapshot()
    return try writeSection(id, session: session, action: "revise", edit: edit, main: main, ticket: ticket, by: user) {
      snapshot, existing, _ in
      guard var record = existing else {
        throw CasebookError.notFound("section \(id) has no draft in session \(session); draft it first")
      }
      if record.locked { throw Self.lockedError(id) }
      try checkMainLock(id, main: main, session: record)
      record.revision += 1
      record.status = .revised
      record.session = session.text
      record.updatedBy = user.id
      record.updatedAt = Timestamp.string(now())
      record.sources = try validatedSources(edit.sources, adding: record.sources, in: snapshot)
      record.prompts = edit.prompt.map { [$0] } ?? []
      record.feedback = edit.feedback
      record.exchange = try validatedExchange(edit.exchange, session: session, in: snapshot)
      if let title = edit.title { record.title = title }
      return (record, "revise \(id) to revision \(record.revision)", content)
    }
  }

  /// Commits a section: marks it committed and locked in the session, then merges the session
  /// into main. When the merge would conflict, nothing at all is written.
  public func commitSection(_ id: String, session: String, request: RequestID? = nil, by user: User) throws
    -> SectionWritten
  {
    let id = try SectionID(id)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "commit-section", [("section", id.text), ("session", session.text)])
    return try commitSection(id, session: session, ticket: ticket, by: user)
  }

  func commitSection(_ id: SectionID, session: SessionID, ticket: RequestTicket?, by user: User) throws
    -> SectionWritten
  {
    try once(ticket, session: session) { try commitSectionOnce(id, session: session, ticket: ticket, by: user) }
  }

  private func commitSectionOnce(_ id: SectionID, session: SessionID, ticket: RequestTicket?, by user: User) throws
    -> SectionWritten
  {
    // Refresh first, so that the commit merges onto current main; but only once the commit is
    // known to be acceptable, so that a refused commit writes nothing at all.
    let current = try sessionSnapshot(session)
    let stored = try writableSession(session, in: current, by: user)
    guard let drafted = try sectionRecord(id, in: current) else {
      throw CasebookError.notFound("section \(id) has no draft in session \(session)")
    }
    guard !drafted.locked else { throw CasebookError.badInput("section \(id) is already committed") }
    if let main = try repository.referenceTarget(Layout.main), try isBehindMain(session, base: stored.base, main: main)
    {
      _ = try refreshSession(session.text, by: user)
    }
    var written: SectionRecord?
    var recorded = stored.base
    var marker: ObjectID?  // refs/casebook/merging/<session>, so a crash between the two updates is found
    defer { clearMergeMarker(session, at: marker) }
    let commit: ObjectID = try retrying(Layout.sessionRef(session)) {
      let prepared = try prepare(on: Layout.sessionRef(session), by: user) { snapshot, pending in
        let record = try writableSession(session, in: snapshot, by: user)
        recorded = record.base
        guard var section = try sectionRecord(id, in: snapshot) else {
          throw CasebookError.notFound("section \(id) has no draft in session \(session)")
        }
        guard !section.locked else { throw CasebookError.badInput("section \(id) is already committed") }
        try checkSectionLockFree(id, session: session)
        section.status = .committed
        section.session = session.text
        section.locked = true
        section.updatedBy = user.id
        section.updatedAt = record.lastActive
        section.committedBy = user.id
        section.committedAt = record.lastActive
        section.prompts = []
        section.feedback = nil
        try pending.put(Layout.sectionMeta(id), yaml: section.node)
        written = section
        // Its main commit is not known yet: a retry reads it from main (`replayed`).
        try pending.record(
          ticket, session: session, in: snapshot, by: user,
          result: SectionWritten(
            sectionId: id.text, sessionId: session.text, action: "commit", revision: section.revision,
            status: .committed, commit: ""))
        return sectionMessage(
          "commit \(id) at revision \(section.revision)", action: "commit-section", id: id, session: session,
          record: section, user: user, edit: SectionEdit())
      }
      // Try the merge before publishing anything: a conflict leaves both branches as they were.
      guard let main = try repository.referenceTarget(Layout.main) else {
        throw CasebookError.repository("main is missing")
      }
      let base = try sessionMergeBase(session, main: main, tip: prepared.commit, recorded: recorded)
      _ = try mergedTree(base: base, main: main, session: prepared.commit)
      marker = try setMergeMarker(session, at: prepared.commit)
      return try publish(prepared) ? prepared.commit : nil
    }
    let merged = try mergeSession(session.text, by: user)
    releaseLockAfterWrite(id, session: session, by: user, reason: "section committed")
    var result = SectionWritten(
      sectionId: id.text, sessionId: session.text, action: "commit", revision: written!.revision, status: .committed,
      commit: commit.hex)
    result.mainCommit = merged.commit
    return result
  }

  /// Reopens a committed section in a session so that it can be revised again.
  public func reopenSection(_ id: String, session: String, request: RequestID? = nil, by user: User) throws
    -> SectionWritten
  {
    let id = try SectionID(id)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "reopen-section", [("section", id.text), ("session", session.text)])
    return try writeSection(id, session: session, action: "reopen", edit: SectionEdit(), ticket: ticket, by: user) {
      _, existing, record in
      guard var section = existing else { throw CasebookError.notFound("section \(id) is not in session \(session)") }
      guard section.locked else {
        throw CasebookError.badInput("section \(id) is not committed, so there is nothing to reopen")
      }
      section.locked = false
      section.status = .reopened
      section.session = session.text
      section.updatedBy = user.id
      section.updatedAt = record.lastActive
      return (section, "reopen \(id)", nil)
    }
  }

  /// One write to a section in a session, top to bottom: the write is checked against the
  /// session as it is (a refused write takes no lock and writes nothing), the section's lock is
  /// taken or extended, and then the session commit is written, rebuilt on the new head if
  /// another writer moved the session meanwhile. `change` gets the section's record (nil when
  /// not drafted yet) and the session's, and returns the new record, the commit's summary and
  /// the new text (nil to keep it). `main` is main as the caller read it, if it did.
  private func writeSection(
    _ id: SectionID, session: SessionID, action: String, edit: SectionEdit, main: Snapshot? = nil,
    ticket: RequestTicket?, by user: User,
    change: (Snapshot, SectionRecord?, SessionRecord) throws -> (
      record: SectionRecord, summary: String, content: String?
    )
  ) throws -> SectionWritten {
    try once(ticket, session: session) {
      try writeSectionOnce(
        id, session: session, action: action, edit: edit, main: main, ticket: ticket, by: user, change: change)
    }
  }

  private func writeSectionOnce(
    _ id: SectionID, session: SessionID, action: String, edit: SectionEdit, main: Snapshot?, ticket: RequestTicket?,
    by user: User,
    change: (Snapshot, SectionRecord?, SessionRecord) throws -> (
      record: SectionRecord, summary: String, content: String?
    )
  ) throws -> SectionWritten {
    let current = try sessionSnapshot(session)
    _ = try change(current, try sectionRecord(id, in: current), try writableSession(session, in: current, by: user))
    let claim = claimSectionLock(id, session: session, by: user)
    defer { claim.finish() }
    try claim.take()
    var written: SectionRecord?
    func result(_ commit: String) -> SectionWritten {
      SectionWritten(
        sectionId: id.text, sessionId: session.text, action: action, revision: written!.revision,
        status: written!.status, commit: commit)
    }
    let commit = try writeSession(session, by: user, main: main?.commit, request: ticket, result: result("")) {
      snapshot, sessionRecord, pending in
      let (record, summary, content) = try change(snapshot, try sectionRecord(id, in: snapshot), sessionRecord)
      if let content { try pending.put(Layout.sectionContent(id), text: content) }
      try pending.put(Layout.sectionMeta(id), yaml: record.node)
      written = record
      return sectionMessage(
        summary, action: "\(action)-section", id: id, session: session, record: record, user: user, edit: edit)
    }
    claim.keep()
    return result(commit.hex)
  }

  /// The Composer tool: drafts a section that does not exist, revises one whose text differs,
  /// and commits one whose text is already what is given.
  ///
  /// With a request id, a retry gets the first call's result: a retried compose whose revise
  /// landed does not go on to commit the section.
  public func compose(
    _ id: String, session: String, edit: SectionEdit, request: RequestID? = nil, by user: User
  ) throws -> SectionWritten {
    let section = try SectionID(id)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(request, action: "compose", edit.requestParts(section, session))
    return try once(ticket, session: session) {
      let snapshot = try sessionSnapshot(session)
      guard let record = try sectionRecord(section, in: snapshot) else {
        return try draftSection(section, session: session, edit: edit, ticket: ticket, by: user)
      }
      if record.locked { throw Self.lockedError(section) }
      let current = try snapshot.data(Layout.sectionContent(section)).map { String(decoding: $0, as: UTF8.self) }
      if let content = edit.content, content != current {
        return try reviseSection(section, session: session, edit: edit, ticket: ticket, by: user)
      }
      return try commitSection(section, session: session, ticket: ticket, by: user)
    }
  }

  // MARK: - Reading

  /// A section at a revision: on a session's branch, on main, at any git revision, or at a
  /// section revision number (`3`) found in the history of the branch.
  public func section(_ id: String, session: String? = nil, at revision: String? = nil) throws -> SectionView {
    let id = try SectionID(id)
    let snapshot = try sectionSnapshot(id, session: session, at: revision)
    guard let record = try sectionRecord(id, in: snapshot) else {
      throw CasebookError.notFound("section \(id) not found at \(revision ?? snapshot.ref)")
    }
    let content = try snapshot.data(Layout.sectionContent(id)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    return SectionView(
      record: record, content: content, commit: snapshot.commit!.hex, approvals: try approvals(section: id.text))
  }

  /// Every section of the template, then any others drafted, with their state.
  public func sections(session: String? = nil) throws -> [SectionListing] {
    let snapshot = try session.map { try sessionSnapshot(SessionID($0)) } ?? mainSnapshot()
    var out: [SectionListing] = []
    var seen = Set<String>()
    for entry in try settings(at: snapshot).sections {
      let record = try sectionRecord(SectionID(entry.id), in: snapshot)
      out.append(
        SectionListing(
          sectionId: entry.id, title: record?.title ?? entry.title, required: entry.required, status: record?.status,
          revision: record?.revision, locked: record?.locked ?? false))
      seen.insert(entry.id)
    }
    for entry in try snapshot.entries("sections") where entry.name.hasSuffix(".yaml") {
      guard let id = try? SectionID(String(entry.name.dropLast(".yaml".count))), !seen.contains(id.text),
        let record = try sectionRecord(id, in: snapshot)
      else { continue }
      out.append(
        SectionListing(
          sectionId: id.text, title: record.title, required: false, status: record.status, revision: record.revision,
          locked: record.locked))
    }
    var latest: [String: ApprovalStatus] = [:]
    for status in try approvalStatuses() where status.state != .superseded { latest[status.approval.section] = status }
    for index in out.indices {
      guard let status = latest[out[index].sectionId] else { continue }
      out[index].approval = status.approval.tag
      out[index].approvalState = status.state
    }
    return out
  }

  /// A unified diff of a section's text between two revisions. With none, the latest change on
  /// the branch; with one, from it to the branch's head.
  public func sectionDiff(_ id: String, session: String? = nil, from: String? = nil, to: String? = nil) throws -> String
  {
    let id = try SectionID(id)
    let path = Layout.sectionContent(id)
    let head = try sectionSnapshot(id, session: session, at: nil)
    let old: Snapshot?
    let new: Snapshot
    switch (from, to) {
    case (nil, _):
      let history = try repository.log(from: head.commit!, path: path, limit: 2)
      guard let latest = history.first else {
        throw CasebookError.notFound("section \(id) has no history on \(head.ref)")
      }
      new = try Snapshot(repository: repository, records: records, ref: head.ref, commit: latest.id)
      old = try history.dropFirst().first.map {
        try Snapshot(repository: repository, records: records, ref: head.ref, commit: $0.id)
      }
    case (let from?, nil):
      old = try sectionSnapshot(id, session: session, at: from)
      new = head
    case (let from?, let to?):
      old = try sectionSnapshot(id, session: session, at: from)
      new = try sectionSnapshot(id, session: session, at: to)
    }
    return try Repository.unifiedDiff(
      old: try old?.data(path), new: try new.data(path), oldPath: path, newPath: path)
  }

  // MARK: - Helpers

  func sectionRecord(_ id: SectionID, in snapshot: Snapshot) throws -> SectionRecord? {
    try snapshot.mapping(Layout.sectionMeta(id)).map { try SectionRecord($0, path: Layout.sectionMeta(id)) }
  }

  /// The snapshot holding a section at a revision: a git revision, or a section revision number.
  func sectionSnapshot(_ id: SectionID, session: String?, at revision: String?) throws -> Snapshot {
    let branch = try session.map { try sessionSnapshot(SessionID($0)) } ?? mainSnapshot()
    guard let revision else { return branch }
    if revision.count <= 6, let number = Int(revision), number > 0 {
      for commit in try repository.log(from: branch.commit!, path: Layout.sectionMeta(id)) {
        let snapshot = try Snapshot(repository: repository, records: records, ref: branch.ref, commit: commit.id)
        if let record = try sectionRecord(id, in: snapshot) {
          if record.revision == number { return snapshot }
          if record.revision < number { break }
        }
      }
      throw CasebookError.notFound("section \(id) has no revision \(number) on \(branch.ref)")
    }
    return try snapshot(revision: revision)
  }

  /// The exchange a section write names, checked: one recorded in this session, on this branch.
  func validatedExchange(_ text: String?, session: SessionID, in snapshot: Snapshot) throws -> String? {
    guard let text else { return nil }
    let prefix = session.text + "-"
    guard text.hasPrefix(prefix), let sequence = Int(text.dropFirst(prefix.count)),
      RecordNumber.counts.contains(sequence), sequence > 0, String(sequence) == text.dropFirst(prefix.count)
    else {
      throw CasebookError.badInput(
        "exchange '\(Identifier.printable(text))' is not one of session \(session)'s (its ids are \(session)-N, as exchange record prints)"
      )
    }
    guard try snapshot.exists(Layout.exchange(session: session, sequence: sequence)) else {
      throw CasebookError.notFound("exchange \(text) is not recorded in session \(session)")
    }
    return text
  }

  static func lockedError(_ id: SectionID) -> CasebookError {
    .conflict(
      "section \(id) is committed and locked; reopen it with 'casebook section reopen \(id) --session …' to change it")
  }

  /// Refuses a change to a section that main holds committed and locked, unless this session
  /// reopened it itself.
  private func checkMainLock(_ id: SectionID, main: Snapshot, session record: SectionRecord?) throws {
    guard record?.status != .reopened, let onMain = try sectionRecord(id, in: main), onMain.locked else { return }
    throw CasebookError.conflict(
      "section \(id) was committed on main by \(onMain.committedBy ?? onMain.updatedBy) and is locked; reopen it in a session that has that commit"
    )
  }

  static func checkContent(_ content: String) throws {
    guard content.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
      throw CasebookError.badInput("the section text is empty")
    }
    guard content.utf8.count <= Self.maxSectionTextBytes else {
      throw CasebookError.badInput(
        "the section text is larger than \(System.describe(bytes: Self.maxSectionTextBytes))")
    }
  }

  private func sectionMessage(
    _ summary: String, action: String, id: SectionID, session: SessionID, record: SectionRecord, user: User,
    edit: SectionEdit
  ) -> CommitMessage {
    var extra = [("Casebook-Revision", String(record.revision))]
    for source in edit.sources { extra.append(("Casebook-Source", source.description)) }
    var body: [String] = []
    if let prompt = edit.prompt { body.append("Prompt: \(prompt)") }
    if let feedback = edit.feedback { body.append("Feedback: \(feedback)") }
    if let exchange = edit.exchange { extra.append(("Casebook-Exchange", exchange)) }
    return CommitMessage(
      summary: summary, body: body.joined(separator: "\n\n"), action: action, user: user.id, session: session,
      section: id, extra: extra)
  }
}
