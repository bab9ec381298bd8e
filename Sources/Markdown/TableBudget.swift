internal import CCmarkGFM

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A bound on the empty cells cmark-gfm adds to tables.
///
/// cmark-gfm's table extension pads every short row to its header's width while it parses, so
/// one wide header over many one-cell rows costs rows × columns nodes (1,500 columns over 1,500
/// rows: 10 KB of Markdown made 22 MB of HTML, and more than that in memory). The version
/// Debian ships has no limit of its own, so this looks at the text before cmark-gfm does.
///
/// A run of non-blank lines with a table delimiter row in it (`|---|:-:|`) is measured: each
/// later line is charged the cells it lacks against the widest delimiter row above it in the
/// run, counting cells low (unescaped pipes minus the edges), so the charge is never less than
/// what cmark-gfm will pad. Runs are allowed, in order, up to 256 cells and one per byte of the
/// runs measured so far; a run that would need more has its delimiter rows escaped (`\|---|`),
/// which makes the table a paragraph of its text. Real tables are far inside the budget (a full
/// table needs no padding at all) and render as GitHub renders them.
enum TableBudget {
  /// `text` as it is, or with the delimiter rows of the tables over budget escaped.
  static func limit(_ text: String) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var runs: [(delimiters: [Int], padding: Int, bytes: Int)] = []
    var start = 0
    while start < lines.count {
      guard !isBlank(lines[start]) else {
        start += 1
        continue
      }
      var end = start
      var delimiters: [Int] = []
      var width = 0
      var padding = 0
      var bytes = 0
      while end < lines.count, !isBlank(lines[end]) {
        let line = lines[end]
        bytes += line.utf8.count + 1
        if end > start, let columns = delimiterColumns(line) {
          delimiters.append(end)
          width = max(width, columns)
        } else if width > 0 {
          padding += max(0, width - lowCellCount(line))
        }
        end += 1
      }
      if !delimiters.isEmpty { runs.append((delimiters, padding, bytes)) }
      start = end
    }
    var budget = 256
    var escape: [Int] = []
    for run in runs {
      budget += run.bytes
      if run.padding <= budget {
        budget -= run.padding
      } else {
        escape += run.delimiters
      }
    }
    guard !escape.isEmpty else { return text }
    let inParagraphs = paragraphLines(text)
    var out = lines.map(String.init)
    for n in escape where inParagraphs.contains(n) {
      // After the line's container marks (`>` and indentation), a backslash: `\|` and `\-` read
      // as the characters they escape, so the paragraph shows the row as written.
      let line = out[n]
      let prefix = line.unicodeScalars.prefix { $0 == " " || $0 == "\t" || $0 == ">" }.count
      let index = line.unicodeScalars.index(line.unicodeScalars.startIndex, offsetBy: prefix)
      out[n] = String(line.unicodeScalars[..<index]) + "\\" + String(line.unicodeScalars[index...])
    }
    return out.joined(separator: "\n")
  }

  private static func isBlank(_ line: Substring) -> Bool {
    line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x3E }  // spaces, tabs and `>`
  }

  /// The columns of a delimiter row (cells of dashes with optional colons, split by pipes, at
  /// least one pipe), counted high; nil for any other line.
  private static func delimiterColumns(_ line: Substring) -> Int? {
    var pipes = 0
    var dashes = false
    for byte in line.utf8 {
      switch byte {
      case 0x7C: pipes += 1
      case 0x2D: dashes = true
      case 0x3A, 0x20, 0x09, 0x3E: break
      default: return nil
      }
    }
    return pipes > 0 && dashes ? pipes + 1 : nil
  }

  /// The cells of a row counted low: unescaped pipes, less the leading and trailing ones.
  private static func lowCellCount(_ line: Substring) -> Int {
    var pipes = 0
    var escaped = false
    for byte in line.utf8 {
      if byte == 0x7C, !escaped { pipes += 1 }
      escaped = byte == 0x5C && !escaped
    }
    return max(1, pipes - 1)
  }

  /// The (0-based) lines that continue a paragraph when tables are not parsed: only there can a
  /// line be a table's delimiter row, and escaping it anywhere else (in code) would show.
  private static func paragraphLines(_ text: String) -> Set<Int> {
    let parser = MarkdownDocument.parser(tables: false)
    defer { cmark_parser_free(parser) }
    text.withCString { cmark_parser_feed(parser, $0, strlen($0)) }
    let root = cmark_parser_finish(parser)!
    defer { cmark_node_free(root) }
    var lines: Set<Int> = []
    let iterator = cmark_iter_new(root)!
    defer { cmark_iter_free(iterator) }
    while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
      let node = cmark_iter_get_node(iterator)!
      guard event == CMARK_EVENT_ENTER, cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH else { continue }
      let first = Int(cmark_node_get_start_line(node))
      let last = Int(cmark_node_get_end_line(node))
      // cmark counts lines from 1; a delimiter row is never a paragraph's first line.
      if last > first { for line in first..<last { lines.insert(line) } }
    }
    return lines
  }
}
