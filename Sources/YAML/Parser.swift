internal import CYAML

/// Builds a `Node` from libyaml's event stream.
///
/// libyaml's parser and event structs live at fixed heap addresses for the whole parse (the parser
/// keeps pointers into itself) and are always deleted and freed. Anchors are expanded into copies;
/// copies share storage (Swift values are copy-on-write), so expansion is counted, not allocated:
/// every alias charges the node count of its anchor against `Limits.maxAliasExpansion`.
struct Parser {
  private struct Anchor {
    let node: Node
    /// The raw scalar text, when the anchored node is a scalar (so aliases can be mapping keys).
    let keyText: String?
    /// Nodes in the anchored subtree, expansions included.
    let weight: Int
    /// Collection nesting inside the anchored subtree (0 for a scalar).
    let height: Int
  }

  private enum Container {
    case sequence([Node])
    case mapping(Mapping, pendingKey: String?)
  }

  private struct Frame {
    var container: Container
    let anchor: String?
    let start: Mark
    var weight = 1
    var height = 1
  }

  private struct Mark {
    let line: Int
    let column: Int
  }

  private let source: SourceText
  private let limits: Limits
  private var anchors: [String: Anchor] = [:]
  private var frames: [Frame] = []
  private var root: Node?
  private var expanded = 0
  private var nodes = 0

  /// Bytes from a Swift `String` are valid UTF-8 already (`utf8Checked`); others are checked.
  private let utf8Checked: Bool

  init(bytes: [UInt8], limits: Limits, utf8Checked: Bool = false) {
    source = SourceText(bytes: bytes)
    self.limits = limits
    self.utf8Checked = utf8Checked
  }

  /// Parses exactly one document.
  mutating func parse() throws(YAMLError) -> Node {
    let bytes = source.bytes
    guard bytes.count <= limits.maxDocumentBytes else {
      throw YAMLError(
        kind: .tooLarge,
        message:
          "document is \(bytes.count) bytes, more than the limit of \(limits.maxDocumentBytes)")
    }
    if !utf8Checked, let (line, column) = source.firstInvalidUTF8() {
      throw YAMLError(
        kind: .invalidUTF8, message: "invalid utf-8", line: line, column: column,
        snippet: source.line(line))
    }

    // libyaml reads from this buffer until yaml_parser_delete; keep it at one address until then.
    let input = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
    defer { input.deallocate() }
    input.initialize(from: bytes, count: bytes.count)

    let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    defer { parser.deallocate() }
    guard yaml_parser_initialize(parser) == 1 else {
      throw YAMLError(kind: .tooLarge, message: "libyaml could not allocate a parser")
    }
    defer { yaml_parser_delete(parser) }
    yaml_parser_set_input_string(parser, input, bytes.count)
    yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)

    let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
    defer { event.deallocate() }
    event.initialize(to: yaml_event_t())

