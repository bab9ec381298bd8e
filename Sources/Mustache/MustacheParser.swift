/// Parses the Mustache that skeletons are written in: variables, dotted names, `{{.}}`, sections,
/// inverted sections, comments, partials (which print nothing) and the `CONTENT_TYPE: TEXT`
/// pragma, with the spec's standalone-line rule.
///
/// It follows swift-mustache's parser (hummingbird-project/swift-mustache 2.1) step for step,
/// on characters as it does, because Casebook rendered skeletons with it before and projects keep
/// their skeletons: the same text must give the same draft. It parts from it only to refuse what
/// swift-mustache would take but skeletons do not offer (set delimiters, inheritance, transforms,
/// pragmas other than `CONTENT_TYPE: TEXT`, empty or oddly dotted names, deep nesting), to refuse
/// a `{{` that it would silently drop (at the very end, or before a line break), and in three
/// places where it strays from the spec (see `block`).
///
/// No Foundation, not even FoundationEssentials: nothing here needs it, so nothing here can pull
/// in swift-corelibs-foundation by accident.
public struct MustacheParser {
  /// How deep sections may nest. The parser and the renderer recurse once per level, so a
  /// template of a few thousand nested sections would overflow the stack; skeletons nest two or
  /// three deep.
  public static let maximumDepth = 32

  private let source: String
  private var position: String.Index

  private init(_ source: String) {
    self.source = source
    position = source.startIndex
  }

  /// The template `source` as a tree of nodes.
  public static func parse(_ source: String) throws(MustacheSyntaxError) -> [MustacheNode] {
    var parser = MustacheParser(source)
    do {
      return try parser.block(closing: nil, newLine: true, depth: 0)
    } catch {
      throw MustacheSyntaxError(error.problem, at: error.index, in: source)
    }
  }

  /// A problem and where it is; turned into line and column once, when it is thrown out.
  private struct Failure: Error {
    let problem: MustacheSyntaxError.Problem
    let index: String.Index
  }

  /// The nodes up to the tag that closes section `closing`, or to the end of the text.
  ///
  /// `newLine` says the parser stands at the start of a line, where leading spaces and tabs are
  /// held back until it is known whether the line is a standalone tag (dropped whole) or not.
  /// As in swift-mustache, after a section the flag is the one its opening tag left, and a line
  /// of spaces and tabs at the very end of the text is dropped; both are kept so that drafts stay
  /// the same. Two things differ from it, as the spec has them: the first line is a line like any
  /// other (Casebook's `CONTENT_TYPE` pragma, prepended on that line, made swift-mustache treat
  /// it as the middle of a line), and a standalone partial loses its indentation with its line
  /// (swift-mustache kept the indentation, glued to the next line, since no partial exists).
  private mutating func block(closing: Substring?, newLine startsLine: Bool, depth: Int) throws(Failure)
    -> [MustacheNode]
  {
    var nodes: [MustacheNode] = []
    var newLine = startsLine
    var indent: Substring = ""

    // Text gathers here and becomes one node before the next tag's node (appending to the last
    // node's string instead would copy all the text so far on every line).
    var pending = ""
    func append(_ text: some StringProtocol) { pending += text }
    func flushText() {
      if !pending.isEmpty { nodes.append(.text(pending)) }
      pending = ""
    }
    func flushIndent() {
      append(indent)
      indent = ""
    }

    while position < source.endIndex {
      if newLine { indent = read { $0 == " " || $0 == "\t" } }
      let (text, tag) = readText()
      if tag == nil, let character = current, character == "\n" || character == "\r\n" {
        append(indent)
        append(text)
        append(String(character))
        advance()
        newLine = true
        continue
      }
      if !text.isEmpty {
        append(indent)
        append(text)
        indent = ""
        newLine = false
      }
      guard let tag else { break }
      guard let sigil = current else { throw Failure(problem: .textEndsInTag, index: position) }
      if sigil.isNewline { throw Failure(problem: .unfinishedTag, index: tag) }

      var standalone = false
      switch sigil {
      case "#", "^":
        advance()
        let name = try checked(readName(), tag: tag)
        guard depth < Self.maximumDepth else { throw Failure(problem: .tooDeep, index: tag) }
        standalone = isStandalone(newLine)
        if !standalone { flushIndent() }
        let body = try block(closing: name.text, newLine: standalone, depth: depth + 1)
        flushText()
        nodes.append(sigil == "#" ? .section(name.parts, body) : .invertedSection(name.parts, body))

      case "/":
        advance()
        let start = position
        let name = try readName()
        guard let closing, name == closing else { throw Failure(problem: .mismatchedClose, index: start) }
        if !isStandalone(newLine) { flushIndent() }
        flushText()
        return nodes

      case "!":
        advance()
        try skipComment()
        standalone = isStandalone(newLine)

      case "{", "&":
        flushIndent()
        advance()
        let name = try checked(readName(), tag: tag)
        if sigil == "{" {
          guard let close = current else { throw Failure(problem: .textEndsInTag, index: position) }
          guard close == "}" else { throw Failure(problem: .unfinishedTag, index: position) }
          advance()
        }
        flushText()
        nodes.append(.variable(name.parts))

      case ">":
        advance()
        skip { $0.isWhitespace }
        if current == "*" { advance() }
        skip { $0.isWhitespace }
        _ = read { Self.partialNameCharacters.contains($0) }
        skip { $0.isWhitespace }
        try readClose()
        standalone = isStandalone(newLine)
        if standalone { indent = "" } else { flushIndent() }

      case "<", "$":
        throw Failure(problem: .inheritance, index: tag)

      case "=":
        throw Failure(problem: .setDelimiter, index: tag)

      case "%":
        advance()
        try readPragma(tag: tag)
        standalone = isStandalone(newLine)

      default:
        flushIndent()
        let name = try checked(readName(), tag: tag)
        flushText()
        nodes.append(.variable(name.parts))
      }
      newLine = standalone
    }
    if closing != nil { throw Failure(problem: .unclosedSection, index: position) }
    flushText()
    return nodes
  }

