/// The canonical block-style writer behind `YAML.emit`, hand-written so the form is exactly ours.
///
/// - Mappings: `key: value`, nested collections on the next lines indented by 2; keys plain when
///   safe, else double-quoted; keys longer than 1000 bytes use the explicit `? key` / `: value`
///   form (libyaml refuses longer implicit keys).
/// - Sequences: `- item`, indented under their key; a mapping item starts on the dash line
///   (`- name: x` / `  role: y`), a nested sequence likewise (`- - a`).
/// - Empty collections: `{}` and `[]`.
/// - Scalars: `null`, `true`/`false`, decimal ints, floats in Swift's shortest round-trip form
///   (with `.0` when needed) or `.inf`/`-.inf`/`.nan`.
/// - Strings: plain when safe; multi-line printable strings as literal blocks (`|-`, `|`, `|+`,
///   with the indentation indicator `2` when the first non-blank line starts with a space or tab);
///   otherwise double-quoted with escapes. A string that would need `|+` as the very last thing in
///   the document is double-quoted instead, so the text always ends in exactly one "\n".
struct Emitter {
  private(set) var output = ""

  mutating func emitDocument(_ node: Node) {
    switch node {
    case .mapping(let mapping) where !mapping.isEmpty:
      writeMapping(mapping, indent: 0, firstInline: false, atEnd: true)
    case .sequence(let items) where !items.isEmpty:
      writeSequence(items, indent: 0, firstInline: false, atEnd: true)
    default:
      writeScalar(node, contentIndent: 2, atEnd: true)
    }
  }

  // MARK: collections

  private mutating func writeMapping(
    _ mapping: Mapping, indent: Int, firstInline: Bool, atEnd: Bool
  ) {
    for (index, pair) in mapping.enumerated() {
      if index > 0 || !firstInline { output += spaces(indent) }
      let key = Self.keyText(pair.key)
      if key.utf8.count > 1000 {
        output += "? " + key + "\n" + spaces(indent) + ":"
      } else {
        output += key + ":"
      }
      let last = atEnd && index == mapping.count - 1
      switch pair.value {
      case .mapping(let child) where !child.isEmpty:
        output += "\n"
        writeMapping(child, indent: indent + 2, firstInline: false, atEnd: last)
      case .sequence(let items) where !items.isEmpty:
        output += "\n"
        writeSequence(items, indent: indent + 2, firstInline: false, atEnd: last)
      default:
        output += " "
        writeScalar(pair.value, contentIndent: indent + 2, atEnd: last)
      }
    }
  }

  private mutating func writeSequence(_ items: [Node], indent: Int, firstInline: Bool, atEnd: Bool) {
    for (index, item) in items.enumerated() {
      if index > 0 || !firstInline { output += spaces(indent) }
      output += "- "
      let last = atEnd && index == items.count - 1
      switch item {
      case .mapping(let child) where !child.isEmpty:
        writeMapping(child, indent: indent + 2, firstInline: true, atEnd: last)
      case .sequence(let children) where !children.isEmpty:
        writeSequence(children, indent: indent + 2, firstInline: true, atEnd: last)
      default:
        writeScalar(item, contentIndent: indent + 2, atEnd: last)
      }
    }
  }

  // MARK: scalars

  /// Writes a scalar (or an empty collection) and its line end. Block content goes at `contentIndent`.
  private mutating func writeScalar(_ node: Node, contentIndent: Int, atEnd: Bool) {
    switch node {
    case .null: output += "null\n"
    case .bool(let value): output += value ? "true\n" : "false\n"
    case .int(let value): output += String(value) + "\n"
    case .float(let value): output += Self.floatText(value) + "\n"
    case .sequence: output += "[]\n"
    case .mapping: output += "{}\n"
    case .string(let value):
      if Self.isPlainSafe(value) {
        output += value + "\n"
      } else if Self.isLiteralSafe(value), !(atEnd && value.hasSuffix("\n\n")) {
        writeLiteral(value, contentIndent: contentIndent)
      } else {
        output += Self.doubleQuoted(value) + "\n"
      }
    }
  }

  private mutating func writeLiteral(_ value: String, contentIndent: Int) {
    var lines = value.split(separator: "\n", omittingEmptySubsequences: false)
    let chomp: String
    if value.hasSuffix("\n\n") {
      chomp = "+"
      lines.removeLast()
    } else if value.hasSuffix("\n") {
      chomp = ""
      lines.removeLast()
    } else {
      chomp = "-"
    }
    // Auto-detection would take leading spaces (or blank lines with spaces) as indentation.
    // libyaml also refuses a tab where it is still looking for the indentation.
    let leading = value.unicodeScalars.prefix { $0 == " " || $0 == "\n" || $0 == "\t" }
    let indicator = leading.contains(" ") || leading.contains("\t") ? "2" : ""
    output += "|" + indicator + chomp + "\n"
    for line in lines {
      if line.isEmpty {
        output += "\n"
      } else {
        output += spaces(contentIndent) + line + "\n"
      }
    }
  }