    var documents = 0
    while true {
      guard yaml_parser_parse(parser, event) == 1 else { throw libyamlError(parser) }
      defer { yaml_event_delete(event) }
      let mark = Mark(
        line: Int(event.pointee.start_mark.line) + 1,
        column: Int(event.pointee.start_mark.column) + 1)
      switch event.pointee.type {
      case YAML_STREAM_END_EVENT:
        return root ?? .null
      case YAML_DOCUMENT_START_EVENT:
        documents += 1
        if documents > 1 {
          throw error(.multipleDocuments, "more than one document", at: mark)
        }
      case YAML_SCALAR_EVENT:
        let data = event.pointee.data.scalar
        let text = string(data.value, Int(data.length))
        let tag = string(data.tag)
        let plain = data.style == YAML_PLAIN_SCALAR_STYLE
        let node = try scalar(text, tag: tag, plain: plain, at: mark)
        try count(1, at: mark)
        try add(node, keyText: text, weight: 1, height: 0, anchor: string(data.anchor), at: mark)
      case YAML_ALIAS_EVENT:
        let name = string(event.pointee.data.alias.anchor) ?? ""
        guard let anchor = anchors[name] else {
          throw error(.syntax, "unknown alias '\(name)'", at: mark)
        }
        expanded += anchor.weight
        if expanded > limits.maxAliasExpansion {
          throw error(
            .aliasBudget,
            "alias expansion exceeds the limit of \(limits.maxAliasExpansion) nodes", at: mark)
        }
        try count(anchor.weight, at: mark)
        try add(
          anchor.node, keyText: anchor.keyText, weight: anchor.weight, height: anchor.height,
          anchor: nil, at: mark)
      case YAML_SEQUENCE_START_EVENT:
        let data = event.pointee.data.sequence_start
        try checkCollectionTag(string(data.tag), expected: "seq", at: mark)
        try enter(.sequence([]), anchor: string(data.anchor), at: mark)
      case YAML_MAPPING_START_EVENT:
        let data = event.pointee.data.mapping_start
        try checkCollectionTag(string(data.tag), expected: "map", at: mark)
        try enter(.mapping(Mapping(), pendingKey: nil), anchor: string(data.anchor), at: mark)
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        let frame = frames.removeLast()
        let node: Node
        switch frame.container {
        case .sequence(let items): node = .sequence(items)
        case .mapping(let mapping, _): node = .mapping(mapping)
        }
        try add(
          node, keyText: nil, weight: frame.weight, height: frame.height, anchor: frame.anchor,
          at: frame.start)
      default:
        break
      }
    }
  }

  private mutating func enter(_ container: Container, anchor: String?, at mark: Mark)
    throws(YAMLError)
  {
    guard frames.count < limits.maxDepth else {
      throw error(.tooDeep, "nesting deeper than \(limits.maxDepth) levels", at: mark)
    }
    try count(1, at: mark)
    frames.append(Frame(container: container, anchor: anchor, start: mark))
  }

  private mutating func count(_ weight: Int, at mark: Mark) throws(YAMLError) {
    nodes += weight
    if nodes > limits.maxNodes {
      throw error(.tooLarge, "document has more than \(limits.maxNodes) nodes", at: mark)
    }
  }

  /// Attaches a finished node to its parent (or makes it the root) and records its anchor.
  private mutating func add(
    _ node: Node, keyText: String?, weight: Int, height: Int, anchor: String?, at mark: Mark
  ) throws(YAMLError) {
    if let anchor {
      anchors[anchor] = Anchor(node: node, keyText: keyText, weight: weight, height: height)
    }
    guard var frame = frames.popLast() else {
      root = node
      return
    }
    if frames.count + 1 + height > limits.maxDepth {
      throw error(.tooDeep, "nesting deeper than \(limits.maxDepth) levels", at: mark)
    }
    frame.weight += weight
    frame.height = max(frame.height, height + 1)
    switch frame.container {
    case .sequence(var items):
      frame.container = .sequence([])  // drop the reference so the append does not copy
      items.append(node)
      frame.container = .sequence(items)
    case .mapping(var mapping, let pendingKey):
      frame.container = .mapping(Mapping(), pendingKey: nil)
      if let pendingKey {
        mapping[pendingKey] = node
        frame.container = .mapping(mapping, pendingKey: nil)
      } else {
        guard let keyText else {
          throw error(.unsupported, "mapping keys must be scalars", at: mark)
        }
        if mapping.contains(key: keyText) {
          throw error(.duplicateKey, "duplicate key '\(keyText)'", at: mark)
        }
        frame.container = .mapping(mapping, pendingKey: keyText)
      }
    }
    frames.append(frame)
  }

  private func scalar(_ text: String, tag: String?, plain: Bool, at mark: Mark) throws(YAMLError)
    -> Node
  {
    guard let tag, tag != "!" else {
      return plain && tag == nil ? CoreSchema.resolvePlain(text) : .string(text)
    }
    let invalid = error(.syntax, "invalid value '\(text)' for tag \(Self.shortTag(tag))", at: mark)
    switch tag {
    case "tag:yaml.org,2002:str":
      return .string(text)
    case "tag:yaml.org,2002:null":
      guard CoreSchema.isNull(text) else { throw invalid }
      return .null
    case "tag:yaml.org,2002:bool":
      guard let value = CoreSchema.bool(text) else { throw invalid }
      return .bool(value)
    case "tag:yaml.org,2002:int":
      guard let value = CoreSchema.int(text) else { throw invalid }
      return .int(value)
    case "tag:yaml.org,2002:float":
      if let value = CoreSchema.float(text) { return .float(value) }
      if let value = CoreSchema.int(text) { return .float(Double(value)) }
      throw invalid
    default:
      throw error(.unsupported, "unsupported tag \(Self.shortTag(tag)) on a scalar", at: mark)
    }
  }

  private func checkCollectionTag(_ tag: String?, expected: String, at mark: Mark) throws(YAMLError) {
    guard let tag, tag != "!", tag != "tag:yaml.org,2002:" + expected else { return }
    let kind = expected == "seq" ? "sequence" : "mapping"
    throw error(.unsupported, "unsupported tag \(Self.shortTag(tag)) on a \(kind)", at: mark)
  }

  private static func shortTag(_ tag: String) -> String {
    let prefix = "tag:yaml.org,2002:"
    return tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
  }

  private func error(_ kind: YAMLError.Kind, _ message: String, at mark: Mark) -> YAMLError {
    YAMLError(
      kind: kind, message: message, line: mark.line, column: mark.column,
      snippet: source.line(mark.line))
  }

  private func libyamlError(_ parser: UnsafeMutablePointer<yaml_parser_t>) -> YAMLError {
    let state = parser.pointee
    var message = string(state.problem) ?? "unknown libyaml error"
    switch state.error {
    case YAML_MEMORY_ERROR:
      return YAMLError(kind: .tooLarge, message: "libyaml ran out of memory")
    case YAML_READER_ERROR:
      // We validated UTF-8, so this is a character libyaml refuses (e.g. a raw control character).
      let offset = Int(state.problem_offset)
      let (line, column) = position(ofByte: offset)
      return YAMLError(
        kind: .syntax, message: message, line: line, column: column, snippet: source.line(line))
    default:
      let line = Int(state.problem_mark.line) + 1
      let column = Int(state.problem_mark.column) + 1
      if let context = string(state.context) {
        let contextLine = Int(state.context_mark.line) + 1
        let contextColumn = Int(state.context_mark.column) + 1
        message += " \(context) (started at line \(contextLine), column \(contextColumn))"
      }
      return YAMLError(
        kind: .syntax, message: message, line: line, column: column,
        snippet: source.line(line) ?? source.line(Int(state.context_mark.line) + 1))
    }
  }

  private func position(ofByte offset: Int) -> (Int, Int) {
    var line = 1
    var column = 1
    for byte in source.bytes.prefix(offset) {
      if byte == 0x0A {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }

  private func string(_ pointer: UnsafeMutablePointer<UInt8>?, _ length: Int) -> String {
    guard let pointer else { return "" }
    return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
  }

  private func string(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
  }

  private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
  }
}
