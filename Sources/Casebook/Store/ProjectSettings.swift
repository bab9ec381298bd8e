import YAML

/// `casebook.yaml`: the format version, the project id, the template it came from, its
/// settings, and the template's section list, copied in so that a project describes itself
/// without the template folder.
public struct ProjectSettings: Sendable, Equatable {
  public static let formatVersion = 1

  public var format: Int
  public var projectID: String
  public var template: String
  public var sections: [TemplateSection]
  /// Minutes of inactivity (since the branch tip's commit) after which an active session expires:
  /// it reads as `expired` and refuses writes until `session resume`.
  public var sessionIdleMinutes: Int
  /// Identity keys and policies for the structural YAML merge (`merge:`); `MergeSettings.defaults`
  /// when the file has no such section.
  public var merge: MergeSettings
  /// Minutes a section lock lasts after its holder's last write (`settings.lock_minutes`).
  public var lockMinutes: Int
  /// Who may approve what (`settings.approvers`); empty: anyone may approve anything.
  public var approvers: [Approver] = []
  /// `settings.signing: required`: every commit and tag must be signed by a key in
  /// `allowed_signers`; Casebook refuses to write unsigned (README, "Signed history").
  public var signingRequired = false

  init(projectID: String, template: Template) {
    self.format = Self.formatVersion
    self.projectID = projectID
    self.template = template.id
    self.sections = template.sections
    self.sessionIdleMinutes = 480
    self.merge = .defaults
    self.lockMinutes = Self.defaultLockMinutes
  }

  /// Long enough for a person to revise a section, short enough that a crashed agent's lock
  /// does not hold up a colleague for the rest of the day.
  static let defaultLockMinutes = 30

  init(_ map: Mapping) throws {
    guard let format = map["format"]?.int else {
      throw CasebookError.repository("\(Layout.config) has no integer 'format'")
    }
    guard format <= Self.formatVersion else {
      throw CasebookError.repository(
        "this project uses format \(format), newer than this casebook understands (\(Self.formatVersion)); upgrade casebook"
      )
    }
    guard let id = map["project_id"]?.string ?? map["project_id"]?.int.map(String.init) else {
      throw CasebookError.repository("\(Layout.config) has no 'project_id'")
    }
    self.format = format
    self.projectID = id
    self.template = map["template"]?.string ?? "custom"
    let settings = map["settings"]?.mapping ?? Mapping()
    self.sessionIdleMinutes =
      try RecordNumber.read(settings, "session_idle_minutes", RecordNumber.minutes, in: Layout.config) ?? 480
    self.merge = try map["merge"].map { try MergeSettings($0) } ?? .defaults
    self.lockMinutes =
      try RecordNumber.read(settings, "lock_minutes", RecordNumber.minutes, in: Layout.config)
      ?? Self.defaultLockMinutes
    self.sections = try (map["sections"]?.sequence ?? []).map { try TemplateSection($0, origin: Layout.config) }
    self.approvers = try (settings["approvers"]?.sequence ?? []).map(Approver.init)
    switch settings["signing"]?.string {
    case nil, "optional": signingRequired = false
    case "required": signingRequired = true
    default: throw CasebookError.repository("\(Layout.config): settings.signing must be 'required' or 'optional'")
    }
  }

  var node: Node {
    var map = Mapping()
    map["format"] = .int(format)
    map["project_id"] = .string(projectID)
    map["template"] = .string(template)
    var settings = Mapping()
    settings["session_idle_minutes"] = .int(sessionIdleMinutes)
    settings["lock_minutes"] = .int(lockMinutes)
    if !approvers.isEmpty { settings["approvers"] = .sequence(approvers.map(\.node)) }
    if signingRequired { settings["signing"] = .string("required") }
    map["settings"] = .mapping(settings)
    map["merge"] = merge.node
    map["sections"] = .sequence(sections.map(\.node))
    return .mapping(map)
  }

  /// The template's entry for a section, if the section is one of the template's.
  public func section(_ id: String) -> TemplateSection? { sections.first { $0.id == id } }
}

/// One entry of `settings.approvers` in `casebook.yaml`: a user who may approve, and within what
/// (README, "Who may approve"). An absent list means anyone may approve anything.
public struct Approver: Sendable, Equatable, Codable {
  public var user: String
  /// The `--reviewer` roles the user approves as; empty: any.
  public var roles: [String]
  /// The sections; empty: all.
  public var sections: [String]
  /// The gates (`gate_stage` values); empty: all.
  public var gates: [String]

  public init(user: String, roles: [String] = [], sections: [String] = [], gates: [String] = []) {
    self.user = user
    self.roles = roles
    self.sections = sections
    self.gates = gates
  }

  init(_ node: Node) throws {
    func list(_ key: String) throws -> [String] {
      guard let value = node[key] else { return [] }
      guard let items = value.sequence?.compactMap(\.string), items.count == value.sequence?.count else {
        throw CasebookError.repository("\(Layout.config): approvers' '\(key)' must be a list of text")
      }
      return items
    }
    guard let user = node["user"]?.string else {
      throw CasebookError.repository("\(Layout.config): an entry of settings.approvers has no 'user'")
    }
    self.init(user: user, roles: try list("roles"), sections: try list("sections"), gates: try list("gates"))
  }

  var node: Node {
    var map = Mapping()
    map["user"] = .string(user)
    if !roles.isEmpty { map["roles"] = .sequence(roles.map(Node.string)) }
    if !sections.isEmpty { map["sections"] = .sequence(sections.map(Node.string)) }
    if !gates.isEmpty { map["gates"] = .sequence(gates.map(Node.string)) }
    return .mapping(map)
  }

  /// Whether this entry lets its user approve `section` as `role` at `gate`.
  func allows(section: String, role: String, gate: String) -> Bool {
    (roles.isEmpty || roles.contains(role)) && (sections.isEmpty || sections.contains(section))
      && (gates.isEmpty || gates.contains(gate))
  }
}
