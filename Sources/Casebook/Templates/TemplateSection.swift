import CasebookMustache
import YAML

/// One section a template expects: its id, title, whether the gate requires it, the guidance the
/// drafting assistant works from (a lead paragraph, the questions the section must answer and
/// the evidence it needs), and its skeleton (Mustache source, filled from the profile).
///
/// The order of sections is the order of the template's list; `casebook.yaml` keeps the same
/// entries so that a project describes itself, skeletons included, without the template folder.
public struct TemplateSection: Sendable, Equatable, Encodable {
  public let id: String
  public let title: String
  public let required: Bool
  public let guidance: String?
  /// The questions a reviewer at this gate will ask of the section.
  public let questions: [String]
  /// The evidence the section needs to cite.
  public let evidence: [String]
  /// The Mustache source of the section's starting text; nil in projects made before skeletons
  /// were kept in `casebook.yaml` (the template folder is looked up instead).
  public internal(set) var skeleton: String?

  /// The keys a section entry may have in `template.yaml`.
  static let keys: Set<String> = ["id", "title", "required", "guidance", "questions", "evidence"]

  enum CodingKeys: String, CodingKey {
    case id, title, required, guidance, questions, evidence
  }

  init(
    id: String, title: String, required: Bool, guidance: String?, questions: [String] = [], evidence: [String] = [],
    skeleton: String? = nil
  ) {
    self.id = id
    self.title = title
    self.required = required
    self.guidance = guidance
    self.questions = questions
    self.evidence = evidence
    self.skeleton = skeleton
  }

  /// Reads a section entry. `strict` (for `template.yaml`) refuses unknown keys and wrong types;
  /// `casebook.yaml` is read leniently so that a newer casebook's extra keys do not stop an older one.
  init(_ node: Node, origin: String, strict: Bool = false) throws {
    guard let map = node.mapping else {
      throw CasebookError.badInput("\(origin): each entry of 'sections' must be a mapping, not a \(node.typeName)")
    }
    guard let rawID = map["id"] else { throw CasebookError.badInput("\(origin): a section has no 'id'") }
    guard let id = rawID.string else {
      throw CasebookError.badInput("\(origin): section id must be a string, not a \(rawID.typeName)")
    }
    let place = "\(origin): section '\(Identifier.printable(id))'"
    do { self.id = try SectionID(id).text } catch let error as CasebookError {
      throw CasebookError.badInput("\(origin): \(error.explanation)")
    }
    guard let title = map["title"]?.string, !title.trimmingSpaces().isEmpty, !title.contains("\n")
    else { throw CasebookError.badInput("\(place): 'title' must be one non-empty line of text") }
    self.title = title
    if strict {
      for key in map.keys where !Self.keys.contains(key) {
        throw CasebookError.badInput(
          "\(place): unknown key '\(Identifier.printable(key))' (allowed: \(Self.keys.sorted().joined(separator: ", ")))"
        )
      }
      if let value = map["required"], value.bool == nil {
        throw CasebookError.badInput("\(place): 'required' must be true or false, not a \(value.typeName)")
      }
      if let value = map["guidance"], value.string == nil {
        throw CasebookError.badInput("\(place): 'guidance' must be text, not a \(value.typeName)")
      }
    }
    self.required = map["required"]?.bool ?? true
    self.guidance = map["guidance"]?.string
    self.questions = try Self.strings(map["questions"], key: "questions", at: place, strict: strict)
    self.evidence = try Self.strings(map["evidence"], key: "evidence", at: place, strict: strict)
    self.skeleton = map["skeleton"]?.string
  }

  private static func strings(_ node: Node?, key: String, at place: String, strict: Bool) throws -> [String] {
    guard let node, !node.isNull else { return [] }
    guard let items = node.sequence else {
      if strict { throw CasebookError.badInput("\(place): '\(key)' must be a list of text, not a \(node.typeName)") }
      return []
    }
    var out: [String] = []
    for (i, item) in items.enumerated() {
      guard let text = item.string else {
        if strict { throw CasebookError.badInput("\(place): \(key)[\(i)] must be text, not a \(item.typeName)") }
        continue
      }
      out.append(text)
    }
    return out
  }

  /// The same section, not required.
  var asOptional: TemplateSection {
    TemplateSection(
      id: id, title: title, required: false, guidance: guidance, questions: questions, evidence: evidence,
      skeleton: skeleton)
  }

  /// The entry as `casebook.yaml` keeps it.
  var node: Node {
    var map = Mapping()
    map["id"] = .string(id)
    map["title"] = .string(title)
    map["required"] = .bool(required)
    if let guidance { map["guidance"] = .string(guidance) }
    if !questions.isEmpty { map["questions"] = .sequence(questions.map(Node.string)) }
    if !evidence.isEmpty { map["evidence"] = .sequence(evidence.map(Node.string)) }
    if let skeleton { map["skeleton"] = .string(skeleton) }
    return .mapping(map)
  }
}
