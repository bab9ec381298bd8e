import YAML

/// A conflict's location inside a YAML document, as `YAMLMerge` writes it: keys joined with
/// ".", identity items as `[key=value]`, positional items as `[N]`; segments holding any of
/// `.[]="` (or empty) double-quoted with backslash escapes. The root is "".
enum ConflictPath {
  enum Segment: Equatable {
    case key(String)
    /// An item of a sequence of mappings, by its identity key and the value as the path shows it.
    case identity(key: String, shown: String)
    case index(Int)
  }

  static func parse(_ text: String) throws -> [Segment] {
    var segments: [Segment] = []
    var rest = Substring(text)
    func fail() -> CasebookError { .badInput("conflict path '\(Identifier.printable(text))' is not valid") }
    /// A quoted segment (unescaped) or a plain one up to a stop character.
    func word(stop: Set<Character>) throws -> (text: String, raw: Substring) {
      let start = rest
      if rest.first == "\"" {
        rest = rest.dropFirst()
        var out = ""
        while let c = rest.first {
          rest = rest.dropFirst()
          if c == "\"" { return (out, start[..<rest.startIndex]) }
          if c == "\\" {
            guard let next = rest.first else { throw fail() }
            out.append(next)
            rest = rest.dropFirst()
          } else {
            out.append(c)
          }
        }
        throw fail()
      }
      let plain = rest.prefix { !stop.contains($0) }
      rest = rest.dropFirst(plain.count)
      return (String(plain), plain)
    }
    while !rest.isEmpty {
      if rest.first == "[" {
        rest = rest.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, rest.dropFirst(digits.count).first == "]", let index = Int(digits) {
          rest = rest.dropFirst(digits.count + 1)
          segments.append(.index(index))
          continue
        }
        let key = try word(stop: ["="])
        guard rest.first == "=" else { throw fail() }
        rest = rest.dropFirst()
        let value = try word(stop: ["]"])
        guard rest.first == "]" else { throw fail() }
        rest = rest.dropFirst()
        segments.append(.identity(key: key.text, shown: String(value.raw)))
        continue
      }
      if !segments.isEmpty {
        guard rest.first == "." else { throw fail() }
        rest = rest.dropFirst()
      }
      let key = try word(stop: [".", "["])
      segments.append(.key(key.text))
    }
    return segments
  }

  /// `document` with the value at `path` set to `value` (nil removes it).
  static func setting(_ value: Node?, at path: String, in document: Node) throws -> Node {
    let segments = try parse(path)
    guard let result = try set(value, segments[...], in: document, path: path) else { return .null }
    return result
  }

  private static func set(_ value: Node?, _ segments: ArraySlice<Segment>, in node: Node?, path: String) throws -> Node?
  {
    guard let segment = segments.first else { return value }
    let rest = segments.dropFirst()
    func missing() -> CasebookError {
      .badInput("conflict path '\(Identifier.printable(path))' does not lead to a value in the merged document")
    }
    switch segment {
    case .key(let key):
      var map = node?.mapping ?? Mapping()
      if let node, node.mapping == nil, !node.isNull { throw missing() }
      if let child = try set(value, rest, in: map[key], path: path) {
        map[key] = child
      } else {
        _ = map.removeValue(forKey: key)
      }
      return .mapping(map)
    case .index(let index):
      guard let items = node?.sequence else { throw missing() }
      return try setItem(value, rest, at: items.indices.contains(index) ? index : nil, of: items, path: path)
    case .identity(let key, let shown):
      guard let items = node?.sequence else { throw missing() }
      let index = items.firstIndex { $0[key].map(Self.shown) == shown }
      return try setItem(value, rest, at: index, of: items, path: path)
    }
  }

  /// Sets `rest` in the item at `index` (removing the item when the result is nil), or in a new
  /// item appended to the list when there is no such item.
  private static func setItem(
    _ value: Node?, _ rest: ArraySlice<Segment>, at index: Int?, of items: [Node], path: String
  )
    throws -> Node
  {
    var items = items
    if let index {
      if let child = try set(value, rest, in: items[index], path: path) {
        items[index] = child
      } else {
        items.remove(at: index)
      }
    } else if let child = try set(value, rest, in: nil, path: path) {
      items.append(child)
    }
    return .sequence(items)
  }

  /// An identity value as a path shows it (the same rule as YAML's merge paths).
  static func shown(_ value: Node) -> String {
    switch value {
    case .string(let string): return quoted(string)
    default: return String(YAML.emit(value).dropLast())
    }
  }

  static func quoted(_ segment: String) -> String {
    guard segment.isEmpty || segment.contains(where: { ".[]=\"".contains($0) }) else { return segment }
    var escaped = ""
    for character in segment {
      if character == "\\" || character == "\"" { escaped.append("\\") }
      escaped.append(character)
    }
    return "\"" + escaped + "\""
  }
}
