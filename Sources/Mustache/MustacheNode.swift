/// A parsed piece of a Mustache template, and rendering a list of them as text.
///
/// Comments, pragmas and partials are gone by now: they print nothing, and the standalone-line
/// rule has already removed their lines. A name is its parts split at dots; `.` has none.
public enum MustacheNode: Equatable, Sendable {
  case text(String)
  /// `{{name}}`, `{{{name}}}` or `{{& name}}`: the same thing, since nothing is escaped.
  case variable([String])
  case section([String], [MustacheNode])
  case invertedSection([String], [MustacheNode])

  /// Rendering stopped: the template asked for more work or text than `Budget` allows.
  public struct TooLarge: Error, Equatable {
    public init() {}
  }

  /// What one rendering may cost. The depth cap bounds the stack, not the work: 32 nested
  /// sections over a two-item list fall back to the list at every level (a name missing from an
  /// item is looked up in the enclosing contexts) and render the body 2^32 times. Real skeletons
  /// visit a few hundred nodes and print a few KiB.
  public struct Budget: Sendable {
    public var nodes = 1_000_000
    public var bytes = 4 << 20

    public init(nodes: Int = 1_000_000, bytes: Int = 4 << 20) {
      self.nodes = nodes
      self.bytes = bytes
    }
  }

  /// `nodes` rendered against `context`. Nothing is HTML-escaped: the output is Markdown a
  /// person edits, and `Roads & Bridges` must stay as written.
  public static func render(_ nodes: [MustacheNode], context: MustacheValue, budget: Budget = Budget()) throws(TooLarge)
    -> String
  {
    var out = ""
    var stack = [context]
    var left = budget
    try render(nodes, stack: &stack, into: &out, budget: &left)
    return out
  }

  /// Recurses once per section level; the parser caps that at `MustacheParser.maximumDepth`.
  private static func render(
    _ nodes: [MustacheNode], stack: inout [MustacheValue], into out: inout String, budget: inout Budget
  ) throws(TooLarge) {
    for node in nodes {
      budget.nodes -= 1
      guard budget.nodes >= 0, out.utf8.count <= budget.bytes else { throw TooLarge() }
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
            try render(body, stack: &stack, into: &out, budget: &budget)
            stack.removeLast()
          }
        case let value?:
          stack.append(value)
          try render(body, stack: &stack, into: &out, budget: &budget)
          stack.removeLast()
        }
      case .invertedSection(let name, let body):
        switch MustacheValue.lookup(name, in: stack) {
        case nil:
          try render(body, stack: &stack, into: &out, budget: &budget)
        case .list(let items) where items.isEmpty:
          // swift-mustache pushes the empty list here; `{{.}}` inside then prints `[]`.
          stack.append(.list([]))
          try render(body, stack: &stack, into: &out, budget: &budget)
          stack.removeLast()
        default:
          break
        }
      }
    }
  }
}
