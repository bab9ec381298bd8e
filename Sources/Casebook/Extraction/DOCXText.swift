#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Text from a Word document: the paragraphs of `word/document.xml`, with `Heading1`…`Heading9`
/// styles as headings. A DOCX is a zip, so the one entry read is capped (size and compression
/// ratio, checked against the header and again against the bytes actually inflated): a zip bomb
/// posing as a document is refused before it can fill memory. The zip is read by Casebook's own
/// `ZIPReader`, which needs no libFoundation (see DECISIONS.md).
enum DOCXText {
  /// The most `word/document.xml` may inflate to.
  static let maxEntryBytes: UInt64 = 50 << 20
  /// The highest compression ratio accepted; text XML compresses about 5–20×.
  static let maxRatio: UInt64 = 200

  static func extract(path: String, name: String) throws -> ExtractedText {
    let data = try documentXML(path: path, name: name)
    // Word never writes a DTD; refusing one rules out entity expansion in the XML parser.
    if contains(data, "<!DOCTYPE") || contains(data, "<!ENTITY") {
      throw CasebookError.badInput("\(name): word/document.xml has a DTD, which Word never writes; nothing was stored")
    }
    var reader = DocumentReader()
    do {
      try XMLReader.read(data) { reader.take($0) }
    } catch {
      throw CasebookError.badInput(
        "\(name): word/document.xml is not well-formed XML (\(error.description)); nothing was stored")
    }
    guard reader.sawDocument else {
      throw CasebookError.badInput(
        "\(name): word/document.xml is not a Word document (its root is not w:document); nothing was stored")
    }
    var out = ExtractedText()
    for block in reader.blocks {
      if let level = block.level { out.heading(level: level, block.text) } else { out.paragraph(block.text) }
    }
    out.finish()
    return out
  }

  /// The bytes of `word/document.xml`, within the caps.
  static func documentXML(path: String, name: String) throws -> [UInt8] {
    let archive: ZIPReader
    do { archive = try ZIPReader(path: path) } catch ZIPError.notZip {
      throw CasebookError.badInput("\(name) is not a DOCX: it is not a zip archive; nothing was stored")
    } catch {
      throw CasebookError.badInput(
        "\(name) is not a DOCX: its zip archive cannot be read (\(error)); nothing was stored")
    }
    guard let entry = archive.entry(named: "word/document.xml"), entry.kind == .file else {
      throw CasebookError.badInput("\(name) is not a DOCX: it has no word/document.xml; nothing was stored")
    }
    let limitMiB = maxEntryBytes >> 20
    guard entry.uncompressedSize <= maxEntryBytes else {
      throw CasebookError.badInput(
        "\(name): word/document.xml would inflate to \(entry.uncompressedSize) bytes, over the \(limitMiB) MiB limit (a zip bomb?); nothing was stored"
      )
    }
    guard entry.uncompressedSize <= max(entry.compressedSize, 1) * maxRatio else {
      throw CasebookError.badInput(
        "\(name): word/document.xml is compressed more than \(maxRatio)× (a zip bomb?); nothing was stored")
    }
    do {
      // The header's sizes may lie; the reader counts what actually comes out against the cap.
      return try archive.contents(of: entry, limit: Int(maxEntryBytes))
    } catch ZIPError.tooLarge {
      throw CasebookError.badInput(
        "\(name): word/document.xml inflates past the \(limitMiB) MiB limit (a zip bomb?); nothing was stored")
    } catch {
      throw CasebookError.badInput(
        "\(name): word/document.xml cannot be read from the zip (\(error)); nothing was stored")
    }
  }

  /// Whether `bytes` contain the ASCII `needle`.
  private static func contains(_ bytes: [UInt8], _ needle: StaticString) -> Bool {
    let needle = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
    guard let first = needle.first, bytes.count >= needle.count else { return false }
    var i = 0
    while i <= bytes.count - needle.count {
      if bytes[i] == first, bytes[i..<i + needle.count].elementsEqual(needle) { return true }
      i += 1
    }
    return false
  }

  /// Collects `w:p` paragraphs: their `w:t` text, tabs and breaks, and their heading level.
  struct DocumentReader {
    struct Block {
      var level: Int?
      var text: String
    }
    var blocks: [Block] = []
    private var current: Block?
    private var inText = false
    private var depth = 0
    /// Whether the root element is `w:document`.
    private(set) var sawDocument = false

    mutating func take(_ event: XMLReader.Event) {
      switch event {
      case .start(let element, let attributes):
        if depth == 0, element == "w:document" { sawDocument = true }
        depth += 1
        switch element {
        case "w:p":
          // Paragraphs nested in text boxes are read as their own paragraphs.
          if let current, !current.text.isEmpty { blocks.append(current) }
          current = Block(level: nil, text: "")
        case "w:pStyle":
          if let style = attributes["w:val"], let level = Self.headingLevel(style) { current?.level = level }
        case "w:t": inText = true
        case "w:tab": current?.text += "\t"
        case "w:br", "w:cr": current?.text += "\n"
        default: break
        }
      case .end(let element):
        depth -= 1
        switch element {
        case "w:t": inText = false
        case "w:p":
          // Character.isWhitespace is Unicode's White_Space, the set CharacterSet's
          // whitespacesAndNewlines holds, without libFoundation's CharacterSet.
          if let current, !current.text.allSatisfy(\.isWhitespace) { blocks.append(current) }
          current = nil
        default: break
        }
      case .text(let string):
        if inText { current?.text += string }
      }
    }

    /// `Heading1` … `Heading9` (and `heading 1`, as some writers spell the style id) → 1 … 9.
    static func headingLevel(_ style: String) -> Int? {
      let lower = style.lowercased().filter { $0 != " " }
      guard lower.hasPrefix("heading"), let n = Int(lower.dropFirst("heading".count)), (1...9).contains(n) else {
        return nil
      }
      return n
    }
  }
}
