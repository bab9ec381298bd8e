import Foundation
import ZIPFoundation

/// Documents built in code for the input tests: a PDF written object by object, DOCX packages
/// made with ZIPFoundation, and a zip bomb. Nothing is read from disk, so each test knows
/// exactly what the text is.
enum DocumentFixtures {
  /// A minimal, valid PDF: one page per element of `pages`, each line of text on its own line
  /// (Helvetica, so pdftotext reads it back as written), with a correct xref table.
  static func pdf(pages: [[String]]) -> Data {
    var objects: [String] = [
      "", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    var pageIDs: [Int] = []
    for lines in pages {
      var ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
      for line in lines {
        let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(")
          .replacingOccurrences(of: ")", with: "\\)")
        ops += ["(\(escaped)) Tj", "T*"]
      }
      ops.append("ET")
      let stream = ops.joined(separator: "\n") + "\n"
      objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)endstream")
      let content = objects.count
      objects.append(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(content) 0 R >>"
      )
      pageIDs.append(objects.count)
    }
    objects[0] = "<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] =
      "<< /Type /Pages /Kids [\(pageIDs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pageIDs.count) >>"
    var out = "%PDF-1.4\n"
    var offsets: [Int] = []
    for (index, body) in objects.enumerated() {
      offsets.append(out.utf8.count)
      out += "\(index + 1) 0 obj\n\(body)\nendobj\n"
    }
    let xref = out.utf8.count
    out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
    for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
    out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    return Data(out.utf8)
  }

  /// A paragraph of a DOCX: its text and, for a heading, its level (style `Heading<level>`).
  struct Paragraph {
    var level: Int?
    var text: String
    static func h(_ level: Int, _ text: String) -> Paragraph { Paragraph(level: level, text: text) }
    static func p(_ text: String) -> Paragraph { Paragraph(level: nil, text: text) }
  }

  /// `word/document.xml` for `paragraphs`.
  static func documentXML(_ paragraphs: [Paragraph]) -> String {
    func escape(_ s: String) -> String {
      s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
    }
    let body = paragraphs.map { p in
      let style = p.level.map { "<w:pPr><w:pStyle w:val=\"Heading\($0)\"/></w:pPr>" } ?? ""
      // Split in two runs, as Word does, to check that runs are joined.
      let half = p.text.index(p.text.startIndex, offsetBy: p.text.count / 2)
      return "<w:p>\(style)<w:r><w:t xml:space=\"preserve\">\(escape(String(p.text[..<half])))</w:t></w:r>"
        + "<w:r><w:t xml:space=\"preserve\">\(escape(String(p.text[half...])))</w:t></w:r></w:p>"
    }.joined()
    return """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\(body)</w:body></w:document>
      """
  }

  /// A zip at `path` holding `entries` (path → bytes), deflated.
  static func zip(at path: String, _ entries: [(String, Data)]) throws {
    try? FileManager.default.removeItem(atPath: path)
    let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create, pathEncoding: nil)
    for (name, data) in entries {
      try archive.addEntry(
        with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
        provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
    }
  }

  /// A DOCX at `path` with `paragraphs`.
  static func docx(at path: String, _ paragraphs: [Paragraph]) throws {
    try zip(
      at: path,
      [
        ("[Content_Types].xml", Data("<?xml version=\"1.0\"?><Types/>".utf8)),
        ("word/document.xml", Data(documentXML(paragraphs).utf8)),
      ])
  }

  /// A zip bomb posing as a DOCX: `word/document.xml` is `size` bytes of zeros, which deflate
  /// about a thousandfold. Made chunk by chunk, so building it never holds more than 1 MiB.
  static func zipBomb(at path: String, size: Int64) throws {
    try? FileManager.default.removeItem(atPath: path)
    let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create, pathEncoding: nil)
    let zeros = Data(count: 1 << 20)
    try archive.addEntry(
      with: "word/document.xml", type: .file, uncompressedSize: size, compressionMethod: .deflate,
      bufferSize: 1 << 20, provider: { _, count in zeros.prefix(count) })
  }

  /// A zip bomb whose headers lie: `word/document.xml` is `size` bytes of zeros, but both its
  /// local and central headers claim `claimed` bytes, so only counting what actually inflates
  /// catches it.
  static func lyingZipBomb(at path: String, size: Int64, claimed: UInt32) throws {
    try zipBomb(at: path, size: size)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    func patch(signature: [UInt8], offset: Int) {
      var i = 0
      while i + offset + 4 <= bytes.count {
        if Array(bytes[i..<i + 4]) == signature {
          for k in 0..<4 { bytes[i + offset + k] = UInt8((claimed >> (8 * UInt32(k))) & 0xff) }
        }
        i += 1
      }
    }
    patch(signature: [0x50, 0x4b, 0x03, 0x04], offset: 22)  // local file header: uncompressed size
    patch(signature: [0x50, 0x4b, 0x01, 0x02], offset: 24)  // central directory: uncompressed size
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }
}
