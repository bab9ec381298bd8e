/// Converts the Markdown that section drafts use into HTML for `casebook export --format html`.
///
/// No Markdown package is among the project's dependencies, so this is a small converter for
/// the subset drafts actually use: ATX and setext headings, paragraphs, emphasis, bullet and
/// numbered lists (nested), block quotes, fenced and indented code, simple pipe tables, rules,
/// links and code spans. Everything else is text: every character that reaches the output is
/// escaped unless this converter wrote it, raw HTML included, so a draft can never inject markup,
/// scripts or external resources into an exported document. Links are kept only for `http`,
/// `https`, `mailto` and in-page `#` targets; images become their alt text, because an export
/// is one self-contained file that loads nothing.
///
/// The output is deterministic (same input, same bytes) and uses `\n` line endings.
enum MarkdownHTML {
  /// Nesting deeper than this (lists in quotes in lists…) is rendered as plain paragraphs, so
  /// that hostile input cannot recurse without bound.
  static let maxDepth = 24

  /// The HTML for `markdown`. `headingShift` demotes headings (a draft's `#` becomes `<h3>`
  /// with a shift of 2, under the document's own `<h1>` and the section's `<h2>`).
  static func render(_ markdown: String, headingShift: Int = 0) -> String {
    render(blocks(markdown), headingShift: headingShift)
  }

  /// Renders parsed blocks (see `blocks(_:)`).
  static func render(_ blocks: [Block], headingShift: Int = 0) -> String {
    var out = ""
    var padding = paddingBudget(blocks)
    render(blocks, tight: false, shift: headingShift, padding: &padding, into: &out)
    return out
  }

  /// How many empty cells the tables of `blocks` may add in all to pad short rows to their
  /// header's width: 256, and two per cell and character the tables hold. Each empty cell is
  /// output with nothing in the input to pay for it, so without a bound one wide header over
  /// many short rows costs rows × columns (a 84 KB table made 180 MB of HTML). Real tables stay
  /// far inside this and are padded as GitHub pads them; a table that would need more than what
  /// is left is rendered with its short rows as written, which browsers show as blank space.
  static func paddingBudget(_ blocks: [Block]) -> Int {
    256 + 2 * tableSize(blocks)
  }

  private static func tableSize(_ blocks: [Block]) -> Int {
    var budget = 0
    for block in blocks {
      switch block {
      case .table(let header, _, let rows):
        budget += header.count + header.reduce(0) { $0 + $1.utf8.count }
        for row in rows { budget += 1 + row.count + row.reduce(0) { $0 + $1.utf8.count } }
      case .quote(let inner): budget += tableSize(inner)
      case .list(_, _, _, let items): for item in items { budget += tableSize(item) }
      default: break
      }
    }
    return budget
  }

  /// The block structure of `markdown`, with line endings made canonical first.
  static func blocks(_ markdown: String) -> [Block] {
    parse(lines(markdown), depth: 0)
  }

