/// A Mustache template that cannot be parsed, or uses something skeletons refuse, with where.
///
/// Lines are counted at `\n` and `\r\n`, columns in characters from 1, so a person can find the
/// place in an editor; `lineText` is that line without its line break.
public struct MustacheSyntaxError: Error, Equatable, Sendable {
  /// What is wrong. The wording of the first six is the one swift-mustache's errors were given
  /// when Casebook used it, so messages people have seen stay the same.
  public enum Problem: Equatable, Sendable, CustomStringConvertible {
    case unclosedSection
    case mismatchedClose
    case unfinishedTag
    case textEndsInTag
    case badPragma
    case unknownPragma
    case htmlPragma
    case setDelimiter
    case inheritance
    case transform
    case emptyName
    case badName
    case tooDeep

    public var description: String {
      switch self {
      case .unclosedSection: return "a section {{#…}} or {{^…}} is never closed"
      case .mismatchedClose: return "a closing tag {{/…}} does not match the section it closes"
      case .unfinishedTag: return "a tag is not finished (missing }} or a bad name)"
      case .textEndsInTag: return "the text ends inside a tag (missing }})"
      case .badPragma: return "a pragma {{% … }} is malformed"
      case .unknownPragma: return "an unknown pragma {{% … }}"
      case .htmlPragma: return "HTML escaping ({{% CONTENT_TYPE: HTML }}) is not supported: skeletons are text"
      case .setDelimiter: return "set-delimiter tags ({{=… …=}}) are not supported in skeletons"
      case .inheritance: return "template inheritance ({{<…}}, {{$…}}) is not supported in skeletons"
      case .transform: return "transforms such as {{uppercased(name)}} are not supported in skeletons"
      case .emptyName: return "a tag has no name"
      case .badName: return "a name may not start or end with a dot, or have two dots in a row"
      case .tooDeep: return "sections nest more than \(MustacheParser.maximumDepth) deep"
      }
    }
  }

  public let problem: Problem
  public let line: Int
  public let column: Int
  public let lineText: String

  public init(_ problem: Problem, line: Int, column: Int, lineText: String) {
    self.problem = problem
    self.line = line
    self.column = column
    self.lineText = lineText
  }

  /// The error for `problem` found at `index` of `source`.
  init(_ problem: Problem, at index: String.Index, in source: String) {
    var line = 1
    var lineStart = source.startIndex
    var position = source.startIndex
    while position < index {
      let character = source[position]
      position = source.index(after: position)
      if character == "\n" || character == "\r\n" {
        line += 1
        lineStart = position
      }
    }
    let lineEnd = source[lineStart...].firstIndex { $0 == "\n" || $0 == "\r\n" } ?? source.endIndex
    self.init(
      problem, line: line, column: source[lineStart..<index].count + 1, lineText: String(source[lineStart..<lineEnd]))
  }
}
