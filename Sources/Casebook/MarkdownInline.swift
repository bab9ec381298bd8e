/// The inline pass of `MarkdownHTML`: code spans, emphasis, links and autolinks over one
/// paragraph's characters, everything else escaped.
///
/// It writes HTML, or (`markdown`) Markdown that any CommonMark reader takes for the same
/// inline structure: what this pass saw as text is escaped so that no reader finds raw HTML, an
/// autolink, a link or an entity in it, and links are written only for the targets HTML keeps.
///
/// Work stays near linear on hostile input: a search for a closing delimiter that fails is
/// remembered for the rest of the scan (a later opener of the same kind cannot succeed either),
/// link text is looked for within a bounded window, and nesting stops at a fixed depth.
struct InlineParser {
  let chars: [Character]
  /// Whether the output is Markdown rather than HTML.
  let markdown: Bool
  /// Delimiter kinds (`*1`, `_2`, `` `3 ``…) known to have no closer after the scan position.
  private var exhausted: Set<String> = []

  static let maxDepth = 16
  /// Longest link destination or title looked for; a longer one is text. Keeps a paragraph
  /// of unclosed `[x](` from costing its length squared.
  static let linkWindow = 512

  /// For each `[`, the index of its matching `]` (-1 when none), found in one pass with a stack
  /// so that looking for link text never rescans the paragraph.
  private let closing: [Int]
  /// The last `)`: a link opening after it cannot close.
  private let lastParen: Int
  /// Where each run of backticks starts, by the run's length, in order: a code span's closer is
  /// the next run of its opener's length, found here by a binary search. Scanning for it instead
  /// made a paragraph of runs of 1, 2, 3… backticks cost its length to the power 1.5.
  private let backtickRuns: [Int: [Int]]

  init(chars: [Character], markdown: Bool = false) {
    self.chars = chars
    self.markdown = markdown
    var closing = [Int](repeating: -1, count: chars.count)
    var open: [Int] = []
    var i = 0
    while i < chars.count {
      switch chars[i] {
      case "\\": i += 1
      case "[": open.append(i)
      case "]": if let start = open.popLast() { closing[start] = i }
      default: break
      }
      i += 1
    }
    self.closing = closing
    lastParen = chars.lastIndex(of: ")") ?? -1
    var runs: [Int: [Int]] = [:]
    i = 0
    while i < chars.count {
      guard chars[i] == "`" else {
        i += 1
        continue
      }
      var j = i
      while j < chars.count, chars[j] == "`" { j += 1 }
      runs[j - i, default: []].append(i)
      i = j
    }
    backtickRuns = runs
  }

