/// A value a Mustache template is rendered against: text, a list or a map.
///
/// There is no `null` or `false`: a context leaves such keys out, which is what makes
/// `{{^key}}…{{/key}}` say "not set yet". A closed enum rather than `Any`, so that looking a
/// name up is a switch, not a chain of dynamic casts, in a process that renders once and exits.
public enum MustacheValue: Equatable, Sendable {
  case text(String)
  case list([MustacheValue])
  case map([String: MustacheValue])

  /// The value of `name` (its parts split at dots; none for `.`) seen from `stack`, top last.
  ///
  /// As the Mustache spec says: the first part is looked up in the top context, then in the
  /// ones enclosing it until a map has the key; the other parts are looked up strictly in what
  /// the first found, so `{{a.b}}` never takes a `b` from an outer context.
  static func lookup(_ name: [String], in stack: [MustacheValue]) -> MustacheValue? {
    guard let first = name.first else { return stack.last }
    for context in stack.reversed() {
      guard case .map(let map) = context, var value = map[first] else { continue }
      for part in name.dropFirst() {
        guard case .map(let map) = value, let child = map[part] else { return nil }
        value = child
      }
      return value
    }
    return nil
  }

  /// What `{{name}}` prints: text as it is; a list or map as Swift prints an array or a
  /// dictionary, which is what swift-mustache printed, so a skeleton that names a list in a
  /// variable tag shows the same telltale `["…"]` it always has. Map keys are sorted, since
  /// Swift's dictionary order differs from process to process.
  var rendered: String {
    if case .text(let text) = self { return text }
    var out = ""
    appendDescription(to: &out)
    return out
  }

  private func appendDescription(to out: inout String) {
    switch self {
    case .text(let text):
      out += text.debugDescription
    case .list(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += ", " }
        item.appendDescription(to: &out)
      }
      out += "]"
    case .map(let map):
      guard !map.isEmpty else {
        out += "[:]"
        return
      }
      out += "["
      for (i, (key, value)) in map.sorted(by: { $0.key < $1.key }).enumerated() {
        if i > 0 { out += ", " }
        out += key.debugDescription + ": "
        value.appendDescription(to: &out)
      }
      out += "]"
    }
  }
}
