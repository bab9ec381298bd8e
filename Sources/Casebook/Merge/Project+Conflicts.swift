import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// How `casebook resolve` settles a conflict.
public enum ResolveChoice: Sendable {
  /// Main's value ("ours" in the conflict record).
  case ours
  /// The session's value ("theirs").
  case theirs
  /// A value given as YAML (for a path inside a YAML file) or as the whole text (for a file).
  case value(String)
  /// An edited copy of the whole file; `source` names it in messages.
  case file(Data, source: String)
}

/// The outcome of `casebook resolve`.
public struct ConflictsResolved: Sendable, Codable {
  public let sessionId: String
  public let commit: String
  /// The conflicts settled by this command, as `file#path`.
  public let resolved: [String]
  /// Those still open.
  public let remaining: [String]
  /// True when this was the last one: main was merged into the session with every resolution,
  /// so that `session merge` now lands cleanly.
  public let merged: Bool
  /// The main commit merged into the session, when `merged`.
  public let main: String?
}

extension ConflictsResolved: ReplayableResult {
  func replayed(commit: String, in project: Project) -> ConflictsResolved {
    ConflictsResolved(
      sessionId: sessionId, commit: commit, resolved: resolved, remaining: remaining, merged: merged, main: main)
  }
}

extension ResolveChoice {
  /// What the choice is, for a request's fingerprint.
  var requestPart: String {
    switch self {
    case .ours: return "ours"
    case .theirs: return "theirs"
    case .value(let text): return "value \(text)"
    case .file(let data, _):
      var hash = SHA256()
      hash.update(data)
      return "file \(hash.finalize())"
    }
  }
}

extension Project {
  /// The conflicts recorded on a session's branch, nil when there are none.
  func conflictSet(_ id: SessionID, in snapshot: Snapshot) throws -> ConflictSet? {
    try snapshot.mapping(Layout.conflictFile(id)).map { try ConflictSet($0, path: Layout.conflictFile(id)) }
  }

  /// The conflicts recorded on session `id`'s branch (nil when none).
  public func conflicts(session id: String) throws -> ConflictSet? {
    let id = try SessionID(id)
    return try conflictSet(id, in: sessionSnapshot(id))
  }

  /// Refuses to merge a session while conflicts recorded on it are open.
  func refuseOpenConflicts(_ id: SessionID, in snapshot: Snapshot) throws {
    guard let set = try conflictSet(id, in: snapshot), !set.open.isEmpty else { return }
    throw CasebookError.conflict(
      "session \(id) has \(set.open.count) unresolved conflict(s) with main, recorded in \(Layout.conflictFile(id)); resolve them with 'casebook resolve --session \(id) …' first",
      set.open.map(\.record))
  }

  /// Commits the conflicts a merge found onto the session's branch (`sessions/<id>.conflicts.yaml`)
  /// and throws them as `.conflict`: nothing is merged, but the conflicts are kept as data that any
  /// clone can resolve. Returns normally only when the branch moved meanwhile (start over).
  /// `record`, when given, is written as the session file in the same commit (resume).
  func recordConflicts(
    _ conflicts: [ConflictRecord], session: Snapshot, main: ObjectID, operation: String, by user: User,
    record: SessionRecord? = nil, prefix: String? = nil
  ) throws {
    let id = try SessionID(String(session.ref.dropFirst(Layout.sessionPrefix.count)))
    let set = ConflictSet(
      sessionId: id.text, main: main.hex, session: session.commit!.hex, operation: operation, by: user.id,
      at: Timestamp.string(now()), conflicts: conflicts)
    let error = CasebookError.conflict(
      (prefix.map { $0 + "; " } ?? "")
        + "session \(id) conflicts with main in \(conflicts.count) place(s), so nothing was merged; the conflicts are recorded on the session's branch in \(Layout.conflictFile(id)): resolve them with 'casebook resolve --session \(id) FILE PATH --ours|--theirs|--value YAML' and merge again",
      conflicts)
    // The same conflicts against the same main are already recorded: nothing new to write.
    if record == nil, let existing = try conflictSet(id, in: session), existing.main == main.hex,
      existing.conflicts.map(\.record) == conflicts
    {
      throw error
    }
    let prepared = try prepare(on: session.ref, by: user) { _, pending in
      try pending.put(Layout.conflictFile(id), yaml: set.node)
      if let record { try pending.put(Layout.sessionFile(id), yaml: record.node) }
      return CommitMessage(
        summary: "record \(conflicts.count) conflict(s) with main \(main.hex.prefix(12))",
        body: "Found by \(operation); nothing was merged. Resolve with 'casebook resolve --session \(id)'.",
        action: record == nil ? "record-conflicts" : "session-resume", user: user.id, session: id,
        extra: [("Casebook-Main", main.hex)] + conflicts.map { ("Casebook-Conflict", "\($0.file)#\($0.path)") })
    }
    guard prepared.head == session.commit, try publish(prepared) else { return }
    throw error
  }

