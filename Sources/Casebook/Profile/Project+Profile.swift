import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What a profile write did: its commit, and the gate move it made when `gate_stage` changed.
public struct ProfileWritten: Sendable, Codable {
  public let commit: String
  public let branch: String
  public let gate: GateChange?
}

extension ProfileWritten: ReplayableResult {
  func replayed(commit: String, in project: Project) -> ProfileWritten {
    var gate = self.gate
    gate?.commit = commit
    return ProfileWritten(commit: commit, branch: branch, gate: gate)
  }
}

extension GateOptions {
  /// What decides a gate move, for a request's fingerprint.
  var requestParts: [(String, String?)] {
    [("template", template.map { "\($0.id) \($0.directory)" }), ("force", force ? "yes" : nil)]
  }
}

extension Project {
  /// The project profile on main, on a session's branch, or at a revision.
  public func profile(session: String? = nil, at revision: String? = nil) throws -> Node {
    let snapshot: Snapshot
    if let revision {
      snapshot = try self.snapshot(revision: revision)
    } else {
      snapshot = try session.map { try sessionSnapshot(SessionID($0)) } ?? mainSnapshot()
    }
    guard let profile = try snapshot.yaml(Layout.profile) else {
      throw CasebookError.notFound("\(Layout.profile) not found at \(snapshot.ref)")
    }
    return profile
  }

  /// One value of the profile, by a key path such as `gate_stage`, `stakeholders[0].name` or
  /// `stakeholders.Finance.role` (items of a list of mappings by their `name` or `id`).
  public func profileValue(_ key: String, session: String? = nil) throws -> Node {
    let steps = try Self.keyPath(key)
    var node = try profile(session: session)
    for step in steps {
      switch (step, node) {
      case (.key(let k), .mapping(let map)) where map[k] != nil:
        node = map[k]!
      case (.key(let k), .sequence(let items)):
        guard let item = items.first(where: { $0["name"]?.string == k || $0["id"]?.string == k }) else {
          throw CasebookError.notFound("profile has no item '\(k)' in \(key)")
        }
        node = item
      case (.index(let i), .sequence(let items)) where items.indices.contains(i):
        node = items[i]
      default:
        throw CasebookError.notFound("profile has no value at '\(key)'")
      }
    }
    return node
  }

