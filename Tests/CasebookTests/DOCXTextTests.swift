import Foundation
import TestSupport
import Testing

@testable import Casebook
@testable import TextExtraction

/// How `word/document.xml` becomes paragraphs: what counts as text inside a paragraph, text boxes
/// (paragraphs within paragraphs, written twice by Word), and what is and is not a DTD.
@Suite struct DOCXTextTests {
  /// The paragraphs DOCXText reads from `body`, the inside of `w:body`.
  static func paragraphs(_ body: String) throws -> [String] {
    let xml = """
      <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <w:document xmlns:w="\(DOCXText.main)" xmlns:mc="\(DOCXText.markupCompatibility)" xmlns:wps="urn:wps"><w:body>\(body)</w:body></w:document>
      """
    var reader = DOCXText.DocumentReader()
    try XMLReader.read(Array(xml.utf8)) { reader.take($0) }
    return reader.blocks.map(\.text)
  }

  @Test("w:tab in a run is a tab; w:tab among the paragraph's tab stops is not text")
  func tabStopsAreNotText() throws {
    let got = try Self.paragraphs(
      """
      <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/><w:tab w:val="right" w:pos="9000"/></w:tabs></w:pPr>\
      <w:r><w:t>Name</w:t><w:tab/><w:t>Value</w:t><w:br/><w:t>Next</w:t></w:r></w:p>
      """)
    #expect(got == ["Name\tValue\nNext"])
  }

  @Test("a text box: its paragraph first, the outer paragraph whole after it, the mc:Fallback copy skipped")
  func textBox() throws {
    let box = """
      <w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>\
      <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Boxed</w:t></w:r></w:p>\
      </w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>\
      <w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>
      """
    let got = try Self.paragraphs(
      """
      <w:p><w:r><w:t xml:space="preserve">Before </w:t></w:r>\(box)<w:r><w:tab/><w:t>after.</w:t></w:r></w:p>\
      <w:p><w:r><w:t>Next paragraph.</w:t></w:r></w:p>
      """)
    #expect(got == ["Boxed", "Before \tafter.", "Next paragraph."])
  }

  @Test("<!DOCTYPE and <!ENTITY inside a comment or CDATA are text, not a DTD")
  func declarationInCommentOrCDATA() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/notes.docx"
    let xml = """
      <?xml version="1.0"?><!-- <!DOCTYPE d> --><w:document xmlns:w="\(DOCXText.main)"><w:body>\
      <w:p><w:r><w:t><![CDATA[<!ENTITY e "x"> is how a DTD declares an entity]]></w:t></w:r></w:p></w:body></w:document>
      """
    try DocumentFixtures.zip(at: path, [("word/document.xml", Data(xml.utf8))])
    let text = try DOCXText.extract(path: path, name: "notes.docx")
    #expect(text.text == "<!ENTITY e \"x\"> is how a DTD declares an entity\n")
  }

  /// A document written with `w:` as Word does, then the same with the namespace bound to `x:`,
  /// as the default namespace, and in the strict vocabulary.
  static let prefixed = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <w:document xmlns:w="\(DOCXText.main)"><w:body>\
    <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Findings</w:t></w:r></w:p>\
    <w:p><w:r><w:t xml:space="preserve">Twelve </w:t></w:r><w:r><w:tab/><w:t>lifts.</w:t><w:br/><w:t>Old.</w:t></w:r></w:p>\
    </w:body></w:document>
    """

  @Test(
    "the WordprocessingML namespace under any prefix, or as the default, gives the same text",
    arguments: [
      prefixed.replacingOccurrences(of: "w:", with: "x:").replacingOccurrences(of: "xmlns:w=", with: "xmlns:x="),
      prefixed.replacingOccurrences(of: "w:", with: "").replacingOccurrences(of: "xmlns:w=", with: "xmlns=")
        .replacingOccurrences(of: "pStyle val=", with: "pStyle xmlns:w=\"\(DOCXText.main)\" w:val="),
      prefixed.replacingOccurrences(of: DOCXText.main, with: DOCXText.strictMain),
    ])
  func anyPrefix(_ xml: String) throws {
    let dir = try TemporaryDirectory()
    try DocumentFixtures.zip(at: dir.path + "/w.docx", [("word/document.xml", Data(Self.prefixed.utf8))])
    try DocumentFixtures.zip(at: dir.path + "/other.docx", [("word/document.xml", Data(xml.utf8))])
    let expected = try DOCXText.extract(path: dir.path + "/w.docx", name: "w.docx")
    let got = try DOCXText.extract(path: dir.path + "/other.docx", name: "other.docx")
    #expect(expected.text == "# Findings\n\nTwelve lifts.\nOld.\n")
    #expect(got.text == expected.text, "\(xml)")
    #expect(got.headings == expected.headings)
    #expect(got.paragraphs == expected.paragraphs)
  }

  @Test("w: bound to another namespace is not WordprocessingML")
  func wrongNamespace() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/other.docx"
    let xml = Self.prefixed.replacingOccurrences(of: DOCXText.main, with: "urn:not-word")
    try DocumentFixtures.zip(at: path, [("word/document.xml", Data(xml.utf8))])
    #expect {
      _ = try DOCXText.extract(path: path, name: "other.docx")
    } throws: { error in
      (error as? ExtractionError)?.message.contains("other.docx: word/document.xml is not a Word document") == true
    }
  }

  @Test("a real DTD is still refused, in DOCXText's words")
  func realDTD() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/dtd.docx"
    let xml = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaa\">]><w:document>&a;</w:document>"
    try DocumentFixtures.zip(at: path, [("word/document.xml", Data(xml.utf8))])
    #expect(
      throws: ExtractionError.badInput(
        "dtd.docx: word/document.xml has a DTD, which Word never writes; nothing was stored")
    ) {
      _ = try DOCXText.extract(path: path, name: "dtd.docx")
    }
  }
}
