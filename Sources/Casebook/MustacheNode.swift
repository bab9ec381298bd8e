/// A parsed piece of a Mustache template, and rendering a list of them as text.
///
/// Comments, pragmas and partials are gone by now: they print nothing, and the standalone-line
/// rule has already removed their lines. A name is its parts split at dots; `.` has none.
enum MustacheNode: Equatable, Sendable {
  case text(String)
  /// `{{name}}`, `{{{name}}}` or `{{& name}}`: the same thing, since nothing is escaped.
  case variable([String])
  case section([String], [MustacheNode])
  case invertedSection([String], [MustacheNode])

  /// `nodes` rendered against `context`. Nothing is HTML-escaped: the output is Markdown a
  /// person edits, and `Roads & Bridges` must stay as written.
  static func render(_ nodes: [MustacheNode], context: MustacheValue) -> String {
    var out = ""
    var stack = [context]
    render(nodes, stack: &stack, into: &out)
    return out
  }

  /// Recurses once per section level; the parser caps that at `MustacheParser.maximumDepth`.
  private static func render(_ nodes: [MustacheNode], stack: inout [MustacheValue], into out: inout String) {
    for node in nodes {
      switch node {
      case .text(let text):
        out += text
      case .variable(let name):
        if let value = MustacheValue.lookup(name, in: stack) { out += value.rendered }
      case .section(let name, let body):
        switch MustacheValue.lookup(name, in: stack) {
        case nil:
          break
        case .list(let items):
          for item in items {
            stack.append(item)
            render(body, stack: &stack, into: &out)
            stack.removeLast()
          }
        case let value?:
          stack.append(value)
          render(body, stack: &stack, into: &out)
          stack.removeLast()
        }
      case .invertedSection(let name, let body):
        switch MustacheValue.lookup(name, in: stack) {
        case nil:
          render(body, stack: &stack, into: &out)
        case .list(let items) where items.isEmpty:
          // swift-mustache pushes the empty list here; `{{.}}` inside then prints `[]`.
          stack.append(.list([]))
          render(body, stack: &stack, into: &out)
          stack.removeLast()
        default:
          break
        }
      }
    }
  }
}
