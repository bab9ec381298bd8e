import YAML

/// Text extracted from an input, with the map from its locators (pages, paragraphs, headings) to
/// lines of that text. Stored as `inputs/<id>/text.txt` and `inputs/<id>/locators.yaml`, so a
/// citation can be resolved to its excerpt from any revision with nothing but the tree.
public struct ExtractedText: Sendable {
  /// A heading: its path from the top (`["Findings", "Lifts"]`), its level, and the lines it
  /// covers (the heading line up to the next heading of the same or a higher level).
  public struct Heading: Equatable, Sendable {
    public var path: [String]
    public var level: Int
    public var lines: ClosedRange<Int>

    public init(path: [String], level: Int, lines: ClosedRange<Int>) {
      self.path = path
      self.level = level
      self.lines = lines
    }
  }

  /// A paragraph (numbered from 1 in `paragraphs` order) and the heading path it sits under.
  public struct Paragraph: Equatable, Sendable {
    public var lines: ClosedRange<Int>
    public var heading: [String]

    public init(lines: ClosedRange<Int>, heading: [String]) {
      self.lines = lines
      self.heading = heading
    }
  }

  /// The lines of `text.txt`, without their newlines.
  public private(set) var lines: [String] = []
  /// Page `i + 1`'s lines; nil for a page with no text (a scanned image, a blank page).
  public private(set) var pages: [ClosedRange<Int>?] = []
  public private(set) var paragraphs: [Paragraph] = []
  public private(set) var headings: [Heading] = []
  /// Whether pages are the input's own (PDF) rather than absent.
  public private(set) var paged = false
  /// The open headings; `pathBytes` bounds what the path down to this one takes in
  /// `locators.yaml`, where every paragraph under it repeats it.
  private var stack: [(level: Int, text: String, index: Int, pathBytes: Int)] = []
  /// Pages, paragraphs and headings so far.
  private(set) var locatorCount = 0
  /// An upper bound on the bytes of `locators.yaml` for what has been added so far.
  private(set) var locatorBytes = ExtractedText.documentBytes

  /// The text as `text.txt` stores it: every line ends with a newline.
  public var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

  // MARK: - Limits

  /// The most pages, paragraphs and headings (together) one input may have. Far beyond a real
  /// report, and small enough that extraction stays quick and `locators.yaml` reads back: each
  /// locator is at most `nodesPerLocator` YAML nodes, so the map stays far inside the reader's
  /// node limit (`Limits.maxNodes`; a test checks that relationship).
  static let maxLocators = 10_000
  /// The most bytes `locators.yaml` may take by the bound `locatorBytes` keeps: half of what the
  /// YAML reader accepts (`Limits.maxDocumentBytes`), so that what is stored always reads back.
  static let maxLocatorBytes = Limits.default.maxDocumentBytes / 2
  /// The most YAML nodes one locator takes: a heading is a mapping, three keys, a path of up to
  /// six titles (levels are 1 to 6, and an open heading's children are deeper), a level, and a
  /// span of two numbers.
  static let nodesPerLocator = 1 + 3 + 1 + 6 + 1 + 1 + 2
  /// Bounds on the parts of `locators.yaml` outside the titles: the keys and the format line,
  /// and one locator's keys, indentation and two numbers of up to 20 digits.
  static let documentBytes = 128
  static let locatorOverheadBytes = 96
  /// A title in a path: its emitted form (`YAML.emit`, newline included) after `  - `.
  static func titleBytes(_ title: String) -> Int { 4 + YAML.emit(.string(title)).utf8.count }

  /// Counts one more locator of `bytes` (beyond the fixed overhead), or says why the input has
  /// more than Casebook stores. Checked as each is added, so a hostile input stops early.
  private mutating func count(_ bytes: Int) throws(LocatorOverflow) {
    locatorCount += 1
    locatorBytes += Self.locatorOverheadBytes + bytes
    guard locatorCount <= Self.maxLocators else {
      throw LocatorOverflow(
        "it has more than \(Self.maxLocators) pages, paragraphs and headings, the most Casebook indexes for one input; split it into smaller files"
      )
    }
    guard locatorBytes <= Self.maxLocatorBytes else {
      throw LocatorOverflow(
        "its headings are too long to index: the map of its paragraphs and headings would pass \(Self.maxLocatorBytes >> 20) MiB; shorten the headings or split the file"
      )
    }
  }

  /// Opens a heading: counts it, then pushes it on the stack.
  private mutating func open(_ heading: Heading, title: String) throws(LocatorOverflow) {
    let pathBytes = (stack.last?.pathBytes ?? 0) + Self.titleBytes(title)
    try count(pathBytes)
    headings.append(heading)
    stack.append((heading.level, title, headings.count - 1, pathBytes))
  }

