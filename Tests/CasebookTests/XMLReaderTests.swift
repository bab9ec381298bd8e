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
    func w(_ local: String) -> XMLReader.Name { XMLReader.Name("urn:w", local) }
    let space = XMLReader.Name(XMLReader.xmlNamespace, "space")
    let expected: [XMLReader.Event] = [
      .start(name: w("document"), attributes: [:]), .start(name: w("body"), attributes: [:]),
      .text("\n"), .start(name: w("p"), attributes: [:]), .start(name: w("pPr"), attributes: [:]),
      .start(name: w("pStyle"), attributes: [w("val"): "Heading1"]), .end(name: w("pStyle")), .end(name: w("pPr")),
      .start(name: w("r"), attributes: [:]), .start(name: w("t"), attributes: [space: "preserve"]),
      .text("Fish & chips <3 été \"q\" 'a' >"), .end(name: w("t")), .end(name: w("r")), .end(name: w("p")), .text("\n"),
      .start(name: w("p"), attributes: [:]), .start(name: w("r"), attributes: [:]),
      .start(name: w("t"), attributes: [:]),
      .text("raw <b> & "), .end(name: w("t")), .start(name: w("tab"), attributes: [:]), .end(name: w("tab")),
      .end(name: w("r")), .end(name: w("p")), .text("\n"), .end(name: w("body")), .end(name: w("document")),
    ]
    #expect(got == expected)
  }

  @Test("character references of any length, leading zeros and all")
  func longReferences() throws {
    let got = try Self.events(Array("<a b='&#x000000000041;'>&#0000000000000066;&#x00000000000000000001F600;</a>".utf8))
    let a = XMLReader.Name(nil, "a")
    #expect(got == [.start(name: a, attributes: [XMLReader.Name(nil, "b"): "A"]), .text("B😀"), .end(name: a)])
  }

  @Test("names resolve by namespace URI: any prefix, the default namespace, scoped to the element")
  func namespaces() throws {
    func n(_ uri: String?, _ local: String) -> XMLReader.Name { XMLReader.Name(uri, local) }
    // The same element under two prefixes and as the default namespace; attributes without a
    // prefix are in no namespace, whatever the default.
    let got = try Self.events(
      Array(
        """
        <x:a xmlns:x="urn:m" xmlns:y="urn:m" x:k="1" k="2"><y:a/><a xmlns="urn:m" y:j="3" j="4"><b xmlns=""/></a>\
        <x:c xmlns:x="urn:other"/><x:c/></x:a>
        """.utf8))
    #expect(
      got == [
        .start(name: n("urn:m", "a"), attributes: [n("urn:m", "k"): "1", n(nil, "k"): "2"]),
        .start(name: n("urn:m", "a"), attributes: [:]), .end(name: n("urn:m", "a")),
        .start(name: n("urn:m", "a"), attributes: [n("urn:m", "j"): "3", n(nil, "j"): "4"]),
        .start(name: n(nil, "b"), attributes: [:]), .end(name: n(nil, "b")), .end(name: n("urn:m", "a")),
        .start(name: n("urn:other", "c"), attributes: [:]), .end(name: n("urn:other", "c")),
        .start(name: n("urn:m", "c"), attributes: [:]), .end(name: n("urn:m", "c")),
        .end(name: n("urn:m", "a")),
      ])
  }

  @Test("what XML allows that looks close to what it refuses")
  func allowedNearMisses() throws {
    let a = XMLReader.Name(nil, "a")
    let cases: [(String, [XMLReader.Event])] = [
      ("<a b=']]>'/>", [.start(name: a, attributes: [XMLReader.Name(nil, "b"): "]]>"]), .end(name: a)]),
      ("<a>]] ]]&gt; ]></a>", [.start(name: a, attributes: [:]), .text("]] ]]> ]>"), .end(name: a)]),
      ("<a><!-- - a-b -  --><!----></a>", [.start(name: a, attributes: [:]), .end(name: a)]),
      (
        "<a>&#x9;&#xA;&#xD;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;</a>",
        [.start(name: a, attributes: [:]), .text("\t\n\r\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}"), .end(name: a)]
      ),
      (
        "<a xml:lang='en' xmlns:xml='http://www.w3.org/XML/1998/namespace'/>",
        [.start(name: a, attributes: [XMLReader.Name(XMLReader.xmlNamespace, "lang"): "en"]), .end(name: a)]
      ),
    ]
    for (xml, expected) in cases {
      #expect(try Self.events(Array(xml.utf8)) == expected, "\(xml)")
    }
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
    Bad("truncated", "<w:document xmlns:w='urn:w'><w:p>", "<w:p> is never closed"),
    Bad("wrong end tag", "<a>\n<b></a></b>", line: 2, "</a> closes <b>"),
    Bad("end tag with nothing open", "<a/></a>", "</a> closes nothing"),
    Bad("two roots", "<a/><b/>", "<b> after the root element"),
    Bad("text before the root", "hello<a/>", "text outside the root element"),
    Bad("text after the root", "<a/>x", "text outside the root element"),
    Bad("a bare ampersand", "<a>fish & chips</a>", "a bare &"),
    Bad("an unknown entity", "<a>&nbsp;</a>", "unknown entity &nbsp;"),
    Bad("a reference to NUL", "<a>&#0;</a>", "&#0; is not a character"),
    Bad("a reference past Unicode", "<a>&#x110000;</a>", "is not a character"),
    Bad("a surrogate reference", "<a>&#xD800;</a>", "&#xD800; is not a character XML allows"),
    Bad("a reference to a C0 control", "<a>&#1;</a>", "&#1; is not a character XML allows"),
    Bad("a reference to a C0 control in an attribute", "<a b='&#x1F;'/>", "&#x1F; is not a character XML allows"),
    Bad("a reference to U+FFFE", "<a>&#xFFFE;</a>", "&#xFFFE; is not a character XML allows"),
    Bad("a reference to U+FFFF", "<a>&#65535;</a>", "&#65535; is not a character XML allows"),
    Bad("a C0 control written as it is", "<a>\n\u{1}</a>", line: 2, "U+0001 is not a character XML allows"),
    Bad("U+FFFE written as it is", "<a>\u{FFFE}</a>", "U+FFFE is not a character XML allows"),
    Bad("]]> in text", "<a>\nx ]]> y</a>", line: 2, "text contains ]]>"),
    Bad("]]> in text right after an element", "<a><b/>]]></a>", "text contains ]]>"),
    Bad("-- inside a comment", "<a>\n<!-- a -- b --></a>", line: 2, "a comment contains --"),
    Bad("a comment ending in -", "<a><!-- a ---></a>", "a comment contains --"),
    Bad("-- in a comment before the root", "<!-- -- --><a/>", "a comment contains --"),
    Bad("an undeclared element prefix", "<w:document/>", "the prefix w of w:document is not declared"),
    Bad("an undeclared attribute prefix", "<a w:val='1'/>", "the prefix w of w:val is not declared"),
    Bad(
      "a prefix used outside its element", "<a><b xmlns:p='urn:p'/><p:c/></a>", "the prefix p of p:c is not declared"),
    Bad("a prefix undeclared", "<p:a xmlns:p='urn:p'><p:b xmlns:p=''/></p:a>", "a prefix cannot be undeclared"),
    Bad("two colons in a name", "<a xmlns:p='urn:p'><p:b:c/></a>", "not a valid name with namespaces"),
    Bad("an empty prefix", "<:a/>", "not a valid name with namespaces"),
    Bad("an empty local name", "<a xmlns:p='urn:p'><p:/></a>", "not a valid name with namespaces"),
    Bad(
      "one attribute under two prefixes", "<a xmlns:p='urn:p' xmlns:q='urn:p' p:x='1' q:x='2'/>",
      "name the same attribute"),
    Bad("the xml prefix bound elsewhere", "<a xmlns:xml='urn:x'/>", "the prefix xml and its namespace"),
    Bad(
      "the xml namespace under another prefix", "<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
      "the prefix xml and its namespace"),
    Bad("the xmlns prefix declared", "<a xmlns:xmlns='urn:x'/>", "the prefix xmlns cannot be declared"),
    Bad("the xmlns namespace bound", "<a xmlns:p='http://www.w3.org/2000/xmlns/'/>", "cannot be bound to a prefix"),
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
      /// Attributes compared by local name: libxml2 reports them by their name as written, and
      /// the generated documents use each local name once. Element names are compared whole.
      func parser(
        _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
      ) {
        var local: [String: String] = [:]
        for (key, value) in attributes where key != "xmlns" && !key.hasPrefix("xmlns:") {
          local[String(key.split(separator: ":").last!)] = value
        }
        events.append(
          .start(name: XMLReader.Name(namespaceURI.flatMap { $0.isEmpty ? nil : $0 }, element), attributes: [:]))
        self.attributes.append(local)
      }
      func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        events.append(.end(name: XMLReader.Name(namespaceURI.flatMap { $0.isEmpty ? nil : $0 }, element)))
      }
      var attributes: [[String: String]] = []
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
    /// entities and character references, CDATA, comments, non-ASCII text), with namespaces
    /// declared, redeclared and defaulted along the way: the reader and libxml2 (processing
    /// namespaces) see the same elements, by namespace URI and local name, the same attributes
    /// and text, in the same order.
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
        // Now and then a default namespace, or `w` bound to another URI for this element down.
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: attributes += " xmlns=\"urn:d\(depth)\""
        case 1: attributes += " xmlns:w=\"urn:w\(depth)\""
        case 2: attributes += " xmlns=\"\""
        default: break
        }
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
        let xml =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<w:document xmlns:w=\"urn:w\" xmlns:x=\"urn:x\">\(element(0))</w:document>\n"
        let reference = Reference()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = reference
        try #require(parser.parse(), "libxml2 refused \(xml)")
        var attributes: [[String: String]] = []
        let events = try Self.events(Array(xml.utf8)).map { event -> XMLReader.Event in
          guard case .start(let name, let given) = event else { return event }
          attributes.append(Dictionary(uniqueKeysWithValues: given.map { ($0.key.local, $0.value) }))
          return .start(name: name, attributes: [:])
        }
        #expect(events == reference.events, "\(xml)")
        #expect(attributes == reference.attributes, "\(xml)")
      }
    }
  #endif
}
