/// A location in a document, as conflict paths print it and as identity-key patterns match it.
struct MergePath {
  /// "a.b[name=x].c[2]"
  private(set) var text = ""
  /// "a.b[].c[]": the same with every sequence item as "[]".
  private(set) var pattern = ""

  func key(_ key: String) -> MergePath {
    let segment = Self.quoted(key)
    var next = self
    next.text = text.isEmpty ? segment : text + "." + segment
    next.pattern = pattern.isEmpty ? segment : pattern + "." + segment
    return next
  }

  func identity(_ key: String, _ value: Node) -> MergePath {
    let shown: String
    switch value {
    case .string(let string): shown = Self.quoted(string)
    default: shown = YAML.emit(value).dropLast().description
    }
    var next = self
    next.text += "[" + Self.quoted(key) + "=" + shown + "]"
    next.pattern += "[]"
    return next
  }

  func index(_ index: Int) -> MergePath {
    var next = self
    next.text += "[\(index)]"
    next.pattern += "[]"
    return next
  }

  private static func quoted(_ segment: String) -> String {
    let special = segment.isEmpty || segment.contains { ".[]=\"".contains($0) }
    guard special else { return segment }
    var escaped = ""
    for character in segment {
      if character == "\\" || character == "\"" { escaped.append("\\") }
      escaped.append(character)
    }
    return "\"" + escaped + "\""
  }
}