  /// Adds a paragraph under the open headings, counted.
  private mutating func addParagraph(_ lines: ClosedRange<Int>) throws(LocatorOverflow) {
    try count(stack.last?.pathBytes ?? 0)
    paragraphs.append(Paragraph(lines: lines, heading: stack.map(\.text)))
  }

  // MARK: - Building

  /// Text whose lines are the input's own (plain text, Markdown): `L` locators are the file's lines.
  public init(verbatim text: String) {
    guard !text.isEmpty else { return }
    // `\r\n` is one Character in Swift, so both line ends are split on.
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      .map(String.init)
    if text.last == "\n" || text.last == "\r\n" { lines.removeLast() }
    self.lines = lines
  }

  /// An empty text to build with `heading`, `paragraph` and `page`.
  init() {}

  /// Text read back as it was stored: its lines and its locators. The caller has checked that
  /// every range lies within `lines`.
  public init(
    lines: [String], paged: Bool, pages: [ClosedRange<Int>?], paragraphs: [Paragraph], headings: [Heading]
  ) {
    self.lines = lines
    self.paged = paged
    self.pages = pages
    self.paragraphs = paragraphs
    self.headings = headings
  }

  /// Adds a heading line (Markdown style, so the text reads well) and opens its section.
  mutating func heading(level: Int, _ raw: String) throws(LocatorOverflow) {
    let title = Self.collapse(raw)
    guard !title.isEmpty else { return }
    let level = min(max(level, 1), 6)
    closeHeadings(atOrAbove: level)
    separate()
    lines.append(String(repeating: "#", count: level) + " " + title)
    try open(Heading(path: stack.map(\.text) + [title], level: level, lines: lines.count...lines.count), title: title)
  }

  /// Adds a paragraph (its own lines, whitespace within each line collapsed).
  mutating func paragraph(_ raw: String) throws(LocatorOverflow) {
    let body = raw.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { Self.collapse(String($0)) }.filter {
      !$0.isEmpty
    }
    guard !body.isEmpty else { return }
    separate()
    let first = lines.count + 1
    lines += body
    try addParagraph(first...lines.count)
  }

  /// Adds a page of text as it is (PDF): its lines, trailing blank lines dropped.
  mutating func page(_ raw: String) throws(LocatorOverflow) {
    paged = true
    try count(0)
    var body = raw.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      .map(String.init)
    while let last = body.last, last.isOnlySpaces { body.removeLast() }
    guard !body.isEmpty else {
      pages.append(nil)
      return
    }
    let first = lines.count + 1
    lines += body
    pages.append(first...lines.count)
  }

  /// Closes every open heading; call once the input's text is complete.
  mutating func finish() { closeHeadings(atOrAbove: 1) }

  private mutating func closeHeadings(atOrAbove level: Int) {
    while let top = stack.last, top.level >= level {
      let start = headings[top.index].lines.lowerBound
      var end = lines.count
      while end > start, lines[end - 1].isEmpty { end -= 1 }
      headings[top.index].lines = start...max(start, end)
      stack.removeLast()
    }
  }

  private mutating func separate() {
    if let last = lines.last, !last.isEmpty { lines.append("") }
  }

  static func collapse(_ s: String) -> String {
    s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }

  // MARK: - Markdown and plain text

  /// Markdown: the file's own lines, `#` headings (outside code fences) and paragraphs (runs of
  /// non-blank lines that are not headings; each list item is one; a fenced block is one).
  static func markdown(_ text: String) throws(LocatorOverflow) -> ExtractedText {
    var out = ExtractedText(verbatim: text)
    try out.scanBlocks(headings: true)
    return out
  }

  /// Plain text: the file's own lines, and paragraphs separated by blank lines.
  static func plain(_ text: String) throws(LocatorOverflow) -> ExtractedText {
    var out = ExtractedText(verbatim: text)
    try out.scanBlocks(headings: false)
    return out
  }