  mutating func render(_ range: Range<Int>, depth: Int, into out: inout String) {
    let saved = exhausted
    exhausted = []
    defer { exhausted = saved }
    var i = range.lowerBound
    let end = range.upperBound
    while i < end {
      let c = chars[i]
      if depth >= Self.maxDepth {
        text(at: i, into: &out)
        i += 1
        continue
      }
      switch c {
      case MarkdownHTML.hardBreak:
        out += markdown ? "\\" : "<br>"
        i += 1
      case "\\":
        if i + 1 < end, chars[i + 1].isASCII, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
          if markdown {
            out += "\\"
            out.append(chars[i + 1])
          } else {
            MarkdownHTML.escape(chars[i + 1], into: &out)
          }
          i += 2
        } else {
          // A backslash before anything else is text; in Markdown it is doubled so that it can
          // never be read as an escape or a hard break next to what this pass writes.
          out += markdown ? "\\\\" : "\\"
          i += 1
        }
      case "`":
        i = codeSpan(at: i, end: end, into: &out)
      case "*", "_":
        i = emphasis(at: i, end: end, depth: depth, into: &out)
      case "!" where i + 1 < end && chars[i + 1] == "[":
        if let link = link(at: i + 1, end: end) {
          // Images are never loaded: the export is self-contained, so the alt text stands in.
          out += markdown ? "\\[" : "<span class=\"image\">["
          render(link.text, depth: depth + 1, into: &out)
          out += markdown ? "\\]" : "]</span>"
          i = link.next
        } else {
          out += "!"
          i += 1
        }
      case "[":
        if let link = link(at: i, end: end) {
          if MarkdownHTML.safeURL(link.url), markdown {
            out += "["
            render(link.text, depth: depth + 1, into: &out)
            out += "](\(Self.destination(link.url)))"
          } else if MarkdownHTML.safeURL(link.url) {
            out += "<a href=\"\(MarkdownHTML.escape(link.url))\">"
            render(link.text, depth: depth + 1, into: &out)
            out += "</a>"
          } else {
            render(link.text, depth: depth + 1, into: &out)
          }
          i = link.next
        } else {
          out += markdown ? "\\[" : "["
          i += 1
        }
      case "<":
        i = autolink(at: i, end: end, into: &out)
      default:
        text(at: i, into: &out)
        i += 1
      }
    }
  }

  /// The character at `i` as text. In Markdown, the characters that could start markup a
  /// reader would act on are escaped: `<` (raw HTML, autolinks), `[` and `]` (links, link
  /// reference definitions, footnotes), backticks (code spans) and `&` before something that
  /// reads as an entity.
  private func text(at i: Int, into out: inout String) {
    let c = chars[i]
    guard markdown else { return MarkdownHTML.escape(c, into: &out) }
    switch c {
    case "<", "[", "]", "`", "\\": out += "\\"
    case "&" where entity(at: i): out += "\\"
    case MarkdownHTML.hardBreak: return
    default:
      if c.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7f }) {
        out += "\u{FFFD}"
        return
      }
    }
    out.append(c)
  }

  /// Whether an entity or numeric character reference (`&amp;`, `&#60;`, `&#x3c;`) starts at `i`.
  private func entity(at i: Int) -> Bool {
    var j = i + 1
    while j < chars.count, j < i + 34, chars[j].isASCII, chars[j].isLetter || chars[j].isNumber || chars[j] == "#" {
      j += 1
    }
    return j > i + 1 && j < chars.count && chars[j] == ";"
  }

  /// A kept link target written as a Markdown destination that reads back as exactly `url`:
  /// every character a reader would take as an escape, an entity or the end of the destination
  /// is backslash-escaped. `safeURL` has already refused spaces and control characters.
  static func destination(_ url: String) -> String {
    var out = ""
    for c in url {
      if "\\()<>&`*_[]\"'".contains(c) { out += "\\" }
      out.append(c)
    }
    return out
  }

  private func run(at i: Int, end: Int) -> Int {
    var j = i
    while j < end, chars[j] == chars[i] { j += 1 }
    return j - i
  }

  private func codeSpan(at i: Int, end: Int, into out: inout String) -> Int {
    let count = run(at: i, end: end)
    if let j = closingRun(count, after: i + count), j < end {
      var text = String(chars[(i + count)..<j]).replacingEvery("\n", with: " ")
        .replacingEvery(String(MarkdownHTML.hardBreak), with: "")
      if text.count >= 2, text.hasPrefix(" "), text.hasSuffix(" "), text.contains(where: { $0 != " " }) {
        text = String(text.dropFirst().dropLast())
      }
      if markdown {
        // Delimiters longer than any run inside, and a space each side when the text starts or
        // ends with a backtick or with spaces a reader would strip.
        let fence = String(repeating: "`", count: MarkdownHTML.longestRun(of: "`", in: text) + 1)
        let pad =
          text.hasPrefix("`") || text.hasSuffix("`")
            || (text.hasPrefix(" ") && text.hasSuffix(" ") && text.contains { $0 != " " }) ? " " : ""
        out += fence + pad + text + pad + fence
      } else {
        out += "<code>\(MarkdownHTML.escape(text))</code>"
      }
      return j + count
    }
    out += String(repeating: markdown ? "\\`" : "`", count: count)
    return i + count
  }

  /// The start of the first whole run of exactly `count` backticks at or after `start`.
  private func closingRun(_ count: Int, after start: Int) -> Int? {
    guard let starts = backtickRuns[count] else { return nil }
    var low = 0
    var high = starts.count
    while low < high {
      let mid = (low + high) / 2
      if starts[mid] < start { low = mid + 1 } else { high = mid }
    }
    return low < starts.count ? starts[low] : nil
  }

  private mutating func emphasis(at i: Int, end: Int, depth: Int, into out: inout String) -> Int {
    let c = chars[i]
    let count = run(at: i, end: end)
    let before: Character? = i > 0 ? chars[i - 1] : nil
    let after: Character? = i + count < end ? chars[i + count] : nil
    // `_` inside a word (snake_case) is text; an opener must be followed by non-space.
    let opens =
      count <= 2 && after.map { !$0.isWhitespace } == true
      && (c == "*" || before.map { !($0.isLetter || $0.isNumber) } ?? true)
    let key = "\(c)\(count)"
    if opens, !exhausted.contains(key) {
      var j = i + count
      while j < end {
        if chars[j] == "`" {
          j += run(at: j, end: end)  // a delimiter inside a code span does not close
          continue
        }
        guard chars[j] == c else {
          j += 1
          continue
        }
        let closing = run(at: j, end: end)
        let prior = chars[j - 1]
        let next: Character? = j + closing < end ? chars[j + closing] : nil
        if closing == count, !prior.isWhitespace, j > i + count,
          c == "*" || next.map({ !($0.isLetter || $0.isNumber) }) ?? true
        {
          let tag = count == 2 ? "strong" : "em"
          let delimiter = String(repeating: c, count: count)
          out += markdown ? delimiter : "<\(tag)>"
          render((i + count)..<j, depth: depth + 1, into: &out)
          out += markdown ? delimiter : "</\(tag)>"
          return j + closing
        }
        j += closing
      }
      exhausted.insert(key)
    }
    for n in 0..<count { text(at: i + n, into: &out) }
    return i + count
  }

  /// `[text](url "title")` starting at the `[` at `i`: the text's range, the url and where the
  /// link ends; nil when it is not a well-formed inline link.
  private func link(at i: Int, end: Int) -> (text: Range<Int>, url: String, next: Int)? {
    let close = closing[i]
    guard close > i, close + 1 < end, chars[close + 1] == "(", close + 2 <= lastParen else { return nil }
    var k = close + 2
    while k < end, chars[k] == " " || chars[k] == "\n" { k += 1 }
    var url = ""
    if k < end, chars[k] == "<" {
      k += 1
      while k < end, chars[k] != ">", chars[k] != "\n" {
        url.append(chars[k])
        k += 1
      }
      guard k < end, chars[k] == ">" else { return nil }
      k += 1
    } else {
      var parens = 0
      while k < end, k < close + 2 + Self.linkWindow {
        let ch = chars[k]
        if ch == " " || ch == "\n" || ch.unicodeScalars.first!.value < 0x20 { break }
        if ch == "\\", k + 1 < end, chars[k + 1].isPunctuation || chars[k + 1].isSymbol {
          url.append(chars[k + 1])
          k += 2
          continue
        }
        if ch == "(" { parens += 1 }
        if ch == ")" {
          if parens == 0 { break }
          parens -= 1
        }
        url.append(ch)
        k += 1
      }
    }
    while k < end, chars[k] == " " || chars[k] == "\n" { k += 1 }
    // An optional title, which the export does not show.
    if k < end, let quote = Self.titleClose(chars[k]) {
      var m = k + 1
      while m < end, m < k + Self.linkWindow, chars[m] != quote { m += 1 }
      guard m < end else { return nil }
      k = m + 1
      while k < end, chars[k] == " " || chars[k] == "\n" { k += 1 }
    }
    guard k < end, chars[k] == ")" else { return nil }
    return ((i + 1)..<close, url, k + 1)
  }

  private static func titleClose(_ open: Character) -> Character? {
    switch open {
    case "\"": return "\""
    case "'": return "'"
    case "(": return ")"
    default: return nil
    }
  }

  private func autolink(at i: Int, end: Int, into out: inout String) -> Int {
    var j = i + 1
    var url = ""
    while j < end, j < i + 500, chars[j] != ">", chars[j] != "<", !chars[j].isWhitespace {
      url.append(chars[j])
      j += 1
    }
    let lower = url.lowercased()
    if j < end, chars[j] == ">",
      lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:"),
      MarkdownHTML.safeURL(url)
    {
      if markdown {
        out += "<\(url)>"
      } else {
        let shown = lower.hasPrefix("mailto:") ? String(url.dropFirst("mailto:".count)) : url
        out += "<a href=\"\(MarkdownHTML.escape(url))\">\(MarkdownHTML.escape(shown))</a>"
      }
      return j + 1
    }
    out += markdown ? "\\<" : "&lt;"
    return i + 1
  }
}