  /// Resolves recorded conflicts of session `id`: one (`file` and `path`), every one of a file
  /// (`file` alone), or all (neither; `.ours` or `.theirs` only). The resolution is committed on
  /// the session's branch with `Casebook-Resolved` trailers; the last one merges main (the commit
  /// the conflicts were found against) into the session with every resolution applied, so that
  /// `session merge` then lands without conflicting again.
  public func resolveConflicts(
    session id: String, file: String?, path: String?, choice: ResolveChoice, request: RequestID? = nil, by user: User
  ) throws -> ConflictsResolved {
    let id = try SessionID(id)
    let ticket = RequestTicket.make(
      request, action: "resolve-conflict",
      [("session", id.text), ("file", file), ("path", path), ("choice", choice.requestPart)])
    return try once(ticket, session: id) {
      try resolveConflictsOnce(session: id, file: file, path: path, choice: choice, ticket: ticket, by: user)
    }
  }

  private func resolveConflictsOnce(
    session id: SessionID, file: String?, path: String?, choice: ResolveChoice, ticket: RequestTicket?, by user: User
  ) throws -> ConflictsResolved {
    _ = try sessionSnapshot(id)
    if path != nil && file == nil { throw CasebookError.badInput("give the FILE the conflict is in, then its PATH") }
    switch choice {
    case .value:
      if file == nil || path == nil { throw CasebookError.badInput("--value needs the FILE and PATH of one conflict") }
    case .file:
      if file == nil || path != nil { throw CasebookError.badInput("--file needs the FILE it replaces, and no PATH") }
    case .ours, .theirs: break
    }
    return try retrying(Layout.sessionRef(id)) {
      let session = try sessionSnapshot(id)
      var record = try writableSession(id, in: session, by: user)
      guard var set = try conflictSet(id, in: session), !set.open.isEmpty else {
        throw CasebookError.badInput("session \(id) has no unresolved conflicts recorded; nothing to resolve")
      }
      let chosen = set.conflicts.indices.filter { index in
        let entry = set.conflicts[index]
        return !entry.isResolved && (file == nil || entry.file == file) && (path == nil || entry.path == path)
      }
      guard !chosen.isEmpty else {
        let name = "\(file ?? "")\(path.map { "#\($0)" } ?? "")"
        throw CasebookError.notFound(
          "session \(id) has no open conflict at \(Identifier.printable(name)); open: \(set.open.map(\.name).joined(separator: ", "))"
        )
      }
      let (resolution, value) = try validated(choice, for: chosen.map { set.conflicts[$0] })
      try checkProfileValue(value, whole: resolution == "file", for: set.conflicts[chosen[0]], in: session)
      let time = Timestamp.string(now())
      for index in chosen {
        set.conflicts[index].resolution = resolution
        set.conflicts[index].value = value
        set.conflicts[index].resolvedBy = user.id
        set.conflicts[index].resolvedAt = time
      }
      let names = chosen.map { set.conflicts[$0].name }
      var extra = names.map { ("Casebook-Resolved", $0) }
      let remaining = set.open.map(\.name)
      guard remaining.isEmpty else {
        let result = ConflictsResolved(
          sessionId: id.text, commit: "", resolved: names, remaining: remaining, merged: false, main: nil)
        let commit = try commitResolution(
          id, session: session, set: set, user: user, names: names, extra: extra, request: ticket, result: result)
        return commit.map { result.replayed(commit: $0.hex, in: self) }
      }
      // The last one: merge the recorded main into the session with every resolution.
      guard let main = ObjectID(hex: set.main), (try? repository.commit(main)) != nil else {
        throw CasebookError.repository(
          "the main commit \(set.main.prefix(12)) the conflicts were found against is missing")
      }
      let outcome = try merge(
        base: try sessionMergeBase(id, main: main, tip: session.commit!, recorded: record.base), main: main,
        session: session.commit!,
        resolutions: set.resolutions)
      guard outcome.isClean else {
        // The session changed since the conflicts were found, and new ones appeared: record them.
        let known = Set(set.conflicts.map(\.name))
        for conflict in outcome.conflicts where !known.contains("\(conflict.file)#\(conflict.path)") {
          set.conflicts.append(ConflictSet.Entry(conflict))
        }
        // Not the request's result (it fails): recorded without it, so a retry tries again.
        guard try commitResolution(id, session: session, set: set, user: user, names: names, extra: extra) != nil else {
          return nil
        }
        throw CasebookError.conflict(
          "resolved \(names.joined(separator: ", ")), but the session changed since, and merging main finds more conflicts; resolve those too",
          set.open.map(\.record))
      }
      record.base = main.hex
      extra.append(("Casebook-Main", main.hex))
      let result = ConflictsResolved(
        sessionId: id.text, commit: "", resolved: names, remaining: [], merged: true, main: main.hex)
      guard
        let commit = try publishSessionMerge(
          id, session: session, main: main, merge: outcome, record: record, by: user,
          message: CommitMessage(
            summary:
              "resolve \(set.conflicts.count) conflict(s) and merge main \(main.hex.prefix(12)) into session \(id)",
            body: set.conflicts.map { "\($0.name): \($0.resolution ?? "?") (\($0.resolvedBy ?? "?"))" }.joined(
              separator: "\n"),
            action: "resolve-conflict", user: user.id, session: id, extra: extra),
          request: ticket, result: result)
      else { return nil }
      return result.replayed(commit: commit.hex, in: self)
    }
  }