  /// Sets one top-level or nested mapping key of the profile in a session. `value` is YAML
  /// (`"Gate 1"`, `[a, b]`, `{name: Finance, role: Reviewer}`); for the schema's string keys a
  /// scalar is taken as its text.
  /// Setting `gate_stage` moves the session to that gate as `changeGate` does, in the same commit.
  public func setProfile(
    _ key: String, value: String, session: String, gate: GateOptions = GateOptions(), request: RequestID? = nil,
    by user: User
  ) throws -> ProfileWritten {
    let steps = try Self.keyPath(key)
    var keys: [String] = []
    for step in steps {
      guard case .key(let k) = step else {
        throw CasebookError.badInput("profile set takes a key path of mapping keys (a.b); set the whole list instead")
      }
      keys.append(k)
    }
    var parsed = try Self.parseYAML(Data(value.utf8), what: "value for \(key)")
    if keys.count == 1, ProfileSchema.stringKeys.contains(keys[0]) {
      switch parsed {
      case .int, .float, .bool: parsed = .string(value.trimmingSpaces())
      default: break
      }
    }
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "set-profile", [("session", session.text), ("key", key), ("value", value)] + gate.requestParts)
    return try writeProfile(session: session, gate: gate, ticket: ticket, by: user, summary: "set profile \(key)") {
      profile in
      profile = try Self.setting(keys[...], to: parsed, in: profile)
    }
  }

  /// Applies a YAML mapping over the profile: each key given replaces the profile's, and a key
  /// given as null is removed. A changed `gate_stage` moves the session to that gate.
  public func applyProfile(
    _ data: Data, source: String, session: String, gate: GateOptions = GateOptions(), request: RequestID? = nil,
    by user: User
  ) throws -> ProfileWritten {
    let node = try Self.parseYAML(data, what: source)
    guard let changes = node.mapping else {
      throw CasebookError.badInput("\(source): expected a mapping of profile keys, not a \(node.typeName)")
    }
    guard !changes.isEmpty else { throw CasebookError.badInput("\(source) has no keys to apply") }
    let session = try SessionID(session)
    var digest = SHA256()
    digest.update(data)
    let ticket = RequestTicket.make(
      request, action: "apply-profile", [("session", session.text), ("yaml", digest.finalize())] + gate.requestParts)
    return try writeProfile(
      session: session, gate: gate, ticket: ticket, by: user, summary: "apply \(changes.count) profile key(s)"
    ) {
      profile in
      guard case .mapping(var map) = profile else { return }
      for (key, value) in changes {
        if value.isNull { map.removeValue(forKey: key) } else { map[key] = value }
      }
      profile = .mapping(map)
    }
  }

  private func writeProfile(
    session: SessionID, gate options: GateOptions, ticket: RequestTicket?, by user: User, summary: String,
    change: (inout Node) throws -> Void
  ) throws -> ProfileWritten {
    try once(ticket, session: session) {
      try writeProfileOnce(
        session: session, gate: options, ticket: ticket, by: user, summary: summary, change: change)
    }
  }

  private func writeProfileOnce(
    session: SessionID, gate options: GateOptions, ticket: RequestTicket?, by user: User, summary: String,
    change: (inout Node) throws -> Void
  ) throws -> ProfileWritten {
    var gateChange: GateChange?
    let made = { ProfileWritten(commit: "", branch: Layout.sessionRef(session), gate: gateChange) }
    let commit = try writeSession(session, by: user, request: ticket, result: made()) { snapshot, _, pending in
      guard var profile = try snapshot.yaml(Layout.profile) else {
        throw CasebookError.repository("\(Layout.profile) is missing on session \(session)")
      }
      let before = profile["gate_stage"]?.string
      try change(&profile)
      try ProfileSchema.validate(profile, projectID: settings.projectID)
      gateChange = nil
      if let gate = profile["gate_stage"]?.string, let before, gate != before, case .mapping(var map) = profile {
        // The gate moves as `changeGate` moves it: template, sections and profile stub together.
        map["gate_stage"] = .string(before)
        profile = .mapping(map)
        if let planned = try moveGate(&profile, to: gate, in: snapshot, options: options, session: session) {
          try ProfileSchema.validate(profile, projectID: settings.projectID)
          try pending.put(Layout.config, yaml: planned.settings.node)
          gateChange = planned.change
        }
      }
      try pending.put(Layout.profile, yaml: profile)
      if let gateChange { return Self.gateMessage(gateChange, user: user, session: session) }
      return CommitMessage(summary: summary, action: "update-profile", user: user.id, session: session)
    }
    gateChange?.commit = commit.hex
    return ProfileWritten(commit: commit.hex, branch: Layout.sessionRef(session), gate: gateChange)
  }

  private static func setting(_ keys: ArraySlice<String>, to value: Node, in node: Node) throws -> Node {
    guard let key = keys.first else { return value }
    var map = node.mapping ?? Mapping()
    if !node.isNull && node.mapping == nil {
      throw CasebookError.badInput("profile: '\(key)' is inside a \(node.typeName), not a mapping")
    }
    map[key] = try setting(keys.dropFirst(), to: value, in: map[key] ?? .null)
    return .mapping(map)
  }

  enum KeyStep: Equatable {
    case key(String)
    case index(Int)
  }

  /// Parses `a.b[2].c`: keys are `[A-Za-z0-9_-]` words (stakeholder names may hold spaces).
  static func keyPath(_ text: String) throws -> [KeyStep] {
    guard !text.isEmpty, text.count <= 256 else { throw CasebookError.badInput("profile key is empty or too long") }
    var steps: [KeyStep] = []
    for part in text.split(separator: ".", omittingEmptySubsequences: false) {
      var rest = Substring(part)
      var name = ""
      while let c = rest.first, c != "[" {
        name.append(c)
        rest = rest.dropFirst()
      }
      guard !name.isEmpty || !steps.isEmpty && rest.first == "[",
        !name.contains(where: { $0.isNewline || $0 == "]" })
      else { throw CasebookError.badInput("profile key '\(Identifier.printable(text))' is not a valid key path") }
      if !name.isEmpty { steps.append(.key(name)) }
      while rest.first == "[" {
        guard let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]),
          i >= 0
        else {
          throw CasebookError.badInput("profile key '\(Identifier.printable(text))' has a bad [index]")
        }
        steps.append(.index(i))
        rest = rest[rest.index(after: close)...]
      }
      guard rest.isEmpty else {
        throw CasebookError.badInput("profile key '\(Identifier.printable(text))' is not a valid key path")
      }
    }
    return steps
  }

  /// YAML from a person, with errors that say where.
  static func parseYAML(_ data: Data, what: String) throws -> Node {
    do { return try YAML.parse(data) } catch {
      throw CasebookError.badInput("\(what): \(error.explanation)")
    }
  }
}