  private mutating func scanBlocks(headings withHeadings: Bool) throws(LocatorOverflow) {
    var start: Int?
    var fence: Substring?
    func close(_ end: Int) throws(LocatorOverflow) {
      if let s = start { try addParagraph(s...end) }
      start = nil
    }
    for (offset, line) in lines.enumerated() {
      let number = offset + 1
      let trimmed = line.drop(while: { $0 == " " })
      if withHeadings, let open = fence {
        if trimmed.hasPrefix(open) {
          fence = nil
          try close(number)
        }
        continue
      }
      if withHeadings, line.count - trimmed.count < 4, trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
        try close(number - 1)
        fence = trimmed.prefix(3)
        start = number
        continue
      }
      if withHeadings, let level = Self.atxLevel(trimmed) {
        try close(number - 1)
        let title = Self.collapse(
          Self.withoutClosingHashes(String(trimmed.dropFirst(level)))
        )
        closeHeadings(atOrAbove: level, endingAt: number - 1)
        if !title.isEmpty {
          try open(Heading(path: stack.map(\.text) + [title], level: level, lines: number...number), title: title)
        }
        continue
      }
      if trimmed.isEmpty {
        try close(number - 1)
      } else if start == nil {
        start = number
      } else if withHeadings, line.count - trimmed.count < 2, Self.isListItem(trimmed) {
        // Each item of a list is a paragraph of its own: what a citation usually points at.
        try close(number - 1)
        start = number
      }
    }
    try close(lines.count)
    closeHeadings(atOrAbove: 1, endingAt: lines.count)
  }

  private mutating func closeHeadings(atOrAbove level: Int, endingAt last: Int) {
    while let top = stack.last, top.level >= level {
      let start = headings[top.index].lines.lowerBound
      var end = last
      while end > start, lines[end - 1].isOnlySpaces { end -= 1 }
      headings[top.index].lines = start...max(start, end)
      stack.removeLast()
    }
  }

  /// Whether a line starts a list item: `- `, `* `, `+ `, `1. ` or `1) `.
  static func isListItem(_ line: Substring) -> Bool {
    if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return true }
    let digits = line.prefix(while: { $0.isASCII && $0.isNumber })
    guard (1...9).contains(digits.count) else { return false }
    let rest = line.dropFirst(digits.count)
    return rest.hasPrefix(". ") || rest.hasPrefix(") ")
  }

  /// An ATX heading's text without its optional closing sequence: white space, then `#`s, then
  /// white space to the end (what the pattern `\s#+\s*$` removes).
  static func withoutClosingHashes(_ text: String) -> String {
    let characters = Array(text)
    var end = characters.count
    while end > 0, characters[end - 1].isWhitespace { end -= 1 }
    var hashes = end
    while hashes > 0, characters[hashes - 1] == "#" { hashes -= 1 }
    guard hashes < end, hashes > 0, characters[hashes - 1].isWhitespace else { return text }
    return String(characters[..<(hashes - 1)])
  }

  /// The level of an ATX heading line (`## Title`), or nil.
  static func atxLevel(_ line: Substring) -> Int? {
    let hashes = line.prefix(while: { $0 == "#" }).count
    guard (1...6).contains(hashes) else { return nil }
    let rest = line.dropFirst(hashes)
    guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
    return hashes
  }
}

// MARK: - Locators

/// A place in an input's text, as a citation gives it after `INPUT:`.
///
/// - `L12`, `L12-18`: lines of the extracted text (`text.txt`), for every input with text;
/// - `p3`, `p3-5`: pages, for PDF;
/// - `para12`, `para12-14`: paragraphs, numbered from 1, for Markdown, plain text, HTML and DOCX;
/// - `#Heading/Subheading`: a heading path, for Markdown, HTML and DOCX. Matched ignoring case and
///   runs of spaces; leading headings may be left out when the rest names one heading.
enum Locator: Equatable {
  case lines(ClosedRange<Int>)
  case pages(ClosedRange<Int>)
  case paragraphs(ClosedRange<Int>)
  case heading([String])

  /// Parses a locator, or nil when it is none of the forms above.
  init?(_ text: String) {
    if text.hasPrefix("#") {
      let path = text.dropFirst().split(separator: "/").map { ExtractedText.collapse(String($0)) }.filter {
        !$0.isEmpty
      }
      guard !path.isEmpty else { return nil }
      self = .heading(path)
      return
    }
    for (prefix, make) in [("para", Locator.paragraphs), ("L", Locator.lines), ("p", Locator.pages)] {
      guard text.hasPrefix(prefix), let range = Self.range(text.dropFirst(prefix.count)) else { continue }
      self = make(range)
      return
    }
    return nil
  }

  /// `12` or `12-18`, both at least 1, from ≤ to.
  private static func range(_ text: Substring) -> ClosedRange<Int>? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2,
      parts.allSatisfy({ (1...9).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
      let from = Int(parts[0]), let to = Int(parts[parts.count - 1]), from >= 1, to >= from
    else { return nil }
    return from...to
  }
}

extension ExtractedText {
  /// The locator forms this text answers, for messages.
  public var locatorForms: String {
    var forms = ["L<line>[-<line>] (1-\(lines.count))"]
    if paged { forms.append("p<page>[-<page>] (1-\(pages.count))") }
    if !paragraphs.isEmpty { forms.append("para<n>[-<n>] (1-\(paragraphs.count))") }
    if !headings.isEmpty { forms.append("#<heading>[/<subheading>]") }
    return forms.joined(separator: ", ")
  }

