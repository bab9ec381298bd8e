internal import CCmarkGFM

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A section's Markdown as GitHub reads it (cmark-gfm with tables, strikethrough, autolinks,
/// task lists and footnotes), made safe for an export that is one self-contained file.
///
/// The tree cmark-gfm parses is walked once before anything is rendered (see
/// `MarkdownDocument+Policy.swift`): raw HTML becomes text, links are kept only for `http`,
/// `https`, `mailto` and in-page `#` targets (others keep their text), images become their alt
/// text in brackets, headings move `headingShift` levels down, nesting stops at `maxDepth`, and
/// footnote labels are prefixed so that two sections' `[^1]` stay apart in one document. Both
/// renderers (`html()`, `markdown()`) read only that tree, so the two export formats follow
/// the same rules; cmark-gfm's own safe mode stays on as a second line.
///
/// Not Sendable: it owns cmark-gfm's parser and tree, freed with it. Rendered once, by
/// `Markdown.html` or `Markdown.markdown` (the Markdown renderer rewrites the footnotes).
final class MarkdownDocument {
  /// Block quotes and list items nested deeper than this are shown as one paragraph of their
  /// text: browsers and Markdown readers slow down on thousands of levels that cmark-gfm itself
  /// parses in linear time.
  static let maxDepth = 24

  let parser: OpaquePointer
  let root: OpaquePointer

  /// Footnote ids and labels start with this (letters, digits, `-` and `_` only).
  let footnotePrefix: String

  /// Parses `text` and applies the export's rules to its tree.
  init(_ text: String, headingShift: Int, footnotePrefix: String) {
    self.footnotePrefix = String(
      footnotePrefix.unicodeScalars.filter {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
      }
      .map(Character.init))
    let source = TableBudget.limit(Self.cleaned(text))
    let parser = Self.parser(tables: true)
    source.withCString { cmark_parser_feed(parser, $0, strlen($0)) }
    self.parser = parser
    root = cmark_parser_finish(parser)
    applyPolicy(headingShift: headingShift)
  }

  deinit {
    cmark_node_free(root)
    cmark_parser_free(parser)
  }

  /// The HTML of the document, with `\n` line endings.
  func html() -> String {
    let html = take(cmark_render_html(root, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser)))
    guard !footnotePrefix.isEmpty else { return html }
    // Only cmark-gfm writes a `"` here (the text's are `&quot;`), so these are its footnote
    // links and ids, and links written to them, which go on pointing at them.
    var out = html
    for attribute in ["href=\"#fn-", "id=\"fn-", "href=\"#fnref-", "id=\"fnref-"] {
      out = out.replacingEvery(attribute, with: attribute + footnotePrefix)
    }
    return out
  }

  /// The document as GitHub-flavoured Markdown written from the same tree as `html()`: what was
  /// made text reads as text (`<`, `[`, `&`… are backslash-escaped), one canonical spelling.
  /// Footnotes are labelled by their number after the prefix (cmark-gfm 0.29.0.gfm.6 writes a
  /// definition without its label, so they are written here) and come last. Returns the
  /// lines, without line endings.
  func markdown() -> [String] {
    let notes = footnoteDefinitions()
    var lines = Self.lines(take(cmark_render_commonmark(root, CMARK_OPT_DEFAULT, 0)))
    for (n, note) in notes.enumerated() {
      let body = Self.lines(take(cmark_render_commonmark(note, CMARK_OPT_DEFAULT, 0)))
      cmark_node_free(note)
      lines.append("")
      lines.append("[^\(footnotePrefix)\(n + 1)]: " + (body.first ?? ""))
      lines += body.dropFirst().map { $0.isEmpty ? "" : "    " + $0 }
    }
    return lines
  }

  /// Takes the footnote definitions out of the tree (each as a document of its own, in the
  /// order cmark-gfm numbered them) and writes every reference as `[^<prefix><number>]`.
  private func footnoteDefinitions() -> [OpaquePointer] {
    var definitions: [OpaquePointer] = []
    var references: [OpaquePointer] = []
    let iterator = cmark_iter_new(root)!
    while case let event = cmark_iter_next(iterator), event != CMARK_EVENT_DONE {
      guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
      switch cmark_node_get_type(node) {
      case CMARK_NODE_FOOTNOTE_DEFINITION: definitions.append(node)
      case CMARK_NODE_FOOTNOTE_REFERENCE: references.append(node)
      default: break
      }
    }
    cmark_iter_free(iterator)
    for reference in references {
      // After parsing, a reference's literal is its footnote's number.
      let number = cmark_node_get_literal(reference).map { String(cString: $0) } ?? ""
      let mark = cmark_node_new(CMARK_NODE_CUSTOM_INLINE)!
      cmark_node_set_on_enter(mark, "[^\(footnotePrefix)\(number.filter(\.isNumber))]")
      cmark_node_insert_before(reference, mark)
      cmark_node_unlink(reference)
      cmark_node_free(reference)
    }
    return definitions.map { definition in
      let document = cmark_node_new(CMARK_NODE_DOCUMENT)!
      while let child = cmark_node_first_child(definition) {
        cmark_node_unlink(child)
        cmark_node_append_child(document, child)
      }
      cmark_node_unlink(definition)
      cmark_node_free(definition)
      return document
    }
  }

  private static func lines(_ text: String) -> [String] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    while lines.last == "" { lines.removeLast() }
    return lines
  }

  /// A parser with GitHub's extensions attached; `tables: false` leaves out the table extension
  /// (the table budget's first look at a document, `TableBudget`).
  static func parser(tables: Bool) -> OpaquePointer {
    cmark_gfm_core_extensions_ensure_registered()
    let parser = cmark_parser_new(CMARK_OPT_FOOTNOTES)!
    let names =
      tables ? ["table", "strikethrough", "autolink", "tasklist"] : ["strikethrough", "autolink", "tasklist"]
    for name in names {
      if let syntax = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, syntax) }
    }
    return parser
  }

  /// `text` with line endings made `\n`, and control characters other than tab and newline
  /// (which cannot appear in a well-formed HTML document) replaced by U+FFFD.
  static func cleaned(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var previousCR = false
    for scalar in text.unicodeScalars {
      defer { previousCR = scalar == "\r" }
      switch scalar.value {
      case 0x0D: out.append("\n")
      case 0x0A: if !previousCR { out.append(scalar) }
      case 0x09: out.append(scalar)
      case 0..<0x20, 0x7F: out.append("\u{FFFD}")
      default: out.append(scalar)
      }
    }
    return String(out)
  }

  private func take(_ rendered: UnsafeMutablePointer<CChar>?) -> String {
    guard let rendered else { return "" }
    defer { free(rendered) }
    return String(cString: rendered)
  }
}