  // MARK: Text and tags

  /// Text up to a line break (left unread) or through the next `{{`, whose position is returned.
  /// A `{` as the very last character is text; swift-mustache took it for a tag cut short.
  private mutating func readText() -> (Substring, tag: String.Index?) {
    let start = position
    while let character = current {
      if character == "\n" || character == "\r\n" { break }
      if character == "{" {
        let next = source.index(after: position)
        if next < source.endIndex, source[next] == "{" {
          let tag = position
          position = source.index(after: next)
          return (source[start..<tag], tag)
        }
      }
      advance()
    }
    return (source[start..<position], nil)
  }

  /// Whether the tag just read is alone on its line: the line started before it (`newLine`) and
  /// only spaces and tabs follow up to a line break or the end. If so, they and the line break
  /// are consumed. Any line break counts here, as in swift-mustache.
  private mutating func isStandalone(_ newLine: Bool) -> Bool {
    guard newLine else { return false }
    var end = position
    while end < source.endIndex, source[end] == " " || source[end] == "\t" { end = source.index(after: end) }
    if end == source.endIndex {
      return position == source.endIndex
    }
    guard source[end].isNewline else { return false }
    position = source.index(after: end)
    return true
  }

  /// A name as swift-mustache reads one: whitespace, name characters, whitespace, `}}`.
  private mutating func readName() throws(Failure) -> Substring {
    skip { $0.isWhitespace }
    let name = read { Self.nameCharacters.contains($0) }
    skip { $0.isWhitespace }
    try readClose()
    return name
  }

  /// Reads `}}`; with fewer than two characters left the text ends inside the tag.
  private mutating func readClose() throws(Failure) {
    guard let first = current else { throw Failure(problem: .textEndsInTag, index: position) }
    let next = source.index(after: position)
    guard next < source.endIndex else { throw Failure(problem: .textEndsInTag, index: position) }
    guard first == "}", source[next] == "}" else { throw Failure(problem: .unfinishedTag, index: position) }
    position = source.index(after: next)
  }

  /// A name split into parts, refusing what skeletons do not offer; errors point at the tag.
  private func checked(_ name: Substring, tag: String.Index) throws(Failure) -> (text: Substring, parts: [String]) {
    if name.contains("(") || name.contains(")") { throw Failure(problem: .transform, index: tag) }
    if name.isEmpty { throw Failure(problem: .emptyName, index: tag) }
    if name == "." { return (name, []) }
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    // swift-mustache drops empty parts (`a..b` is `a.b`) and reads `.a` as "only the top
    // context"; neither is Mustache, so they are refused rather than kept as quirks.
    if parts.contains(where: \.isEmpty) { throw Failure(problem: .badName, index: tag) }
    return (name, parts.map(String.init))
  }

  /// Skips a comment's text and its `}}`.
  private mutating func skipComment() throws(Failure) {
    var index = position
    while index < source.endIndex {
      let next = source.index(after: index)
      if source[index] == "}", next < source.endIndex, source[next] == "}" {
        position = source.index(after: next)
        return
      }
      index = next
    }
    throw Failure(problem: .textEndsInTag, index: position)
  }

  /// `{{% CONTENT_TYPE: TEXT }}`, the only pragma: skeletons are always text, so it changes
  /// nothing, but a skeleton written for swift-mustache may carry it.
  private mutating func readPragma(tag: String.Index) throws(Failure) {
    let isPragmaCharacter = { (character: Character) in
      character != "(" && character != ")" && Self.nameCharacters.contains(character)
    }
    skip { $0.isWhitespace }
    let variable = read(while: isPragmaCharacter)
    skip { $0.isWhitespace }
    guard current == ":" else { throw Failure(problem: .badPragma, index: position) }
    advance()
    skip { $0.isWhitespace }
    let value = read(while: isPragmaCharacter)
    skip { $0.isWhitespace }
    do { try readClose() } catch { throw Failure(problem: .badPragma, index: error.index) }
    guard !variable.isEmpty, !value.isEmpty else { throw Failure(problem: .badPragma, index: position) }
    guard variable == "CONTENT_TYPE", value == "TEXT" || value == "HTML" else {
      throw Failure(problem: .unknownPragma, index: position)
    }
    // New in Casebook, so it points at the tag like the other refusals (an unknown pragma keeps
    // swift-mustache's position, after it).
    if value == "HTML" { throw Failure(problem: .htmlPragma, index: tag) }
  }

  // MARK: Reading characters

  private var current: Character? { position < source.endIndex ? source[position] : nil }

  private mutating func advance() { position = source.index(after: position) }

  private mutating func read(while accept: (Character) -> Bool) -> Substring {
    let start = position
    while let character = current, accept(character) { advance() }
    return source[start..<position]
  }

  private mutating func skip(while accept: (Character) -> Bool) { _ = read(while: accept) }

  private static let nameCharacters = Set<Character>(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
  private static let partialNameCharacters = nameCharacters.union(["/"])
}
