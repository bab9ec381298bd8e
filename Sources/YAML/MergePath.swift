/// A location in a document, as conflict paths print it and as merge patterns match it.
///
/// The printed text is built only when a conflict needs it: the merge visits every node of large
/// documents and most of them never conflict.
struct MergePath {
  enum Segment {
    case key(String)
    case identity(String, Node)
    case index(Int)
  }

  private(set) var segments: [Segment] = []

  func key(_ key: String) -> MergePath { appending(.key(key)) }

  func identity(_ key: String, _ value: Node) -> MergePath { appending(.identity(key, value)) }

  func index(_ index: Int) -> MergePath { appending(.index(index)) }

  private func appending(_ segment: Segment) -> MergePath {
    var next = self
    next.segments.append(segment)
    return next
  }

  /// "a.b[name=x].c[2]"
  var text: String {
    var text = ""
    for segment in segments {
      switch segment {
      case .key(let key):
        if !text.isEmpty { text += "." }
        text += Self.quoted(key)
      case .identity(let key, let value):
        let shown: String
        switch value {
        case .string(let string): shown = Self.quoted(string)
        default: shown = YAML.emit(value).dropLast().description
        }
        text += "[" + Self.quoted(key) + "=" + shown + "]"
      case .index(let index):
        text += "[\(index)]"
      }
    }
    return text
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
