import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Project {
  /// `casebook.yaml` as a snapshot holds it: a session that moved gate sees its own template and
  /// sections before it is merged into main.
  func settings(at snapshot: Snapshot) throws -> ProjectSettings {
    guard let map = try snapshot.mapping(Layout.config) else { return settings }
    return try ProjectSettings(map)
  }

  /// Moves a session to another gate in one commit: `gate_stage` in the profile, the new
  /// template's profile keys the profile lacks, and `casebook.yaml`'s template and section list
  /// (the new gate's sections, then every section the project had that the new gate does not
  /// list). No draft is touched. With `gate` nil, the next gate; with `dryRun`, nothing is written.
  public func changeGate(
    session: String, to gate: String?, options: GateOptions = GateOptions(), dryRun: Bool = false,
    request: RequestID? = nil, by user: User
  ) throws -> GateChange {
    let session = try SessionID(session)
    let ticket =
      dryRun
      ? nil
      : RequestTicket.make(
        request, action: "change-gate", [("session", session.text), ("to", gate)] + options.requestParts)
    func target(_ profile: Node) throws -> String {
      if let gate { return gate }
      if let template = options.template { return template.gateStage }
      let current = profile["gate_stage"]?.string ?? ""
      guard let number = ProfileSchema.gateNumber(current) else {
        throw CasebookError.badInput(
          "the profile's gate_stage '\(current)' is not a gate; set it with 'casebook profile set gate_stage'")
      }
      guard number + 1 < ProfileSchema.gateStages.count else {
        throw CasebookError.badInput("the project is at \(current), the last gate; there is no next gate")
      }
      return ProfileSchema.gateStages[number + 1]
    }
    if dryRun {
      let snapshot = try sessionSnapshot(session)
      _ = try writableSession(session, in: snapshot, by: user)
      guard var profile = try snapshot.yaml(Layout.profile) else {
        throw CasebookError.repository("\(Layout.profile) is missing on session \(session)")
      }
      return try plannedMove(&profile, to: try target(profile), in: snapshot, options: options, session: session).change
    }
    return try once(ticket, session: session) {
      try changeGateOnce(session: session, target: target, options: options, ticket: ticket, by: user)
    }
  }

  private func changeGateOnce(
    session: SessionID, target: (Node) throws -> String, options: GateOptions, ticket: RequestTicket?, by user: User
  ) throws -> GateChange {
    var result: GateChange?
    let commit = try writeSession(session, by: user, request: ticket, result: result!) { snapshot, _, pending in
      guard var profile = try snapshot.yaml(Layout.profile) else {
        throw CasebookError.repository("\(Layout.profile) is missing on session \(session)")
      }
      let planned = try plannedMove(&profile, to: try target(profile), in: snapshot, options: options, session: session)
      try ProfileSchema.validate(profile, projectID: settings.projectID)
      try pending.put(Layout.profile, yaml: profile)
      try pending.put(Layout.config, yaml: planned.settings.node)
      result = planned.change
      return Self.gateMessage(planned.change, user: user, session: session)
    }
    result!.commit = commit.hex
    return result!
  }

  /// `moveGate`, where staying at the same gate is an error.
  private func plannedMove(
    _ profile: inout Node, to gate: String, in snapshot: Snapshot, options: GateOptions, session: SessionID
  ) throws -> (settings: ProjectSettings, change: GateChange) {
    guard let planned = try moveGate(&profile, to: gate, in: snapshot, options: options, session: session) else {
      throw CasebookError.badInput("the project is already at \(gate) in this session; nothing to change")
    }
    return planned
  }

  /// Plans a move of `profile` to `gate`, changing the profile in place; nil when the profile is
  /// already at that gate. Refuses going back or skipping a gate unless forced.
  func moveGate(_ profile: inout Node, to gate: String, in snapshot: Snapshot, options: GateOptions, session: SessionID)
    throws -> (settings: ProjectSettings, change: GateChange)?
  {
    let stages = ProfileSchema.gateStages.joined(separator: ", ")
    guard let to = ProfileSchema.gateNumber(gate) else {
      throw CasebookError.badInput(
        "profile: 'gate_stage' must be one of \(stages), not '\(Identifier.printable(gate))'")
    }
    guard case .mapping(var map) = profile else { throw CasebookError.badInput("the profile must be a YAML mapping") }
    let current = map["gate_stage"]?.string ?? ""
    guard current != gate else { return nil }
    let from = ProfileSchema.gateNumber(current)
    let direction = from.map { to == $0 + 1 ? "forward" : to > $0 ? "skip" : "back" } ?? "forward"
    if !options.force {
      if direction == "back" {
        throw CasebookError.badInput(
          "the project is at \(current); going back to \(gate) is refused (a project moves one gate forward at a time). Pass --force to go back: no section or draft is removed"
        )
      }
      if direction == "skip" {
        let skipped = ProfileSchema.gateStages[(from! + 1)..<to].joined(separator: ", ")
        throw CasebookError.badInput(
          "moving from \(current) to \(gate) skips \(skipped); move one gate at a time, or pass --force (e.g. for a combined review): no section or draft is removed"
        )
      }
    }
    let template = try options.template ?? options.library.template(forGate: gate)
    guard template.gateStage == gate else {
      throw CasebookError.badInput("template \(template.id) is for \(template.gateStage), not \(gate)")
    }
    let old = try settings(at: snapshot)
    var new = old
    new.template = template.id
    new.sections = Self.mergedSections(old: old.sections, new: template.sections)

    map["gate_stage"] = .string(gate)
    var keysAdded: [String] = []
    for (key, value) in template.profile where map[key] == nil {
      map[key] = value
      keysAdded.append(key)
    }
    profile = .mapping(map)

    func entry(_ section: TemplateSection) throws -> GateChange.Entry {
      let record = try sectionRecord(SectionID(section.id), in: snapshot)
      return GateChange.Entry(
        sectionId: section.id, title: section.title, required: section.required, status: record?.status,
        revision: record?.revision)
    }
    let oldIDs = Set(old.sections.map(\.id))
    let newIDs = Set(template.sections.map(\.id))
    let change = GateChange(
      fromGate: current, toGate: gate, fromTemplate: old.template, toTemplate: template.id, direction: direction,
      added: try template.sections.filter { !oldIDs.contains($0.id) }.map(entry),
      carried: try template.sections.filter { oldIDs.contains($0.id) }.map(entry),
      kept: try old.sections.filter { !newIDs.contains($0.id) }.map(entry),
      profileKeysAdded: keysAdded, commit: nil, branch: Layout.sessionRef(session))
    return (new, change)
  }

  /// The new template's sections in its order, each section the project had and the new
  /// template lacks placed, as optional, after the section it followed before (so nothing is
  /// dropped and the document keeps its shape).
  static func mergedSections(old: [TemplateSection], new: [TemplateSection]) -> [TemplateSection] {
    var out = new
    let newIDs = Set(new.map(\.id))
    for (i, section) in old.enumerated() where !newIDs.contains(section.id) {
      let anchor = old[..<i].reversed().first { previous in out.contains { $0.id == previous.id } }
      let index = anchor.flatMap { a in out.firstIndex { $0.id == a.id } }.map { $0 + 1 } ?? 0
      // The new gate does not ask for it, so it no longer counts as required; it stays listed.
      out.insert(section.asOptional, at: index)
    }
    return out
  }

  static func gateMessage(_ change: GateChange, user: User, session: SessionID) -> CommitMessage {
    func list(_ entries: [GateChange.Entry]) -> String {
      entries.isEmpty ? "none" : entries.map(\.sectionId).joined(separator: ", ")
    }
    var body = [
      "\(change.fromGate) → \(change.toGate) (template \(change.fromTemplate) → \(change.toTemplate), \(change.direction))",
      "Sections added: \(list(change.added))",
      "Sections carried over: \(list(change.carried))",
    ]
    if !change.kept.isEmpty { body.append("Sections kept from earlier gates: \(list(change.kept))") }
    if !change.profileKeysAdded.isEmpty {
      body.append("Profile keys added: \(change.profileKeysAdded.joined(separator: ", "))")
    }
    return CommitMessage(
      summary: "move to \(change.toGate) with template \(change.toTemplate): \(change.added.count) section(s) added",
      body: body.joined(separator: "\n"), action: "change-gate", user: user.id, session: session,
      extra: [("Casebook-Gate", change.toGate), ("Casebook-Template", change.toTemplate)])
  }
}
