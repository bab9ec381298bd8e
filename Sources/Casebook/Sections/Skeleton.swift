import CasebookMustache
import YAML

/// Section skeletons are Mustache filled from the project profile.
///
/// The render context is the profile as plain values: mappings become maps, sequences lists,
/// scalars their text, so `{{project_title}}`, `{{senior_responsible_owner}}` and
/// `{{#stakeholders}}- {{name}}, {{role}}{{/stakeholders}}` work as a template author expects.
/// Null, empty text and `false` are left out, so `{{^key}}…{{/key}}` says "not set yet".
/// Casebook adds `section_id`, `section_title` and `template_id`, which win over profile keys of
/// the same name. Output is text, not HTML: nothing is escaped, because the result is Markdown
/// that a person edits.
///
/// Casebook parses and renders the Mustache itself (`MustacheParser`, `MustacheNode`) rather
/// than with swift-mustache, which uses swift-corelibs-foundation: any reference to that pulls
/// all of libFoundation, CoreFoundation and ICU into the static CLI, about 3 ms of every start.
/// swift-mustache stays as the tests' oracle, so skeletons render as they did with it.
enum Skeleton {
  /// The starting text of a section whose template gives no skeleton.
  static let fallback = "# {{section_title}}\n\n*{{project_title}} — {{gate_stage}}*\n"

  /// Parses a skeleton; a syntax error is bad input naming the file, line and column.
  static func check(_ source: String, origin: String) throws {
    _ = try parse(source, origin: origin)
  }

  /// Renders `source` for `section` against the profile.
  static func render(_ source: String, section: TemplateSection, templateID: String, profile: Mapping) throws
    -> String
  {
    let nodes = try parse(source, origin: "skeleton of section \(section.id)")
    var values = context(profile)
    values["section_id"] = .text(section.id)
    values["section_title"] = .text(section.title)
    values["template_id"] = .text(templateID)
    do {
      return try MustacheNode.render(nodes, context: .map(values))
    } catch {
      throw CasebookError.badInput(
        "skeleton of section \(section.id) renders to too much text or work (sections that repeat inside sections?); nothing was written"
      )
    }
  }

  /// The profile as Mustache values.
  static func context(_ profile: Mapping) -> [String: MustacheValue] {
    var out: [String: MustacheValue] = [:]
    out.reserveCapacity(profile.count)
    for (key, value) in profile {
      if let converted = mustacheValue(value) { out[key] = converted }
    }
    return out
  }

  /// One profile value as Mustache sees it; nil for what counts as not set.
  static func mustacheValue(_ node: Node) -> MustacheValue? {
    switch node {
    case .null: return nil
    case .bool(let flag): return flag ? .text("true") : nil
    case .int(let number): return .text(String(number))
    case .float(let number): return .text(String(number))
    case .string(let text): return text.isEmpty ? nil : .text(text)
    case .sequence(let items): return .list(items.compactMap { mustacheValue($0) })
    case .mapping(let map): return .map(context(map))
    }
  }

  private static func parse(_ source: String, origin: String) throws -> [MustacheNode] {
    do {
      return try MustacheParser.parse(source)
    } catch {
      throw CasebookError.badInput(
        "\(origin): Mustache syntax error at line \(error.line), column \(error.column): \(error.problem)\n\(error.lineText)"
      )
    }
  }
}

extension Project {
  /// The starting text of a section in a session: its skeleton as `casebook.yaml` keeps it,
  /// rendered against the session's profile. Projects made before skeletons were kept there
  /// look the template up by name; a machine without it drafts from a bare heading, but a
  /// template that is there and broken is an error, not something to paper over.
  func renderSkeleton(_ section: TemplateSection, in snapshot: Snapshot) throws -> String {
    let profile = try snapshot.mapping(Layout.profile) ?? Mapping()
    let templateID = try settings(at: snapshot).template
    if let source = section.skeleton {
      return try Skeleton.render(source, section: section, templateID: templateID, profile: profile)
    }
    let template: Template?
    do {
      template = try TemplateLibrary.standard().template(templateID)
    } catch CasebookError.notFound {
      template = nil
    }
    return try template?.skeleton(for: section, profile: profile)
      ?? Skeleton.render(Skeleton.fallback, section: section, templateID: templateID, profile: profile)
  }
}