  static func floatText(_ value: Double) -> String {
    if value.isNaN { return ".nan" }
    if value == .infinity { return ".inf" }
    if value == -.infinity { return "-.inf" }
    let text = "\(value)"
    return text.contains(".") || text.contains("e") ? text : text + ".0"
  }

  static func keyText(_ key: String) -> String {
    isPlainSafe(key) ? key : doubleQuoted(key)
  }

  /// Whether `text` can be written as a plain scalar that every YAML 1.1 or 1.2 reader takes for
  /// this same string.
  static func isPlainSafe(_ text: String) -> Bool {
    if let safe = plainWord(text) { return safe }
    guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else {
      return false
    }
    if "-?:,[]{}#&*!|>'\"%@` ".unicodeScalars.contains(first) { return false }
    if last == " " || last == ":" { return false }
    guard CoreSchema.resolvePlain(text) == .string(text), !CoreSchema.looksLikeInt(text) else {
      return false
    }
    switch text.lowercased() {
    case "y", "yes", "n", "no", "on", "off", "true", "false", "null", "<<": return false
    default: break
    }
    // Numbers, dates and times in YAML 1.1 start with a digit, or a sign or dot before one.
    let scalars = Array(text.unicodeScalars)
    if isDigit(first) { return false }
    if "+-.".unicodeScalars.contains(first), scalars.count > 1,
      isDigit(scalars[1]) || scalars[1] == "."
    {
      return false
    }
    if text.hasPrefix("...") { return false }
    var previous: Unicode.Scalar = " "
    for scalar in scalars {
      if !isPrintable(scalar) || scalar == "\t" { return false }
      if scalar == "#" && previous == " " { return false }
      if previous == ":" && scalar == " " { return false }
      previous = scalar
    }
    return true
  }

  /// The common case decided quickly: text that starts with an ASCII letter and has only letters,
  /// digits, spaces and `_-.,()/'` (not at the end a space) is plain-safe unless it is one of the
  /// YAML 1.1/1.2 null and bool words; nil for anything else (the full check decides).
  private static func plainWord(_ text: String) -> Bool? {
    let utf8 = text.utf8
    guard let first = utf8.first, let last = utf8.last, last != UInt8(ascii: " ") else { return nil }
    func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    guard isLetter(first) else { return nil }
    for byte in utf8 {
      guard isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || " _-.,()/'".utf8.contains(byte) else { return nil }
    }
    if utf8.count <= 5 {
      switch text.lowercased() {
      case "y", "yes", "n", "no", "on", "off", "true", "false", "null": return false
      default: break
      }
    }
    return true
  }

  /// Whether `text` is multi-line and can be a literal block: printable apart from "\n" and tab,
  /// no other line breaks, at least one non-newline character.
  static func isLiteralSafe(_ text: String) -> Bool {
    var hasNewline = false
    var hasContent = false
    for scalar in text.unicodeScalars {
      if scalar == "\n" {
        hasNewline = true
      } else if scalar == "\t" || isPrintable(scalar) {
        hasContent = true
      } else {
        return false
      }
    }
    return hasNewline && hasContent
  }

  static func doubleQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\0": result += "\\0"
      case "\u{7}": result += "\\a"
      case "\u{8}": result += "\\b"
      case "\t": result += "\\t"
      case "\n": result += "\\n"
      case "\u{B}": result += "\\v"
      case "\u{C}": result += "\\f"
      case "\r": result += "\\r"
      case "\u{1B}": result += "\\e"
      case "\u{85}": result += "\\N"
      case "\u{2028}": result += "\\L"
      case "\u{2029}": result += "\\P"
      default:
        if isPrintable(scalar) {
          result.unicodeScalars.append(scalar)
        } else {
          let hex = String(scalar.value, radix: 16, uppercase: true)
          let (prefix, width) =
            scalar.value < 0x100 ? ("\\x", 2) : scalar.value < 0x10000 ? ("\\u", 4) : ("\\U", 8)
          result += prefix + String(repeating: "0", count: width - hex.count) + hex
        }
      }
    }
    return result + "\""
  }

  /// libyaml's notion of a printable character, minus the line breaks it would fold.
  private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x20...0x7E: return true
    case 0xA0...0xD7FF: return scalar.value != 0x2028 && scalar.value != 0x2029
    case 0xE000...0xFFFD: return scalar.value != 0xFEFF
    case 0x10000...0x10FFFF: return true
    default: return false
    }
  }

  private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value >= 0x30 && scalar.value <= 0x39
  }

  private func spaces(_ count: Int) -> String {
    String(repeating: " ", count: count)
  }
}