  /// The ranges and headings a citation may name, for `input show`.
  public var locatorSummary: [String] {
    var out: [String] = []
    if !lines.isEmpty { out.append("L1-\(lines.count)") }
    if paged, !pages.isEmpty { out.append("p1-\(pages.count)") }
    if !paragraphs.isEmpty { out.append("para1-\(paragraphs.count)") }
    out += headings.map { "#" + $0.path.joined(separator: "/") }
    return out
  }

  /// The lines a locator points to, or an error message saying why it does not resolve.
  public func resolve(_ locator: String) -> Result<ClosedRange<Int>?, LocatorError> {
    guard let parsed = Locator(locator) else {
      return .failure(LocatorError("'\(locator)' is not a locator this input has; use \(locatorForms)"))
    }
    switch parsed {
    case .lines(let range):
      guard range.upperBound <= lines.count else {
        return .failure(LocatorError("locator \(locator) is outside the input's \(lines.count) lines"))
      }
      return .success(range)
    case .pages(let range):
      guard paged else {
        return .failure(LocatorError("locator \(locator): this input has no pages; use \(locatorForms)"))
      }
      guard range.upperBound <= pages.count else {
        return .failure(LocatorError("locator \(locator) is outside the input's \(pages.count) pages"))
      }
      let spans = pages[(range.lowerBound - 1)..<range.upperBound].compactMap { $0 }
      guard let first = spans.first, let last = spans.last else { return .success(nil) }
      return .success(first.lowerBound...last.upperBound)
    case .paragraphs(let range):
      guard !paragraphs.isEmpty else {
        return .failure(LocatorError("locator \(locator): this input has no paragraphs; use \(locatorForms)"))
      }
      guard range.upperBound <= paragraphs.count else {
        return .failure(LocatorError("locator \(locator) is outside the input's \(paragraphs.count) paragraphs"))
      }
      return .success(
        paragraphs[range.lowerBound - 1].lines.lowerBound...paragraphs[range.upperBound - 1].lines.upperBound)
    case .heading(let path):
      guard !headings.isEmpty else {
        return .failure(LocatorError("locator \(locator): this input has no headings; use \(locatorForms)"))
      }
      // Compared as joined paths, so a heading that itself contains "/" can still be named.
      let want = path.joined(separator: "/").lowercased()
      let have = headings.map { $0.path.joined(separator: "/").lowercased() }
      if let exact = have.firstIndex(of: want) { return .success(headings[exact].lines) }
      let tails = have.indices.filter { have[$0].hasSuffix("/" + want) }
      if tails.count == 1 { return .success(headings[tails[0]].lines) }
      if tails.count > 1 {
        let names = tails.prefix(5).map { "#" + headings[$0].path.joined(separator: "/") }
        return .failure(
          LocatorError("locator \(locator) names more than one heading: \(names.joined(separator: ", "))"))
      }
      let known = headings.prefix(8).map { "#" + $0.path.joined(separator: "/") }.joined(separator: ", ")
      return .failure(
        LocatorError("locator \(locator): no such heading; the input has \(known)\(headings.count > 8 ? ", …" : "")"))
    }
  }

  /// The text of `range`, whitespace collapsed, cut to about `limit` characters at a word.
  public func excerpt(_ range: ClosedRange<Int>, limit: Int = 400) -> String {
    let upper = min(range.upperBound, lines.count)
    guard range.lowerBound <= upper else { return "" }
    var picked = Array(lines[(range.lowerBound - 1)..<upper])
    // A heading's section reads better without its own `#` line, when it has a body.
    if picked.count > 1, let first = picked.first, ExtractedText.atxLevel(Substring(first)) != nil,
      headings.contains(where: { $0.lines.lowerBound == range.lowerBound })
    {
      picked.removeFirst()
    }
    let text = ExtractedText.collapse(picked.joined(separator: " "))
    guard text.count > limit else { return text }
    var cut = String(text.prefix(limit))
    if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > limit / 2 {
      cut = String(cut[..<space])
    }
    return cut + " …"
  }
}

/// Why an input's text is not stored: it has more pages, paragraphs and headings than
/// `locators.yaml` may hold (`ExtractedText.maxLocators`, `maxLocatorBytes`).
struct LocatorOverflow: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

/// Why a locator does not resolve; the message names the locator and what would.
public struct LocatorError: Error, Sendable {
  public let message: String
  init(_ message: String) { self.message = message }
}
