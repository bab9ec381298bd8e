import Foundation
import TestSupport
import Testing

@testable import Casebook
@testable import TextExtraction

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The XML reader behind DOCX inputs: what it reads, what it refuses, and agreement with
/// libxml2 (through Foundation's XMLParser) on generated documents.
@Suite struct XMLReaderTests {
  /// Events with adjacent text joined (parsers may split text at entities or CDATA).
  static func events(_ xml: [UInt8]) throws(XMLReader.Failure) -> [XMLReader.Event] {
    var out: [XMLReader.Event] = []
    try XMLReader.read(xml) { event in
      if case .text(let more) = event, case .text(let text)? = out.last {
        out[out.count - 1] = .text(text + more)
      } else {
        out.append(event)
      }
    }
    return out
  }

  @Test func readsElementsAttributesTextAndReferences() throws {
    let xml = """
      \u{FEFF}<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
      <!-- written by hand -->
      <w:document xmlns:w="urn:w"><w:body>
      <w:p><w:pPr><w:pStyle w:val='Heading1'/></w:pPr><w:r><w:t xml:space="preserve">Fish &amp; chips &lt;3 &#233;t&#xE9; "q" &apos;a&apos; &gt;</w:t></w:r></w:p>
      <w:p><w:r><w:t><![CDATA[raw <b> & ]]></w:t><?pi data?><w:tab/></w:r></w:p>
      </w:body></w:document>

      """
    let got = try Self.events(Array(xml.utf8))
    let expected: [XMLReader.Event] = [
      .start(name: "w:document", attributes: ["xmlns:w": "urn:w"]), .start(name: "w:body", attributes: [:]),
      .text("\n"), .start(name: "w:p", attributes: [:]), .start(name: "w:pPr", attributes: [:]),
      .start(name: "w:pStyle", attributes: ["w:val": "Heading1"]), .end(name: "w:pStyle"), .end(name: "w:pPr"),
      .start(name: "w:r", attributes: [:]), .start(name: "w:t", attributes: ["xml:space": "preserve"]),
      .text("Fish & chips <3 été \"q\" 'a' >"), .end(name: "w:t"), .end(name: "w:r"), .end(name: "w:p"), .text("\n"),
      .start(name: "w:p", attributes: [:]), .start(name: "w:r", attributes: [:]), .start(name: "w:t", attributes: [:]),
      .text("raw <b> & "), .end(name: "w:t"), .start(name: "w:tab", attributes: [:]), .end(name: "w:tab"),
      .end(name: "w:r"), .end(name: "w:p"), .text("\n"), .end(name: "w:body"), .end(name: "w:document"),
    ]
    #expect(got == expected)
  }

  @Test("character references of any length, leading zeros and all")
  func longReferences() throws {
    let got = try Self.events(Array("<a b='&#x000000000041;'>&#0000000000000066;&#x00000000000000000001F600;</a>".utf8))
    #expect(got == [.start(name: "a", attributes: ["b": "A"]), .text("B😀"), .end(name: "a")])
  }