  /// Escapes text for HTML element content and attribute values. C0 control characters other
  /// than newline and tab cannot appear in a well-formed document and become U+FFFD.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars { appendEscaped(scalar, to: &out) }
    return out
  }

  // MARK: - Blocks

  /// One block of a parsed document.
  indirect enum Block: Equatable {
    case heading(level: Int, text: String)
    case paragraph(String)
    case code(String, language: String?)
    case quote([Block])
    case list(ordered: Bool, start: Int, tight: Bool, items: [[Block]])
    case table(header: [String], alignments: [Alignment], rows: [[String]])
    case rule
  }

  /// A table column's alignment, from its separator cell (`:--`, `:-:`, `--:`).
  enum Alignment: Equatable { case none, left, center, right }

  /// A hard line break inside a paragraph (two trailing spaces or a backslash). A private-use
  /// character, so the inline pass can tell it from text; any in the input are replaced first.
  static let hardBreak: Character = "\u{E000}"

  static func lines(_ text: String) -> [String] {
    var text = text.replacingEvery("\r\n", with: "\n").replacingEvery("\r", with: "\n")
    text = text.replacingEvery(String(hardBreak), with: "\u{FFFD}")
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
      // Leading tabs count as four spaces: drafts mix them with spaces in nested lists.
      var prefix = 0
      var spaces = ""
      for c in line {
        if c == "\t" {
          spaces += "    "
        } else if c == " " {
          spaces += " "
        } else {
          break
        }
        prefix += 1
      }
      return prefix == 0 ? String(line) : spaces + line.dropFirst(prefix)
    }
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  static func indent(_ line: String) -> Int {
    var n = 0
    for c in line {
      guard c == " " else { break }
      n += 1
    }
    return n
  }

  static func isBlank(_ line: String) -> Bool { line.allSatisfy { $0 == " " } }

  static func dropIndent(_ line: String, _ n: Int) -> String {
    String(line.dropFirst(min(n, indent(line))))
  }

  struct Fence {
    let char: Character
    let count: Int
    let indent: Int
    let info: String
  }

  static func fence(_ line: String) -> Fence? {
    let n = indent(line)
    guard n <= 3 else { return nil }
    let rest = line.dropFirst(n)
    guard let c = rest.first, c == "`" || c == "~" else { return nil }
    let count = rest.prefix { $0 == c }.count
    guard count >= 3 else { return nil }
    let info = rest.dropFirst(count).trimmingSpaces()
    if c == "`" && info.contains("`") { return nil }
    return Fence(char: c, count: count, indent: n, info: info)
  }

  static func heading(_ line: String) -> (level: Int, text: String)? {
    let n = indent(line)
    guard n <= 3 else { return nil }
    let rest = line.dropFirst(n)
    let level = rest.prefix { $0 == "#" }.count
    guard (1...6).contains(level) else { return nil }
    let after = rest.dropFirst(level)
    guard after.isEmpty || after.first == " " else { return nil }
    var text = after.trimmingSpaces()
    // A closing run of #s is decoration, when a space separates it from the text.
    let closing = text.reversed().prefix { $0 == "#" }.count
    if closing > 0 {
      let kept = text.dropLast(closing)
      if kept.isEmpty || kept.last == " " { text = kept.trimmingSpaces() }
    }
    return (level, text)
  }

  static func isRule(_ line: String) -> Bool {
    guard indent(line) <= 3 else { return false }
    let marks = line.filter { $0 != " " }
    guard let c = marks.first, c == "-" || c == "*" || c == "_", marks.count >= 3 else { return false }
    return marks.allSatisfy { $0 == c }
  }

  static func quoted(_ line: String) -> String? {
    guard indent(line) <= 3 else { return nil }
    let rest = line.drop { $0 == " " }
    guard rest.first == ">" else { return nil }
    let after = rest.dropFirst()
    return String(after.first == " " ? after.dropFirst() : after)
  }

  struct Marker {
    let ordered: Bool
    /// The bullet (`-`, `*`, `+`) or the delimiter after the number (`.`, `)`).
    let char: Character
    let start: Int
    let indent: Int
    /// Where the item's text starts; lines indented this far belong to the item.
    let contentIndent: Int
    let text: String
  }

  static func marker(_ line: String) -> Marker? {
    let n = indent(line)
    let rest = line.dropFirst(n)
    guard let first = rest.first else { return nil }
    var ordered = false
    var width = 1
    var char = first
    var start = 1
    if first == "-" || first == "*" || first == "+" {
      // a bullet
    } else if first.isASCII, first.isNumber {
      let digits = rest.prefix { $0.isASCII && $0.isNumber }
      guard digits.count <= 9, let delimiter = rest.dropFirst(digits.count).first, delimiter == "." || delimiter == ")"
      else { return nil }
      ordered = true
      width = digits.count + 1
      char = delimiter
      start = Int(digits) ?? 1
    } else {
      return nil
    }
    let after = rest.dropFirst(width)
    if after.isEmpty {
      return Marker(ordered: ordered, char: char, start: start, indent: n, contentIndent: n + width + 1, text: "")
    }
    guard after.first == " " else { return nil }
    let spaces = after.prefix { $0 == " " }.count
    let text = after.dropFirst(spaces)
    // Five or more spaces after the marker start indented code in the item, as in CommonMark.
    let pad = text.isEmpty || spaces > 4 ? 1 : spaces
    return Marker(
      ordered: ordered, char: char, start: start, indent: n, contentIndent: n + width + pad,
      text: spaces > 4 ? String(after.dropFirst(1)) : String(text))
  }

  static func tableCells(_ line: String) -> [String] {
    var body = line.trimmingSpaces()
    if body.hasPrefix("|") { body.removeFirst() }
    if body.hasSuffix("|") && !body.hasSuffix("\\|") { body.removeLast() }
    var cells: [String] = []
    var current = ""
    var escaped = false
    var inCode = false
    for c in body {
      if escaped {
        // `\|` is a literal pipe in a cell; other escapes are left for the inline pass.
        if c != "|" { current.append("\\") }
        current.append(c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "`" {
        inCode.toggle()
        current.append(c)
      } else if c == "|" && !inCode {
        cells.append(current.trimmingSpaces())
        current = ""
      } else {
        current.append(c)
      }
    }
    if escaped { current.append("\\") }
    cells.append(current.trimmingSpaces())
    return cells
  }

  static func tableSeparator(_ line: String) -> [Alignment]? {
    guard line.contains("-"), indent(line) <= 3 else { return nil }
    let cells = tableCells(line)
    var out: [Alignment] = []
    for cell in cells {
      let left = cell.hasPrefix(":")
      let right = cell.hasSuffix(":")
      let dashes = cell.dropFirst(left ? 1 : 0).dropLast(right && cell.count > 1 ? 1 : 0)
      guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
      out.append(left && right ? .center : left ? .left : right ? .right : .none)
    }
    return out
  }

  /// Whether `line` begins a block that ends a paragraph running into it.
  static func interrupts(_ line: String) -> Bool {
    if heading(line) != nil || fence(line) != nil || isRule(line) || quoted(line) != nil { return true }
    if let m = marker(line), m.indent <= 3, !m.text.isEmpty, !m.ordered || m.start == 1 { return true }
    return false
  }

  static func parse(_ lines: [String], depth: Int) -> [Block] {
    var blocks: [Block] = []
    var i = 0
    while i < lines.count {
      let line = lines[i]
      if isBlank(line) {
        i += 1
        continue
      }
      if depth >= maxDepth {
        // Too deep: what is left becomes text, escaped like any other.
        let text = lines[i...].map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        blocks.append(.paragraph(text.joined(separator: "\n")))
        break
      }
      if let open = fence(line) {
        var body: [String] = []
        i += 1
        while i < lines.count {
          if let close = fence(lines[i]), close.char == open.char, close.count >= open.count, close.info.isEmpty {
            i += 1
            break
          }
          body.append(dropIndent(lines[i], open.indent))
          i += 1
        }
        let language = open.info.split(separator: " ").first.map(String.init)
        blocks.append(.code(body.map { $0 + "\n" }.joined(), language: language))
        continue
      }
      if let h = heading(line) {
        blocks.append(.heading(level: h.level, text: h.text))
        i += 1
        continue
      }
      if isRule(line) {
        blocks.append(.rule)
        i += 1
        continue
      }
      if quoted(line) != nil {
        var inner: [String] = []
        while i < lines.count, !isBlank(lines[i]) {
          if let q = quoted(lines[i]) {
            inner.append(q)
          } else if let last = inner.last, !isBlank(last), !interrupts(lines[i]) {
            inner.append(lines[i])  // a lazy continuation of the quoted paragraph
          } else {
            break
          }
          i += 1
        }
        blocks.append(.quote(parse(inner, depth: depth + 1)))
        continue
      }
      if indent(line) >= 4 {
        var body: [String] = []
        while i < lines.count, isBlank(lines[i]) || indent(lines[i]) >= 4 {
          body.append(String(lines[i].dropFirst(min(4, indent(lines[i])))))
          i += 1
        }
        while body.last.map(isBlank) == true { body.removeLast() }
        blocks.append(.code(body.map { $0 + "\n" }.joined(), language: nil))
        continue
      }
      if marker(line) != nil {
        blocks.append(parseList(lines, &i, depth: depth))
        continue
      }
      if line.contains("|"), i + 1 < lines.count, let alignments = tableSeparator(lines[i + 1]) {
        let header = tableCells(line)
        if header.count == alignments.count {
          i += 2
          var rows: [[String]] = []
          while i < lines.count, !isBlank(lines[i]), lines[i].contains("|"), !interrupts(lines[i]) {
            var cells = tableCells(lines[i])
            // Rows are cut to the header's width, as GitHub does; short rows stay short here and
            // are padded when rendered, within a budget (see `render`).
            if cells.count > header.count { cells = Array(cells.prefix(header.count)) }
            rows.append(cells)
            i += 1
          }
          blocks.append(.table(header: header, alignments: alignments, rows: rows))
          continue
        }
      }
      // A paragraph: lines up to a blank one or the start of another block.
      var text: [String] = [line]
      i += 1
      var setext: Int?
      while i < lines.count, !isBlank(lines[i]) {
        let next = lines[i]
        let trimmed = next.trimmingSpaces()
        if indent(next) <= 3, !trimmed.isEmpty, trimmed.allSatisfy({ $0 == "=" }) {
          setext = 1
        } else if indent(next) <= 3, !trimmed.isEmpty, trimmed.allSatisfy({ $0 == "-" }) {
          setext = 2
        }
        if setext != nil {
          i += 1
          break
        }
        if interrupts(next) { break }
        text.append(next)
        i += 1
      }
      if let level = setext {
        blocks.append(
          .heading(level: level, text: text.map { $0.trimmingSpaces() }.joined(separator: " ")))
      } else {
        blocks.append(.paragraph(paragraphText(text)))
      }
    }
    return blocks
  }

  /// The paragraph's lines joined, with hard breaks (two trailing spaces, or a trailing
  /// backslash) marked for the inline pass.
  static func paragraphText(_ lines: [String]) -> String {
    var out = ""
    for (n, raw) in lines.enumerated() {
      var line = raw.drop { $0 == " " }
      let last = n == lines.count - 1
      var hard = false
      if !last, line.hasSuffix("  ") {
        hard = true
      } else if !last, line.hasSuffix("\\"), !line.hasSuffix("\\\\") {
        line = line.dropLast()
        hard = true
      }
      out += line.trimmingSpaces()
      if !last { out += hard ? String(hardBreak) + "\n" : "\n" }
    }
    return out
  }

  static func parseList(_ lines: [String], _ i: inout Int, depth: Int) -> Block {
    let first = marker(lines[i])!
    var items: [[Block]] = []
    var tight = true
    while i < lines.count, let m = marker(lines[i]), m.ordered == first.ordered, m.char == first.char,
      m.indent >= first.indent, m.indent <= first.indent + 3, !isRule(lines[i])
    {
      var body = [m.text]
      i += 1
      itemLoop: while i < lines.count {
        let line = lines[i]
        if isBlank(line) {
          // Blank lines: the item goes on only if what follows is indented into it.
          var j = i
          while j < lines.count, isBlank(lines[j]) { j += 1 }
          guard j < lines.count, indent(lines[j]) >= m.contentIndent else {
            if j < lines.count, let next = marker(lines[j]), next.ordered == first.ordered, next.char == first.char,
              next.indent >= first.indent, next.indent <= first.indent + 3
            {
              tight = false
            }
            i = j
            break itemLoop
          }
          tight = false
          body.append(contentsOf: Array(repeating: "", count: j - i))
          i = j
          continue
        }
        let n = indent(line)
        if n >= m.contentIndent {
          body.append(String(line.dropFirst(m.contentIndent)))
        } else if let nested = marker(line), nested.indent > m.indent {
          // A sub-list indented less than the text of its item: common in drafts, and meant as nesting.
          body.append(String(line.dropFirst(n)))
        } else if marker(line) != nil || interrupts(line) {
          break
        } else if let last = body.last, !isBlank(last) {
          body.append(String(line.dropFirst(n)))  // a lazy continuation line
        } else {
          break
        }
        i += 1
      }
      items.append(parse(body, depth: depth + 1))
    }
    return .list(ordered: first.ordered, start: first.start, tight: tight, items: items)
  }

  // MARK: - Rendering blocks

  static func render(_ blocks: [Block], tight: Bool, shift: Int, padding: inout Int, into out: inout String) {
    for block in blocks {
      switch block {
      case .heading(let level, let text):
        let n = min(6, max(1, level + shift))
        out += "<h\(n)>\(inline(text))</h\(n)>\n"
      case .paragraph(let text):
        out += tight ? inline(text) + "\n" : "<p>\(inline(text))</p>\n"
      case .code(let text, let language):
        let safe = language.map {
          String($0.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "+-_".contains($0)) }.prefix(32))
        }
        let attribute = safe.flatMap { $0.isEmpty ? nil : " class=\"language-\($0)\"" } ?? ""
        out += "<pre><code\(attribute)>\(escape(text))</code></pre>\n"
      case .quote(let inner):
        out += "<blockquote>\n"
        render(inner, tight: false, shift: shift, padding: &padding, into: &out)
        out += "</blockquote>\n"
      case .list(let ordered, let start, let isTight, let items):
        out += ordered ? (start == 1 ? "<ol>\n" : "<ol start=\"\(start)\">\n") : "<ul>\n"
        for item in items {
          out += "<li>"
          var inner = ""
          render(item, tight: isTight, shift: shift, padding: &padding, into: &inner)
          if inner.hasSuffix("\n"), isTight, item.count == 1 { inner.removeLast() }
          out += inner
          out += "</li>\n"
        }
        out += ordered ? "</ol>\n" : "</ul>\n"
      case .table(let header, let alignments, let rows):
        func cell(_ tag: String, _ text: String, _ alignment: Alignment) -> String {
          let attribute: String
          switch alignment {
          case .none: attribute = ""
          case .left: attribute = " class=\"align-left\""
          case .center: attribute = " class=\"align-center\""
          case .right: attribute = " class=\"align-right\""
          }
          return "<\(tag)\(attribute)>\(inline(text))</\(tag)>"
        }
        out += "<table>\n<thead>\n<tr>"
        for (n, text) in header.enumerated() { out += cell("th", text, alignments[n]) }
        out += "</tr>\n</thead>\n"
        if !rows.isEmpty {
          let missing = rows.reduce(0) { $0 + header.count - $1.count }
          let padded = missing <= padding
          if padded { padding -= missing }
          out += "<tbody>\n"
          for row in rows {
            out += "<tr>"
            for (n, text) in row.enumerated() { out += cell("td", text, alignments[n]) }
            if padded {
              for n in row.count..<header.count { out += cell("td", "", alignments[n]) }
            }
            out += "</tr>\n"
          }
          out += "</tbody>\n"
        }
        out += "</table>\n"
      case .rule:
        out += "<hr>\n"
      }
    }
  }

  // MARK: - Inline

  /// Renders inline Markdown (emphasis, code spans, links) with everything else escaped.
  static func inline(_ text: String) -> String {
    var parser = InlineParser(chars: Array(text))
    var out = ""
    parser.render(0..<parser.chars.count, depth: 0, into: &out)
    return out
  }

  static func appendEscaped(_ scalar: Unicode.Scalar, to out: inout String) {
    switch scalar {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    case "\n", "\t": out.unicodeScalars.append(scalar)
    default:
      if scalar.value < 0x20 || scalar.value == 0x7f || scalar == "\u{E000}" {
        out += "\u{FFFD}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }

  static func escape(_ c: Character, into out: inout String) {
    for scalar in c.unicodeScalars { appendEscaped(scalar, to: &out) }
  }

  /// A link target kept as a link: web and mail addresses and in-page anchors. Anything else
  /// (`javascript:`, `data:`, `file:`, relative paths that mean nothing in a standalone file)
  /// is dropped and the link's text kept.
  static func safeURL(_ url: String) -> Bool {
    guard !url.isEmpty, !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f }) else {
      return false
    }
    let lower = url.lowercased()
    return lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
      || (lower.hasPrefix("#") && lower.count > 1)
  }
}
