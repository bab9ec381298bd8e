import TextExtraction
import YAML

// `locators.yaml` is the repository's format, not extraction's: it is written and read here, and
// the text and its locators are handed over as plain values.
extension ExtractedText {
  /// `locators.yaml`: pages, paragraphs and headings as line ranges of `text.txt`.
  var locatorsNode: Node {
    func span(_ r: ClosedRange<Int>) -> Node { .sequence([.int(r.lowerBound), .int(r.upperBound)]) }
    var map = Mapping()
    map["format"] = .int(1)
    map["lines"] = .int(lines.count)
    if paged {
      map["pages"] = .sequence(pages.map { $0.map(span) ?? .sequence([]) })
    }
    map["paragraphs"] = .sequence(
      paragraphs.map { p in
        var m = Mapping()
        m["lines"] = span(p.lines)
        if !p.heading.isEmpty { m["heading"] = .sequence(p.heading.map(Node.string)) }
        return .mapping(m)
      })
    map["headings"] = .sequence(
      headings.map { h in
        var m = Mapping()
        m["path"] = .sequence(h.path.map(Node.string))
        m["level"] = .int(h.level)
        m["lines"] = span(h.lines)
        return .mapping(m)
      })
    return .mapping(map)
  }

  /// Reads `text.txt` with its `locators.yaml` (nil for an input stored before locators, which
  /// then answers `L` locators only).
  init(text: String, locators: Mapping?, path: String) throws {
    let plain = ExtractedText(verbatim: text)
    guard let locators else {
      self = plain
      return
    }
    let lineCount = plain.lines.count
    func span(_ node: Node?) throws -> ClosedRange<Int>? {
      guard let seq = node?.sequence else { throw CasebookError.repository("\(path): a span is not a list") }
      if seq.isEmpty { return nil }
      guard seq.count == 2, let a = seq[0].int, let b = seq[1].int, a >= 1, b >= a, b <= lineCount else {
        throw CasebookError.repository("\(path): a span is not [from, to] within the text")
      }
      return a...b
    }
    let pageNodes = locators["pages"]?.sequence
    let pages = try (pageNodes ?? []).map { try span($0) }
    let paragraphs = try (locators["paragraphs"]?.sequence ?? []).map { node in
      guard let lines = try span(node["lines"]) else {
        throw CasebookError.repository("\(path): a paragraph has no lines")
      }
      return Paragraph(lines: lines, heading: (node["heading"]?.sequence ?? []).compactMap(\.string))
    }
    let headings = try (locators["headings"]?.sequence ?? []).map { node in
      guard let lines = try span(node["lines"]) else {
        throw CasebookError.repository("\(path): a heading has no lines")
      }
      return Heading(
        path: (node["path"]?.sequence ?? []).compactMap(\.string), level: node["level"]?.int ?? 1, lines: lines)
    }
    self.init(lines: plain.lines, paged: pageNodes != nil, pages: pages, paragraphs: paragraphs, headings: headings)
  }
}
