import Foundation
import YAML

/// A gate template: the profile stub a new project starts from and the sections the gate's
/// review expects, with guidance for the drafting assistant and a skeleton for each.
///
/// On disk a template is a folder: `template.yaml` (id, title, gate_stage, profile, sections)
/// and `sections/<id>.md` skeletons in which `{{project_title}}`, `{{gate_stage}}`,
/// `{{section_title}}` and `{{stakeholders}}` are filled from the profile.
public struct Template: Sendable, Equatable {
  public let id: String
  public let title: String
  public let gateStage: String
  /// The profile stub: keys the template adds beyond the seed's schema, with defaults.
  public let profile: Mapping
  public let sections: [TemplateSection]
  let skeletons: [String: String]

  /// Loads and validates the template in `directory`.
  public static func load(from directory: String) throws -> Template {
    let file = (directory as NSString).appendingPathComponent("template.yaml")
    guard let data = FileManager.default.contents(atPath: file) else {
      throw CasebookError.notFound("template folder \(directory) has no template.yaml")
    }
    let node: Node
    do { node = try YAML.parse(data) } catch {
      throw CasebookError.badInput("\(file): \(error.localizedDescription)")
    }
    guard let map = node.mapping else { throw CasebookError.badInput("\(file): expected a mapping") }
    guard let id = map["id"]?.string else { throw CasebookError.badInput("\(file): 'id' is missing") }
    _ = try Identifier.slug(id, what: "template")
    guard let title = map["title"]?.string, let gate = map["gate_stage"]?.string else {
      throw CasebookError.badInput("\(file): 'title' and 'gate_stage' must be strings")
    }
    guard let sectionNodes = map["sections"]?.sequence, !sectionNodes.isEmpty else {
      throw CasebookError.badInput("\(file): 'sections' must list at least one section")
    }
    let sections = try sectionNodes.map { try TemplateSection($0, origin: file) }
    var seen = Set<String>()
    for section in sections where !seen.insert(section.id).inserted {
      throw CasebookError.badInput("\(file): section '\(section.id)' is listed twice")
    }
    var skeletons: [String: String] = [:]
    for section in sections {
      let path = (directory as NSString).appendingPathComponent("sections/\(section.id).md")
      if let data = FileManager.default.contents(atPath: path) {
        guard let text = String(data: data, encoding: .utf8) else {
          throw CasebookError.badInput("\(path) is not valid UTF-8")
        }
        skeletons[section.id] = text
      }
    }
    let profile = map["profile"]?.mapping ?? Mapping()
    return Template(id: id, title: title, gateStage: gate, profile: profile, sections: sections, skeletons: skeletons)
  }

  /// The starting text of a section, filled from the profile.
  func skeleton(for section: TemplateSection, profile: Mapping) -> String {
    let base = skeletons[section.id] ?? "# {{section_title}}\n"
    return Template.fill(base, section: section, profile: profile)
  }

  static func fill(_ text: String, section: TemplateSection, profile: Mapping) -> String {
    let stakeholders = (profile["stakeholders"]?.sequence ?? []).compactMap { item -> String? in
      guard let name = item["name"]?.string else { return nil }
      return item["role"]?.string.map { "- \(name) (\($0))" } ?? "- \(name)"
    }.joined(separator: "\n")
    let values = [
      "project_title": profile["project_title"]?.string ?? "",
      "project_id": profile["project_id"]?.string ?? "",
      "gate_stage": profile["gate_stage"]?.string ?? "",
      "section_title": section.title,
      "stakeholders": stakeholders,
    ]
    var out = text
    for (key, value) in values { out = out.replacingOccurrences(of: "{{\(key)}}", with: value) }
    return out
  }
}

/// One section a template expects.
public struct TemplateSection: Sendable, Equatable, Encodable {
  public let id: String
  public let title: String
  public let required: Bool
  public let guidance: String?

  init(_ node: Node, origin: String) throws {
    guard let map = node.mapping, let id = map["id"]?.string, let title = map["title"]?.string else {
      throw CasebookError.badInput("\(origin): every section needs an 'id' and a 'title'")
    }
    self.id = try Identifier.section(id)
    self.title = title
    self.required = map["required"]?.bool ?? true
    self.guidance = map["guidance"]?.string
  }

  var node: Node {
    var map = Mapping()
    map["id"] = .string(id)
    map["title"] = .string(title)
    map["required"] = .bool(required)
    if let guidance { map["guidance"] = .string(guidance) }
    return .mapping(map)
  }
}

/// Where templates are found: an explicit folder, `CASEBOOK_TEMPLATES`, the `templates` folder
/// beside the binary's package (walking up from the executable), or the shared install path.
public struct TemplateLibrary: Sendable {
  public let searchPaths: [String]

  public init(searchPaths: [String]) { self.searchPaths = searchPaths }

  /// The default search path for this process.
  public static func standard(executablePath: String = CommandLine.arguments.first ?? "") -> TemplateLibrary {
    var paths: [String] = []
    if let env = ProcessInfo.processInfo.environment["CASEBOOK_TEMPLATES"], !env.isEmpty { paths.append(env) }
    var dir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<6 {
      paths.append(dir.appendingPathComponent("templates").path)
      paths.append(dir.appendingPathComponent("share/casebook/templates").path)
      dir.deleteLastPathComponent()
    }
    paths.append("/usr/local/share/casebook/templates")
    return TemplateLibrary(searchPaths: paths)
  }

  /// The template named `name` (`gate-0`), or at the folder `name` if it contains a slash.
  public func template(_ name: String) throws -> Template {
    if name.contains("/") { return try Template.load(from: name) }
    _ = try Identifier.slug(name, what: "template")
    for root in searchPaths {
      let dir = (root as NSString).appendingPathComponent(name)
      if FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("template.yaml")) {
        return try Template.load(from: dir)
      }
    }
    throw CasebookError.notFound(
      "template '\(name)' not found (looked in \(searchPaths.prefix(3).joined(separator: ", ")), …); set CASEBOOK_TEMPLATES or pass a folder")
  }
}
