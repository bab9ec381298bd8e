import CasebookMustache
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A gate template: the profile stub a new project starts from and the sections the gate's
/// review expects, with guidance for the drafting assistant and a Mustache skeleton for each.
///
/// On disk a template is a folder (templates/README.md): `template.yaml` (id, title, gate_stage,
/// description, profile, sections) and one `sections/<id>.md` skeleton per section. Loading
/// validates all of it, skeletons included, so a template that loads renders.
public struct Template: Sendable, Equatable {
  public let id: String
  public let title: String
  public let gateStage: String
  /// What the gate's review decides, in a sentence or two.
  public let description: String?
  /// The profile stub: keys the template adds beyond the seed's schema, with defaults.
  public let profile: Mapping
  /// The sections in order, each with its skeleton source.
  public let sections: [TemplateSection]
  /// The folder the template was loaded from.
  public let directory: String

  /// The keys `template.yaml` may have.
  static let keys: Set<String> = ["id", "title", "gate_stage", "description", "profile", "sections"]
  /// Profile keys a stub may not set: `init` and the gate set them.
  static let reservedProfileKeys: Set<String> = ["project_id", "project_title", "gate_stage"]
  /// The largest skeleton accepted: far more than any section's starting text needs.
  static let maximumSkeletonBytes = 256 << 10

  /// Loads and validates the template in `directory`. Every problem is bad input (exit 1) with a
  /// message naming the file and the key: a missing folder or `template.yaml`, invalid YAML,
  /// unknown keys, wrong types, bad or duplicate section ids, a missing, stray or unparsable
  /// skeleton.
  public static func load(from directory: String) throws -> Template {
    let fm = FileManager.default
    guard System.isFolder(directory) else {
      throw CasebookError.badInput("template folder \(directory) does not exist or is not a folder")
    }
    let file = System.join(directory, "template.yaml")
    guard System.kind(file) == .file else {
      throw CasebookError.badInput("template folder \(directory) has no template.yaml")
    }
    let data = try System.readBounded(file, limit: Project.maxYAMLFileBytes, what: "template")
    let node: Node
    do { node = try YAML.parse(data) } catch {
      throw CasebookError.badInput("\(file): \(error.explanation)")
    }
    guard let map = node.mapping else {
      throw CasebookError.badInput("\(file): expected a mapping of template keys, not a \(node.typeName)")
    }
    for key in map.keys where !keys.contains(key) {
      throw CasebookError.badInput(
        "\(file): unknown key '\(Identifier.printable(key))' (allowed: \(keys.sorted().joined(separator: ", ")))")
    }
    guard let rawID = map["id"] else { throw CasebookError.badInput("\(file): 'id' is missing") }
    guard let id = rawID.string else {
      throw CasebookError.badInput("\(file): 'id' must be a string, not a \(rawID.typeName)")
    }
    do { _ = try Identifier.slug(id, what: "template") } catch let error as CasebookError {
      throw CasebookError.badInput("\(file): \(error.explanation)")
    }
    guard let title = map["title"]?.string, !title.isEmpty, !title.contains("\n") else {
      throw CasebookError.badInput("\(file): 'title' must be one line of text")
    }
    guard let gate = map["gate_stage"]?.string ?? map["gate_stage"]?.int.map({ "\($0)" }) else {
      throw CasebookError.badInput(
        "\(file): 'gate_stage' must be one of \(ProfileSchema.gateStages.joined(separator: ", "))")
    }
    guard ProfileSchema.gateStages.contains(gate) else {
      throw CasebookError.badInput(
        "\(file): 'gate_stage' must be one of \(ProfileSchema.gateStages.joined(separator: ", ")), not '\(Identifier.printable(gate))'"
      )
    }
    if let value = map["description"], value.string == nil {
      throw CasebookError.badInput("\(file): 'description' must be text, not a \(value.typeName)")
    }
    let profile = try stub(map["profile"], file: file)
    guard let sectionsNode = map["sections"] else {
      throw CasebookError.badInput("\(file): 'sections' is missing; list at least one section")
    }
    guard let sectionNodes = sectionsNode.sequence, !sectionNodes.isEmpty else {
      throw CasebookError.badInput("\(file): 'sections' must be a list of at least one section")
    }
    var sections = try sectionNodes.map { try TemplateSection($0, origin: file, strict: true) }
    var seen = Set<String>()
    for section in sections where !seen.insert(section.id).inserted {
      throw CasebookError.badInput("\(file): section '\(section.id)' is listed twice")
    }
    let folder = System.join(directory, "sections")
    for (i, section) in sections.enumerated() {
      let path = System.join(folder, "\(section.id).md")
      guard System.kind(path) == .file else {
        throw CasebookError.badInput(
          "\(directory): section '\(section.id)' has no skeleton: create sections/\(section.id).md")
      }
      let data = try System.readBounded(path, limit: maximumSkeletonBytes, what: "skeleton")
      guard let text = String(data: data, encoding: .utf8) else {
        throw CasebookError.badInput("\(path) is not valid UTF-8")
      }
      guard !text.trimmingWhitespace().isEmpty else {
        throw CasebookError.badInput("\(path) is empty; a skeleton needs at least a heading")
      }
      try Skeleton.check(text, origin: path)
      sections[i].skeleton = text
    }
    // A skeleton no section owns is almost always a misspelt id; say so rather than ignore it.
    for name in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    where name.hasSuffix(".md") && !seen.contains(String(name.dropLast(3))) {
      throw CasebookError.badInput(
        "\(directory): sections/\(Identifier.printable(name)) belongs to no section listed in template.yaml")
    }
    return Template(
      id: id, title: title, gateStage: gate, description: map["description"]?.string, profile: profile,
      sections: sections, directory: directory)
  }

  /// The profile stub, checked against the seed's schema so that `init` cannot fail on it later.
  private static func stub(_ node: Node?, file: String) throws -> Mapping {
    guard let node, !node.isNull else { return Mapping() }
    guard let map = node.mapping else {
      throw CasebookError.badInput("\(file): 'profile' must be a mapping of profile keys, not a \(node.typeName)")
    }
    for key in map.keys where reservedProfileKeys.contains(key) {
      throw CasebookError.badInput("\(file): 'profile' may not set '\(key)'; init and the gate set it")
    }
    var sample = map
    sample["project_id"] = "p"
    sample["project_title"] = "t"
    sample["gate_stage"] = "Gate 0"
    do { try ProfileSchema.validate(.mapping(sample), projectID: "p") } catch let error as CasebookError {
      throw CasebookError.badInput("\(file): \(error.explanation)")
    }
    return map
  }

  /// The section with this id, if the template has it.
  public func section(_ id: String) -> TemplateSection? { sections.first { $0.id == id } }

  /// The gate's number, 0 to 5.
  public var gateNumber: Int { ProfileSchema.gateNumber(gateStage) ?? 0 }

  /// The starting text of a section, filled from the profile.
  public func skeleton(for section: TemplateSection, profile: Mapping) throws -> String {
    let source = self.section(section.id)?.skeleton ?? Skeleton.fallback
    return try Skeleton.render(source, section: section, templateID: id, profile: profile)
  }
}