  @Test("a declaration is flagged as one, for callers that report a DTD in their own words")
  func declarationFlagged() {
    #expect(throws: XMLReader.Failure(line: 1, reason: "a declaration (<!…>) inside the document", declaration: true)) {
      _ = try Self.events(Array("<!DOCTYPE a><a/>".utf8))
    }
    #expect(throws: Never.self) { _ = try Self.events(Array("<!-- <!DOCTYPE a> --><a><![CDATA[<!ENTITY>]]></a>".utf8)) }
  }

  struct Bad: CustomTestStringConvertible, Sendable {
    let name: String
    let xml: [UInt8]
    let line: Int
    let reason: String
    init(_ name: String, _ xml: String, line: Int = 1, _ reason: String) {
      self.init(name, Array(xml.utf8), line: line, reason)
    }
    init(_ name: String, _ xml: [UInt8], line: Int = 1, _ reason: String) {
      self.name = name
      self.xml = xml
      self.line = line
      self.reason = reason
    }
    var testDescription: String { name }
  }

  static let bad: [Bad] = [
    Bad("empty", "", "no root element"),
    Bad("only a declaration", "<?xml version=\"1.0\"?>\n", line: 2, "no root element"),
    Bad("truncated", "<w:document><w:p>", "<w:p> is never closed"),
    Bad("wrong end tag", "<a>\n<b></a></b>", line: 2, "</a> closes <b>"),
    Bad("end tag with nothing open", "<a/></a>", "</a> closes nothing"),
    Bad("two roots", "<a/><b/>", "<b> after the root element"),
    Bad("text before the root", "hello<a/>", "text outside the root element"),
    Bad("text after the root", "<a/>x", "text outside the root element"),
    Bad("a bare ampersand", "<a>fish & chips</a>", "a bare &"),
    Bad("an unknown entity", "<a>&nbsp;</a>", "unknown entity &nbsp;"),
    Bad("a reference to NUL", "<a>&#0;</a>", "&#0; is not a character"),
    Bad("a reference past Unicode", "<a>&#x110000;</a>", "is not a character"),
    Bad("a surrogate reference", "<a>&#xD800;</a>", "is not a character"),
    // UInt32(_:radix:) takes a sign; XML does not.
    Bad("a signed decimal reference", "<a>&#+65;</a>", "&#+65; is not a character"),
    Bad("a signed hex reference", "<a>&#x+41;</a>", "&#x+41; is not a character"),
    Bad("a negative reference", "<a>&#-65;</a>", "&#-65; is not a character"),
    Bad("a reference with no digits", "<a>&#x;</a>", "&#x; is not a character"),
    Bad("an uppercase X reference", "<a>&#X41;</a>", "&#X41; is not a character"),
    Bad("a reference past UInt32", "<a>&#x100000041;</a>", "&#x100000041; is not a character"),
    Bad("a long overflowing reference", "<a>&#99999999999999999999999999;</a>", "is not a character"),
    Bad("an unquoted attribute", "<a b=c/>", "not quoted"),
    Bad("an attribute without a value", "<a b/>", "attribute b has no value"),
    Bad("a duplicate attribute", "<a b='1' b='2'/>", "attribute b appears twice"),
    Bad("attributes run together", "<a b='1'c='2'/>", "needs a space"),
    Bad("< in an attribute", "<a b='<'/>", "contains <"),
    Bad("an unclosed attribute value", "<a b='1/>", "is never closed"),
    Bad("an unclosed tag", "<a", "never closed by >"),
    Bad("a tag with no name", "<a>< b/></a>", "without a name"),
    Bad("a name starting with a digit", "<1a/>", "without a name"),
    Bad("an unclosed comment", "<a><!-- x </a>", "comment is never closed"),
    Bad("an unclosed CDATA section", "<a><![CDATA[x</a>", "CDATA section is never closed"),
    Bad("CDATA outside the root", "<![CDATA[x]]><a/>", "CDATA section outside the root"),
    Bad("a DOCTYPE", "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "declaration"),
    Bad("invalid UTF-8", [0x3C, 0x61, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x61, 0x3E], "not valid UTF-8"),
  ]

  @Test(arguments: bad) func refusesWhatIsNotWellFormed(_ bad: Bad) {
    #expect {
      _ = try Self.events(bad.xml)
    } throws: { error in
      guard let failure = error as? XMLReader.Failure else { return false }
      return failure.reason.contains(bad.reason) && failure.line == bad.line
    }
  }

  #if canImport(FoundationXML)
    /// What libxml2 reports, through Foundation's XMLParser, in the same shape.
    final class Reference: NSObject, XMLParserDelegate {
      var events: [XMLReader.Event] = []
      func parser(
        _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
      ) { events.append(.start(name: element, attributes: attributes)) }
      func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        events.append(.end(name: element))
      }
      func parser(_ parser: XMLParser, foundCharacters string: String) { add(string) }
      func parser(_ parser: XMLParser, foundCDATA block: Data) { add(String(decoding: block, as: UTF8.self)) }
      private func add(_ text: String) {
        if case .text(let before)? = events.last {
          events[events.count - 1] = .text(before + text)
        } else {
          events.append(.text(text))
        }
      }
    }

    /// Random documents in the shapes Word writes (prefixed names, attributes in either quote,
    /// entities and character references, CDATA, comments, non-ASCII text): the reader and
    /// libxml2 see the same elements, attributes and text in the same order.
    @Test func agreesWithLibxml2OnGeneratedDocuments() throws {
      // Seeded, and every random choice draws from it, so a failing document can be replayed.
      var rng = SplitMix64(seed: 0xD0C5_2025)
      let words = [
        "policy", "Gate 0", "£1.2m", "naïve", "東京", "a&amp;b", "&lt;tag&gt;", "&#8212;", "&#x1F600;", " ", "\n",
      ]
      func text() -> String {
        (0..<Int.random(in: 1...4, using: &rng)).map { _ in words.randomElement(using: &rng)! }.joined()
      }
      func element(_ depth: Int) -> String {
        let name = ["w:p", "w:r", "w:t", "w:tbl", "a", "x:y-z.1"].randomElement(using: &rng)!
        var attributes = ""
        for key in ["w:val", "id", "xml:space"].shuffled(using: &rng).prefix(Int.random(in: 0...2, using: &rng)) {
          let quote = Bool.random(using: &rng) ? "\"" : "'"
          attributes += " \(key)=\(quote)\(text().replacingOccurrences(of: "\n", with: " "))\(quote)"
        }
        if depth > 3 || Int.random(in: 0..<4, using: &rng) == 0 { return "<\(name)\(attributes)/>" }
        var body = ""
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
          switch Int.random(in: 0..<6, using: &rng) {
          case 0: body += "<![CDATA[\(["<b>", "x & y", "]]"].randomElement(using: &rng)!)]]>"
          case 1: body += "<!-- note -->"
          case 2, 3: body += text()
          default: body += element(depth + 1)
          }
        }
        return "<\(name)\(attributes)>\(body)</\(name)>"
      }
      for _ in 0..<200 {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<w:document>\(element(0))</w:document>\n"
        let reference = Reference()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reference
        try #require(parser.parse(), "libxml2 refused \(xml)")
        #expect(try Self.events(Array(xml.utf8)) == reference.events, "\(xml)")
      }
    }
  #endif
}
