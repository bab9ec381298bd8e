/// A value changed differently on both sides of a 3-way merge.
public struct MergeConflict: Sendable, Equatable, CustomStringConvertible {
  /// Where: keys joined with ".", identity items as "[key=value]", positional items as "[N]"; keys
  /// containing ".", "[", "]", "=" or a double quote (or empty) are written double-quoted. The root is "".
  public let path: String
  /// The value in the common ancestor; nil when absent there.
  public let base: Node?
  /// Our value; nil when absent (deleted) on our side.
  public let ours: Node?
  /// Their value; nil when absent (deleted) on their side.
  public let theirs: Node?

  /// A conflict with the given fields.
  public init(path: String, base: Node?, ours: Node?, theirs: Node?) {
    self.path = path
    self.base = base
    self.ours = ours
    self.theirs = theirs
  }

  /// One line, e.g. `stakeholders[name=Finance].role: base "lead", ours "owner", theirs "advisor"`.
  public var description: String {
    let location = path.isEmpty ? "(root)" : path
    return
      "\(location): base \(Self.render(base)), ours \(Self.render(ours)), theirs \(Self.render(theirs))"
  }

  private static func render(_ node: Node?) -> String {
    guard let node else { return "(absent)" }
    switch node {
    case .string(let value): return Emitter.doubleQuoted(value)
    case .sequence(let items): return "[" + items.map { render($0) }.joined(separator: ", ") + "]"
    case .mapping(let mapping):
      return "{"
        + mapping.map { Emitter.keyText($0.key) + ": " + render($0.value) }.joined(separator: ", ")
        + "}"
    default:
      return YAML.emit(node).dropLast().description
    }
  }
}