  private func commitResolution(
    _ id: SessionID, session: Snapshot, set: ConflictSet, user: User, names: [String], extra: [(String, String)],
    request: RequestTicket? = nil, result: ConflictsResolved? = nil
  ) throws -> ObjectID? {
    let prepared = try prepare(on: session.ref, by: user) { snapshot, pending in
      try pending.put(Layout.conflictFile(id), yaml: set.node)
      if let result { try pending.record(request, session: id, in: snapshot, by: user, result: result) }
      return CommitMessage(
        summary: "resolve \(names.count) conflict(s) with main; \(set.open.count) left", action: "resolve-conflict",
        user: user.id, session: id, extra: extra)
    }
    guard prepared.head == session.commit, try publish(prepared) else { return nil }
    return prepared.commit
  }

  /// The resolution's name and value as recorded, after checking the choice fits the conflicts.
  private func validated(_ choice: ResolveChoice, for entries: [ConflictSet.Entry]) throws -> (String, String?) {
    switch choice {
    case .ours: return ("ours", nil)
    case .theirs:
      if let locked = entries.first(where: \.isLockViolation) {
        throw CasebookError.badInput(
          "\(locked.file) is committed and locked on main, so main's text must stay (--ours); reopen the section in the session after the merge to change it"
        )
      }
      return ("theirs", nil)
    case .value(let text):
      let entry = entries[0]
      if entry.isLockViolation {
        throw CasebookError.badInput("\(entry.file) is committed and locked on main; resolve it with --ours")
      }
      if Self.isYAML(entry.file) {
        let node = try Self.parseYAML(Data(text.utf8), what: "--value for \(entry.name)")
        if entry.path.isEmpty, node.mapping == nil {
          throw CasebookError.badInput("--value for the whole of \(entry.file) must be a YAML mapping")
        }
        return ("value", YAML.emit(node))
      }
      return ("value", text)
    case .file(let data, let source):
      let entry = entries[0]
      if entries.contains(where: \.isLockViolation) {
        throw CasebookError.badInput("\(entry.file) is committed and locked on main; resolve it with --ours")
      }
      guard !data.isEmpty, let text = String(data: data, encoding: .utf8) else {
        throw CasebookError.badInput("\(source) is empty or not valid UTF-8 text")
      }
      if text.contains("<<<<<<<") || text.contains(">>>>>>>") {
        throw CasebookError.badInput("\(source) still has conflict markers (<<<<<<< or >>>>>>>); edit them out first")
      }
      if Self.isYAML(entry.file) {
        let node = try Self.parseYAML(data, what: source)
        guard node.mapping != nil else { throw CasebookError.badInput("\(source): expected a YAML mapping") }
        return ("file", YAML.emit(node))
      }
      return ("file", text)
    }
  }

  /// Refuses, when it is given, a profile that `profile set` would refuse (an empty or two-line
  /// title, an unknown gate), so that it is never recorded: the whole file (`whole`), or a value
  /// for a top-level key, set in the session's profile. Deeper paths are checked when the last
  /// resolution merges them in.
  private func checkProfileValue(
    _ value: String?, whole: Bool, for entry: ConflictSet.Entry, in session: Snapshot
  ) throws {
    guard let value, entry.file == Layout.profile else { return }
    var profile = try Self.parseYAML(Data(value.utf8), what: "the resolution of \(entry.name)")
    if !whole {
      guard let segments = try? ConflictPath.parse(entry.path), segments.count == 1, case .key(let key) = segments[0],
        case .mapping(var map)? = try session.yaml(Layout.profile)
      else { return }
      map[key] = profile
      profile = .mapping(map)
    }
    do {
      try ProfileSchema.validate(profile, projectID: settings.projectID)
    } catch let error as CasebookError {
      throw CasebookError.badInput("--value for \(entry.name): \(error.errorDescription ?? "")")
    }
  }

  static func isYAML(_ path: String) -> Bool { path.hasSuffix(".yaml") || path.hasSuffix(".yml") }
}
