extension MarkdownHTML {
  /// Section text for the Markdown export, written from the blocks that `render` turns into HTML,
  /// so that both formats follow the same safety rules: no raw HTML (a `<` in text is escaped
  /// and reads as text), links only to `http`, `https`, `mailto` and `#` targets (others keep
  /// their text), images as their alt text in brackets. Copying the draft's lines instead let
  /// `<script>`, `<img onerror>`, comments and `javascript:` links through, and no line filter
  /// can tell where a reader will see code, HTML or a link; rewriting what this parser saw can.
  ///
  /// The structure is kept (headings moved `headingShift` levels down, paragraphs, lists,
  /// quotes, code, tables, rules), in one canonical spelling: ATX headings, `-`/`1.` lists,
  /// fenced code with a fence longer than any backtick run inside, tables with their rows as
  /// written (readers pad short rows themselves). Returns the lines, without line endings.
  static func markdown(_ blocks: [Block], headingShift: Int = 0) -> [String] {
    var lines: [String] = []
    emit(blocks, tight: false, shift: headingShift, into: &lines)
    return lines
  }

  /// Inline Markdown of one paragraph, heading or cell, escaped as `markdown(_:)` describes.
  static func inlineMarkdown(_ text: String) -> String {
    var parser = InlineParser(chars: Array(text), markdown: true)
    var out = ""
    parser.render(0..<parser.chars.count, depth: 0, into: &out)
    return out
  }

  /// The length of the longest run of `c` in `text` (0 when there is none).
  static func longestRun(of c: Character, in text: String) -> Int {
    var longest = 0
    var current = 0
    for ch in text {
      current = ch == c ? current + 1 : 0
      longest = max(longest, current)
    }
    return longest
  }

  /// A fenced code block holding `text` verbatim: the fence is longer than any backtick run in
  /// it, so nothing inside can close it early.
  static func fenced(_ text: String, info: String = "") -> [String] {
    let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: text) + 1))
    var body = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if body.last == "" { body.removeLast() }
    return [fence + info] + body + [fence]
  }

  private static func emit(_ blocks: [Block], tight: Bool, shift: Int, into lines: inout [String]) {
    var previous: Block?
    var alternated = false
    for block in blocks {
      if previous != nil, !tight { lines.append("") }
      switch block {
      case .heading(let level, let text):
        lines.append(String(repeating: "#", count: min(6, max(1, level + shift))) + " " + inlineMarkdown(text))
      case .paragraph(let text):
        lines += inlineMarkdown(text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      case .code(let text, let language):
        let safe = language.map {
          String($0.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "+-_".contains($0)) }.prefix(32))
        }
        lines += fenced(text, info: safe ?? "")
      case .quote(let inner):
        var body: [String] = []
        emit(inner, tight: false, shift: shift, into: &body)
        lines += body.map { $0.isEmpty ? ">" : "> " + $0 }
      case .list(let ordered, let start, let isTight, let items):
        // Two lists in a row are two lists only when their markers differ.
        var alternate = false
        if case .list(let before, _, _, _) = previous, before == ordered { alternate = !alternated }
        alternated = alternate
        for (n, item) in items.enumerated() {
          if n > 0, !isTight { lines.append("") }
          let marker = ordered ? "\(start + n)\(alternate ? ")" : ".")" : (alternate ? "*" : "-")
          var body: [String] = []
          emit(item, tight: isTight, shift: shift, into: &body)
          guard let first = body.first else {
            lines.append(marker)
            continue
          }
          let indent = String(repeating: " ", count: marker.count + 1)
          lines.append(marker + " " + first)
          lines += body.dropFirst().map { $0.isEmpty ? "" : indent + $0 }
        }
      case .table(let header, let alignments, let rows):
        func row(_ cells: [String]) -> String {
          "| " + cells.map { inlineMarkdown($0).replacingEvery("|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        lines.append(row(header))
        let separator = alignments.map { alignment -> String in
          switch alignment {
          case .none: return "---"
          case .left: return ":--"
          case .center: return ":-:"
          case .right: return "--:"
          }
        }
        lines.append("| " + separator.joined(separator: " | ") + " |")
        for cells in rows { lines.append(row(cells)) }
      case .rule:
        lines.append("---")
      }
      previous = block
    }
  }
}
