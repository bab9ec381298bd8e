/// Small text helpers the export uses around Markdown: HTML escaping for strings that are not
/// Markdown, lines, ATX headings and fenced code.
public enum MarkdownText {
  /// Escapes text for HTML element content and attribute values. C0 control characters other
  /// than newline and tab cannot appear in a well-formed document and become U+FFFD.
  public static func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\n", "\t": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0x7f {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// The lines of `text`, with `\r\n` and `\r` read as line endings; no empty last line.
  public static func lines(_ text: String) -> [String] {
    let text = text.replacingEvery("\r\n", with: "\n").replacingEvery("\r", with: "\n")
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  /// Whether a line is empty or spaces and tabs only.
  public static func isBlank(_ line: String) -> Bool {
    line.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" }
  }

  /// The level and text of an ATX heading line (`## Text ##`), or nil.
  public static func heading(_ line: String) -> (level: Int, text: String)? {
    let n = line.prefix { $0 == " " }.count
    guard n <= 3 else { return nil }
    let rest = line.dropFirst(n)
    let level = rest.prefix { $0 == "#" }.count
    guard (1...6).contains(level) else { return nil }
    let after = rest.dropFirst(level)
    guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
    var text = trimmed(after)
    // A closing run of #s is decoration, when a space separates it from the text.
    let closing = text.reversed().prefix { $0 == "#" }.count
    if closing > 0 {
      let kept = text.dropLast(closing)
      if kept.isEmpty || kept.last == " " || kept.last == "\t" { text = trimmed(kept) }
    }
    return (level, text)
  }

  /// A fenced code block holding `text` verbatim: the fence is longer than any backtick run in
  /// it, so nothing inside can close it early.
  public static func fenced(_ text: String, info: String = "") -> [String] {
    var longest = 0
    var current = 0
    for c in text {
      current = c == "`" ? current + 1 : 0
      longest = max(longest, current)
    }
    let fence = String(repeating: "`", count: max(3, longest + 1))
    var body = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if body.last == "" { body.removeLast() }
    return [fence + info] + body + [fence]
  }

  private static func trimmed(_ text: Substring) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
    let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
    return String(scalars[first...last])
  }
}

extension String {
  /// Every occurrence of `target` replaced, matched byte for byte (so "\n" is found inside
  /// "\r\n", which the standard library's character-wise `replacing` would not find).
  func replacingEvery(_ target: String, with replacement: String) -> String {
    String(decoding: Array(utf8).replacing(Array(target.utf8), with: Array(replacement.utf8)), as: UTF8.self)
  }
}
