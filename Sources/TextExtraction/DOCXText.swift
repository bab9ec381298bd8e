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
  /// WordprocessingML's namespace, as Word writes it (ECMA-376 transitional).
  static let main = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  /// The same vocabulary in ISO/IEC 29500 strict, which Word writes when asked to.
  static let strictMain = "http://purl.oclc.org/ooxml/wordprocessingml/main"
  /// Markup compatibility: `mc:AlternateContent`, `mc:Choice`, `mc:Fallback`.
  static let markupCompatibility = "http://schemas.openxmlformats.org/markup-compatibility/2006"

  /// The most `word/document.xml` may inflate to.
  static let maxEntryBytes: UInt64 = 50 << 20
  /// The highest compression ratio accepted; text XML compresses about 5–20×.
  static let maxRatio: UInt64 = 200

  static func extract(path: String, name: String) throws -> ExtractedText {
    try extract(archive: openArchive(path: path, name: name), name: name)
  }

  /// The text of `archive`, already open: a `.zip` upload is opened once to see whether it holds
  /// `word/document.xml`, and the same reader extracts it rather than parsing the directory twice.
  static func extract(archive: ZIPReader, name: String) throws -> ExtractedText {
    let data = try documentXML(archive: archive, name: name)
    var reader = DocumentReader()
    do {
      try XMLReader.read(data) { reader.take($0) }
    } catch  where error.declaration {
      // XMLReader refuses every `<!…>` declaration, so no entity can expand; Word never writes one.
      // Only real markup counts: `<!DOCTYPE` inside a comment or CDATA section is just text.
      throw ExtractionError.badInput(
        "\(name): word/document.xml has a DTD, which Word never writes; nothing was stored")
    } catch {
      throw ExtractionError.badInput(
        "\(name): word/document.xml is not well-formed XML (\(error.description)); nothing was stored")
    }
    guard reader.sawDocument else {
      throw ExtractionError.badInput(
        "\(name): word/document.xml is not a Word document (its root is not WordprocessingML's document, w:document in \(Self.main)); nothing was stored"
      )
    }
    var out = ExtractedText()
    for block in reader.blocks {
      if let level = block.level { try out.heading(level: level, block.text) } else { try out.paragraph(block.text) }
    }
    out.finish()
    return out
  }

  /// The zip at `path`, opened, or the error that says why it is not a DOCX.
  static func openArchive(path: String, name: String) throws -> ZIPReader {
    do { return try ZIPReader(path: path) } catch ZIPError.notZip {
      throw ExtractionError.badInput("\(name) is not a DOCX: it is not a zip archive; nothing was stored")
    } catch {
      throw ExtractionError.badInput(
        "\(name) is not a DOCX: its zip archive cannot be read (\(error)); nothing was stored")
    }
  }

  /// The bytes of `word/document.xml`, within the caps.
  static func documentXML(path: String, name: String) throws -> [UInt8] {
    try documentXML(archive: openArchive(path: path, name: name), name: name)
  }

  /// The bytes of `word/document.xml` in `archive`, within the caps.
  static func documentXML(archive: ZIPReader, name: String) throws -> [UInt8] {
    guard let entry = archive.entry(named: "word/document.xml"), entry.kind == .file else {
      throw ExtractionError.badInput("\(name) is not a DOCX: it has no word/document.xml; nothing was stored")
    }
    let limitMiB = maxEntryBytes >> 20
    guard entry.uncompressedSize <= maxEntryBytes else {
      throw ExtractionError.badInput(
        "\(name): word/document.xml would inflate to \(entry.uncompressedSize) bytes, over the \(limitMiB) MiB limit (a zip bomb?); nothing was stored"
      )
    }
    guard entry.uncompressedSize <= max(entry.compressedSize, 1) * maxRatio else {
      throw ExtractionError.badInput(
        "\(name): word/document.xml is compressed more than \(maxRatio)× (a zip bomb?); nothing was stored")
    }
    do {
      // The header's sizes may lie; the reader counts what actually comes out against the cap.
      return try archive.contents(of: entry, limit: Int(maxEntryBytes))
    } catch ZIPError.tooLarge {
      throw ExtractionError.badInput(
        "\(name): word/document.xml inflates past the \(limitMiB) MiB limit (a zip bomb?); nothing was stored")
    } catch {
      throw ExtractionError.badInput(
        "\(name): word/document.xml cannot be read from the zip (\(error)); nothing was stored")
    }
  }

  /// Collects `w:p` paragraphs: their `w:t` text, tabs and breaks, and their heading level.
  /// Elements are matched by namespace and local name, never by prefix: `w:` is only the prefix
  /// Word happens to use.
  ///
  /// A paragraph may hold another: a text box sits in a run (`w:p > w:r > mc:AlternateContent >
  /// mc:Choice > … > w:txbxContent > w:p`). Open paragraphs are kept on a stack, so the outer one
  /// goes on after the box closes; each becomes its own block when it closes, so a text box's
  /// paragraphs come before the paragraph that anchors them. Word writes every text box twice,
  /// under `mc:Choice` and again under `mc:Fallback` (for older readers); the fallback is skipped,
  /// or its text would be extracted twice.
  struct DocumentReader {
    struct Block {
      var level: Int?
      var text: String
    }
    /// An open paragraph and how many runs (`w:r`) of its own are open.
    private struct Open {
      var block = Block(level: nil, text: "")
      var runs = 0
    }
    var blocks: [Block] = []
    private var open: [Open] = []
    private var inText = false
    private var depth = 0
    /// How deep inside `mc:Fallback` the reader is (0: outside); everything there is skipped.
    private var skipping = 0
    /// Whether the root element is `w:document`.
    private(set) var sawDocument = false

    /// The vocabulary of the root element, once it is known to be `document`: attributes are
    /// looked up in the same namespace (`w:val`).
    private var main = DOCXText.main

    /// The local name of `name` when it is in WordprocessingML's namespace, else nil.
    private func word(_ name: XMLReader.Name) -> String? {
      name.namespace == main ? name.local : nil
    }

    mutating func take(_ event: XMLReader.Event) {
      switch event {
      case .start(let element, let attributes):
        if depth == 0, element.local == "document", let namespace = element.namespace,
          namespace == DOCXText.main || namespace == DOCXText.strictMain
        {
          sawDocument = true
          main = namespace
        }
        depth += 1
        if skipping > 0
          || (element.namespace == DOCXText.markupCompatibility && element.local == "Fallback")
        {
          skipping += 1
          return
        }
        switch word(element) {
        case "p": open.append(Open())
        case "r": if !open.isEmpty { open[open.count - 1].runs += 1 }
        case "pStyle":
          if let style = attributes[XMLReader.Name(main, "val")], let level = Self.headingLevel(style), !open.isEmpty {
            open[open.count - 1].block.level = level
          }
        case "t": inText = true
        // Only within a run: `w:tab` also defines tab stops in `w:pPr > w:tabs`, which are no text.
        case "tab": append("\t", inRun: true)
        case "br", "cr": append("\n", inRun: true)
        default: break
        }
      case .end(let element):
        depth -= 1
        if skipping > 0 {
          skipping -= 1
          return
        }
        switch word(element) {
        case "t": inText = false
        case "r": if !open.isEmpty { open[open.count - 1].runs -= 1 }
        case "p":
          if let closed = open.popLast(), !closed.block.text.isBlankText { blocks.append(closed.block) }
        default: break
        }
      case .text(let string):
        if inText, skipping == 0 { append(string, inRun: false) }
      }
    }

    /// Adds `text` to the innermost open paragraph; with `inRun`, only while one of its runs is open.
    private mutating func append(_ text: String, inRun: Bool) {
      guard !open.isEmpty, !inRun || open[open.count - 1].runs > 0 else { return }
      open[open.count - 1].block.text += text
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
