import YAML

/// The seed's `project_profile.yaml` schema: project_id, project_title, gate_stage,
/// stakeholders[name, role], key_risks[], strategic_alignment[]; other keys are the
/// template's and pass through.
enum ProfileSchema {
  static let gateStages = (0...5).map { "Gate \($0)" }

  /// Checks a whole profile; the message names the key and the type found.
  static func validate(_ node: Node, projectID: String) throws {
    guard let map = node.mapping else {
      throw CasebookError.badInput("the profile must be a YAML mapping, not a \(node.typeName)")
    }
    for key in ["project_id", "project_title", "gate_stage"] {
      guard let value = map[key] else { throw CasebookError.badInput("profile: '\(key)' is missing") }
      guard value.string != nil else {
        throw CasebookError.badInput("profile: '\(key)' must be a string, not a \(value.typeName)")
      }
    }
    guard map["project_id"]?.string == projectID else {
      throw CasebookError.badInput(
        "profile: 'project_id' is '\(map["project_id"]?.string ?? "")' but this project is '\(projectID)'; it cannot change"
      )
    }
    guard let title = map["project_title"]?.string,
      !title.trimmingWhitespace().isEmpty, !title.contains("\n")
    else {
      throw CasebookError.badInput("profile: 'project_title' must be one non-empty line")
    }
    if let gate = map["gate_stage"]?.string, !gateStages.contains(gate) {
      throw CasebookError.badInput(
        "profile: 'gate_stage' must be one of \(gateStages.joined(separator: ", ")), not '\(gate)'")
    }
    if let stakeholders = map["stakeholders"] {
      guard let items = stakeholders.sequence else {
        throw CasebookError.badInput("profile: 'stakeholders' must be a list, not a \(stakeholders.typeName)")
      }
      var names = Set<String>()
      for (i, item) in items.enumerated() {
        guard let entry = item.mapping else {
          throw CasebookError.badInput("profile: stakeholders[\(i)] must be a mapping with 'name' and 'role'")
        }
        guard let name = entry["name"]?.string, !name.isEmpty else {
          throw CasebookError.badInput("profile: stakeholders[\(i)].name must be a non-empty string")
        }
        if let role = entry["role"], role.string == nil {
          throw CasebookError.badInput("profile: stakeholders[\(i)].role must be a string, not a \(role.typeName)")
        }
        guard names.insert(name).inserted else {
          throw CasebookError.badInput("profile: stakeholder '\(name)' is listed twice")
        }
      }
    }
    for key in ["key_risks", "strategic_alignment"] {
      guard let value = map[key] else { continue }
      guard let items = value.sequence else {
        throw CasebookError.badInput("profile: '\(key)' must be a list of strings, not a \(value.typeName)")
      }
      for (i, item) in items.enumerated() where item.string == nil {
        throw CasebookError.badInput("profile: \(key)[\(i)] must be a string, not a \(item.typeName)")
      }
    }
  }

  /// Keys whose values are strings in the schema: a scalar given on the command line for one of
  /// them is taken as its text (`profile set project_title 2030` is a title, not a number).
  static let stringKeys: Set<String> = ["project_id", "project_title", "gate_stage"]
}

extension ProfileSchema {
  /// The number of a gate stage (`Gate 3` → 3), or nil for anything else.
  static func gateNumber(_ gate: String) -> Int? { gateStages.firstIndex(of: gate) }
}

/// How a project moves between gates: which template, and whether an unusual move is allowed.
public struct GateOptions: Sendable {
  /// The new gate's template; nil for the library's `gate-<n>`.
  public var template: Template?
  /// Allows going back a gate or skipping one (combined reviews); nothing is removed either way.
  public var force: Bool
  /// Where to find `gate-<n>` when no template is given.
  public var library: TemplateLibrary

  public init(template: Template? = nil, force: Bool = false, library: TemplateLibrary = .standard()) {
    self.template = template
    self.force = force
    self.library = library
  }
}
