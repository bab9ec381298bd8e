import Foundation
import Mustache
import YAML

/// Section skeletons are Mustache (swift-mustache) filled from the project profile.
///
/// The render context is the profile as plain values: mappings become dictionaries, sequences
/// arrays, scalars their text, so `{{project_title}}`, `{{senior_responsible_owner}}` and
/// `{{#stakeholders}}- {{name}}, {{role}}{{/stakeholders}}` work as a template author expects.
/// Null, empty text and `false` are left out, so `{{^key}}…{{/key}}` says "not set yet".
/// Casebook adds `section_id`, `section_title` and `template_id`, which win over profile keys of
/// the same name. Output is text, not HTML: nothing is escaped (the pragma below), because the
/// result is Markdown that a person edits.
enum Skeleton {
  /// The starting text of a section whose template gives no skeleton.
  static let fallback = "# {{section_title}}\n\n*{{project_title}} — {{gate_stage}}*\n"

  private static let pragma = "{{% CONTENT_TYPE: TEXT }}"

  /// Parses a skeleton; a syntax error is bad input naming the file, line and column.
  static func check(_ source: String, origin: String) throws {
    _ = try parse(source, origin: origin)
  }

  /// Renders `source` for `section` against the profile.
  static func render(_ source: String, section: TemplateSection, templateID: String, profile: Mapping) throws
    -> String
  {
    let template = try parse(source, origin: "skeleton of section \(section.id)")
    var values = context(profile)
    values["section_id"] = section.id
    values["section_title"] = section.title
    values["template_id"] = templateID
    return template.render(values)
  }

  /// The profile as Mustache values.
  static func context(_ profile: Mapping) -> [String: Any] {
    var out: [String: Any] = [:]
    for (key, value) in profile {
      if let converted = plain(value) { out[key] = converted }
    }
    return out
  }

  private static func plain(_ node: Node) -> Any? {
    switch node {
    case .null: return nil
    case .bool(let flag): return flag ? "true" : nil
    case .int(let number): return String(number)
    case .float(let number): return String(number)
    case .string(let text): return text.isEmpty ? nil : text
    case .sequence(let items): return items.compactMap { plain($0) }
    case .mapping(let map): return context(map)
    }
  }

  /// How deep sections may nest. The parser and the renderer recurse once per level, so a
  /// skeleton of a few thousand nested sections would overflow the stack; real skeletons nest
  /// two or three deep.
  static let maximumDepth = 32

  /// Refuses what the parser would take but Casebook should not: set-delimiter tags (they would
  /// hide nesting from this check, and Markdown skeletons do not need them) and deep nesting.
  private static func checkStructure(_ source: String, origin: String) throws {
    var depth = 0
    var rest = Substring(source)
    var line = 1
    while let open = rest.range(of: "{{") {
      line += rest[..<open.lowerBound].reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
      let tag = rest[open.upperBound...]
      let sigil = tag.drop { $0 == " " || $0 == "\t" }.first
      if sigil == "=" {
        throw CasebookError.badInput(
          "\(origin): line \(line): set-delimiter tags ({{=… …=}}) are not supported in skeletons")
      }
      if tag.first == "/" {
        depth -= 1
      } else if let sigil, "#^$<".contains(sigil) {
        depth += 1
        if depth > maximumDepth {
          throw CasebookError.badInput("\(origin): line \(line): sections nest more than \(maximumDepth) deep")
        }
      }
      rest = tag
    }
  }

  private static func parse(_ source: String, origin: String) throws -> MustacheTemplate {
    try checkStructure(source, origin: origin)
    do {
      return try MustacheTemplate(string: pragma + source)
    } catch let error as MustacheTemplate.ParserError {
      let context = error.context
      // The pragma sits on the first line, so columns there are shifted by its length.
      let column = context.lineNumber == 1 ? max(1, context.columnNumber - pragma.count) : context.columnNumber
      let line =
        context.lineNumber == 1 && context.line.hasPrefix(pragma)
        ? String(context.line.dropFirst(pragma.count)) : context.line
      throw CasebookError.badInput(
        "\(origin): Mustache syntax error at line \(context.lineNumber), column \(column): \(describe(error.error))\n\(line)"
      )
    } catch {
      throw CasebookError.badInput("\(origin): Mustache syntax error: \(error)")
    }
  }

  private static func describe(_ error: Error) -> String {
    guard let error = error as? MustacheTemplate.Error else {
      // The parser's own "overflow" means it ran off the end of the text inside a tag.
      return "\(error)" == "overflow" ? "the text ends inside a tag (missing }})" : "\(error)"
    }
    switch error {
    case .sectionCloseNameIncorrect: return "a closing tag {{/…}} does not match the section it closes"
    case .unfinishedName: return "a tag is not finished (missing }} or a bad name)"
    case .expectedSectionEnd: return "a section {{#…}} or {{^…}} is never closed"
    case .invalidSetDelimiter: return "a set-delimiter tag {{=… …=}} is malformed"
    case .transformAppliedToInheritanceSection: return "a transform is applied to an inheritance section"
    case .illegalTokenInsideInheritSection: return "a tag that is not allowed inside an inheritance section"
    case .textInsideInheritSection: return "text inside an inheritance section"
    case .invalidConfigVariableSyntax: return "a pragma {{% … }} is malformed"
    case .unrecognisedConfigVariable: return "an unknown pragma {{% … }}"
    }
  }
}
