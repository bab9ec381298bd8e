/// A strict, non-validating reader of the XML inside office documents: elements, attributes,
/// character data, the five predefined entities, character references, comments, processing
/// instructions and CDATA sections, with names resolved to namespaces (Namespaces in XML 1.0).
/// Anything not well-formed or not namespace-well-formed is an error naming its line; a document
/// type declaration is refused outright, so no entity can expand.
///
/// Names reach the caller resolved: an element or attribute is its namespace URI and local name,
/// never the prefix the document happened to use (`w:p`, `x:p` and a default-namespace `p` are
/// the same element when they are bound to the same URI). Namespace declarations are consumed,
/// not reported as attributes.
///
/// Casebook reads XML only from DOCX packages, and Foundation's `XMLParser` would bring libxml2
/// and ICU into every process that starts, for a reader this small (see docs/DECISIONS.md).
enum XMLReader {
  /// An expanded name: the namespace URI (nil for none) and the local part.
  struct Name: Hashable, Sendable, CustomStringConvertible {
    let namespace: String?
    let local: String

    init(_ namespace: String?, _ local: String) {
      self.namespace = namespace
      self.local = local
    }

    /// Clark notation, `{uri}local`, or the local name alone when it has no namespace.
    var description: String { namespace.map { "{\($0)}\(local)" } ?? local }
  }

  enum Event: Equatable {
    case start(name: Name, attributes: [Name: String])
    case end(name: Name)
    case text(String)
  }

  /// The namespace the `xml` prefix is bound to, always, without a declaration.
  static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
  /// The namespace of `xmlns` itself, which no prefix may be bound to.
  static let xmlnsNamespace = "http://www.w3.org/2000/xmlns/"

  struct Failure: Error, Equatable {
    let line: Int
    let reason: String
    /// Whether the failure is a `<!…>` declaration (a DTD), which callers report in their own
    /// words rather than as broken XML.
    let declaration: Bool

    init(line: Int, reason: String, declaration: Bool = false) {
      self.line = line
      self.reason = reason
      self.declaration = declaration
    }

    var description: String { "line \(line): \(reason)" }
  }

  /// Reads `bytes` (UTF-8) and hands each event to `handle`, in document order.
  static func read(_ bytes: [UInt8], _ handle: (Event) -> Void) throws(Failure) {
    var scanner = Scanner(bytes: bytes)
    try scanner.run(handle)
  }

  private struct Scanner {
    let bytes: [UInt8]
    var i = 0
    /// The open elements: the name as written, which the end tag must repeat, its resolved
    /// name, and how many namespace bindings it added.
    var open: [(written: String, name: Name, bindings: Int)] = []
    /// Namespace bindings in scope, innermost last; prefix "" is the default namespace, and a
    /// nil URI undeclares it (`xmlns=""`).
    var bindings: [(prefix: String, uri: String?)] = []
    var rootClosed = false

    init(bytes: [UInt8]) {
      self.bytes = bytes
      // A byte-order mark may precede the document.
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    mutating func run(_ handle: (Event) -> Void) throws(Failure) {
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw Failure(line: 1, reason: "the document is not valid UTF-8")
      }
      // Every character of a document is an XML Char, written or referenced: no C0 control but
      // tab and the line ends, no U+FFFE or U+FFFF.
      var line = 1
      for scalar in text.unicodeScalars {
        if scalar == "\n" { line += 1 }
        guard Self.isChar(scalar.value) else {
          throw Failure(line: line, reason: "U+\(Self.hex(scalar.value)) is not a character XML allows")
        }
      }
      while i < bytes.count {
        if bytes[i] == UInt8(ascii: "<") {
          try markup(handle)
        } else {
          let text = try characterData()
          if open.isEmpty {
            guard text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else {
              throw fail("text outside the root element")
            }
          } else {
            handle(.text(text))
          }
        }
      }
      if let top = open.last { throw fail("<\(top.written)> is never closed") }
      guard rootClosed else { throw fail("the document has no root element") }
    }

    // MARK: Markup

    private mutating func markup(_ handle: (Event) -> Void) throws(Failure) {
      if starts("<!--") {
        // A comment may not hold `--`, nor end in `-` (`--->`): its first `--` is its end.
        guard let dashes = find("--", from: i + 4) else { throw fail("a comment is never closed") }
        i = dashes
        guard dashes + 2 < bytes.count, bytes[dashes + 2] == UInt8(ascii: ">") else {
          throw fail("a comment contains -- (only its end, -->, may)")
        }
        i = dashes + 3
      } else if starts("<![CDATA[") {
        guard !open.isEmpty else { throw fail("a CDATA section outside the root element") }
        let start = i + 9
        guard let end = find("]]>", from: start) else { throw fail("a CDATA section is never closed") }
        handle(.text(String(decoding: bytes[start..<end], as: UTF8.self)))
        i = end + 3
      } else if starts("<!") {
        throw fail("a declaration (<!…>) inside the document", declaration: true)
      } else if starts("<?") {
        try skip(past: "?>", from: i + 2, what: "processing instruction")
      } else if starts("</") {
        i += 2
        let name = try self.name()
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("</\(name) is not closed by >") }
        i += 1
        guard let top = open.popLast() else { throw fail("</\(name)> closes nothing") }
        guard top.written == name else { throw fail("</\(name)> closes <\(top.written)>") }
        bindings.removeLast(top.bindings)
        if open.isEmpty { rootClosed = true }
        handle(.end(name: top.name))
      } else {
        try startTag(handle)
      }
    }

    private mutating func startTag(_ handle: (Event) -> Void) throws(Failure) {
      i += 1
      let name = try self.name()
      if open.isEmpty && rootClosed { throw fail("<\(name)> after the root element") }
      var attributes: [(key: String, value: String)] = []
      var keys: Set<String> = []
      while true {
        let spaced = skipSpace()
        guard i < bytes.count else { throw fail("<\(name) is never closed by >") }
        if bytes[i] == UInt8(ascii: ">") {
          i += 1
          let (resolved, resolvedAttributes, added) = try resolve(name, attributes)
          open.append((name, resolved, added))
          handle(.start(name: resolved, attributes: resolvedAttributes))
          return
        }
        if starts("/>") {
          i += 2
          let (resolved, resolvedAttributes, added) = try resolve(name, attributes)
          bindings.removeLast(added)
          handle(.start(name: resolved, attributes: resolvedAttributes))
          handle(.end(name: resolved))
          if open.isEmpty { rootClosed = true }
          return
        }
        guard spaced else { throw fail("<\(name) needs a space before its next attribute") }
        let key = try self.name()
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("attribute \(key) has no value") }
        i += 1
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
          throw fail("the value of attribute \(key) is not quoted")
        }
        let quote = bytes[i]
        i += 1
        let value = try decoded(until: quote, what: "the value of attribute \(key)")
        i += 1
        guard keys.insert(key).inserted else { throw fail("attribute \(key) appears twice") }
        attributes.append((key, value))
      }
    }

    // MARK: Namespaces

    /// Takes the element's namespace declarations into scope (the caller removes them when the
    /// element ends) and resolves its name and its other attributes' names. A prefix must be
    /// declared; an unprefixed attribute is in no namespace (the default namespace is for
    /// elements only); no two attributes may resolve to the same name.
    private mutating func resolve(_ element: String, _ attributes: [(key: String, value: String)]) throws(Failure)
      -> (Name, [Name: String], Int)
    {
      var added = 0
      for (key, value) in attributes {
        let prefix: String
        if key == "xmlns" {
          prefix = ""
        } else if key.hasPrefix("xmlns:") {
          prefix = String(key.dropFirst(6))
          guard Self.isNCName(prefix) else { throw fail("\(key) does not declare a valid prefix") }
          guard !value.isEmpty else { throw fail("\(key)=\"\" (a prefix cannot be undeclared in XML 1.0)") }
          guard prefix != "xmlns" else { throw fail("the prefix xmlns cannot be declared") }
          guard (prefix == "xml") == (value == XMLReader.xmlNamespace) else {
            throw fail("the prefix xml and its namespace \(XMLReader.xmlNamespace) go only with each other")
          }
        } else {
          continue
        }
        guard value != XMLReader.xmlnsNamespace else {
          throw fail("\(XMLReader.xmlnsNamespace) cannot be bound to a prefix")
        }
        if prefix.isEmpty, value == XMLReader.xmlNamespace {
          throw fail("\(XMLReader.xmlNamespace) cannot be the default namespace")
        }
        bindings.append((prefix, value.isEmpty ? nil : value))
        added += 1
      }
      // A failure ends the read, so bindings added before it need not be taken back.
      let name = try split(element, isElement: true)
      var resolved: [Name: String] = [:]
      for (key, value) in attributes where key != "xmlns" && !key.hasPrefix("xmlns:") {
        let attribute = try split(key, isElement: false)
        guard resolved.updateValue(value, forKey: attribute) == nil else {
          throw fail("attributes \(key) and another name the same attribute, \(attribute)")
        }
      }
      return (name, resolved, added)
    }

    /// A name as written resolved to its namespace and local part.
    private func split(_ written: String, isElement: Bool) throws(Failure) -> Name {
      let parts = written.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard parts.count <= 2, parts.allSatisfy({ Self.isNCName($0) }) else {
        throw fail("\(written) is not a valid name with namespaces (one colon at most, between a prefix and a name)")
      }
      guard parts.count == 2 else {
        return Name(isElement ? uri(for: "") : nil, written)
      }
      let prefix = String(parts[0])
      guard let uri = prefix == "xml" ? XMLReader.xmlNamespace : uri(for: prefix) else {
        throw fail("the prefix \(prefix) of \(written) is not declared")
      }
      return Name(uri, String(parts[1]))
    }

    /// The URI `prefix` is bound to in scope, or nil (for "", no default namespace).
    private func uri(for prefix: String) -> String? {
      bindings.last(where: { $0.prefix == prefix })?.uri
    }

    /// Whether `name` is a name without a colon, non-empty and not starting with a digit, `-`
    /// or `.` (the scanner has checked the rest).
    private static func isNCName(_ name: some StringProtocol) -> Bool {
      guard let first = name.utf8.first else { return false }
      return !name.contains(":") && isNameByte(first, first: true)
    }

    /// Text up to the next `<`, entities decoded.
    private mutating func characterData() throws(Failure) -> String {
      try decoded(until: UInt8(ascii: "<"), what: "text")
    }

    /// Bytes from `i` up to (not past) `stop`, with entity and character references decoded.
    private mutating func decoded(until stop: UInt8, what: String) throws(Failure) -> String {
      var out: [UInt8] = []
      while i < bytes.count, bytes[i] != stop {
        switch bytes[i] {
        case UInt8(ascii: "&"):
          try reference(into: &out)
        case UInt8(ascii: "<"):
          throw fail("\(what) contains <")
        case UInt8(ascii: "]") where stop == UInt8(ascii: "<") && starts("]]>"):
          throw fail("text contains ]]> (write ]]&gt;)")
        default:
          out.append(bytes[i])
          i += 1
        }
      }
      if stop != UInt8(ascii: "<"), i >= bytes.count { throw fail("\(what) is never closed") }
      return String(decoding: out, as: UTF8.self)
    }

    private mutating func reference(into out: inout [UInt8]) throws(Failure) {
      // The body runs to the `;`. No length cap: `&#x0000000041;` is valid. The scan stops at a
      // byte no reference holds (markup, space, a quote), so a bare & reads only up to there.
      var semicolon = i + 1
      while semicolon < bytes.count, !Self.endsReference(bytes[semicolon]) { semicolon += 1 }
      guard semicolon < bytes.count, bytes[semicolon] == UInt8(ascii: ";") else {
        throw fail("a bare & (write &amp;)")
      }
      let body = bytes[(i + 1)..<semicolon]
      let named = String(decoding: body, as: UTF8.self)
      let scalar: Unicode.Scalar?
      switch named {
      case "amp": scalar = "&"
      case "lt": scalar = "<"
      case "gt": scalar = ">"
      case "quot": scalar = "\""
      case "apos": scalar = "'"
      default:
        if body.starts(with: "#x".utf8) {
          scalar = Self.number(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        } else if body.first == UInt8(ascii: "#") {
          scalar = Self.number(body.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
        } else {
          throw fail("unknown entity &\(named);")
        }
      }
      guard let scalar, Self.isChar(scalar.value) else { throw fail("&\(named); is not a character XML allows") }
      out.append(contentsOf: String(scalar).utf8)
      i = semicolon + 1
    }

    /// Whether `value` is an XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
    /// [#x10000-#x10FFFF].
    static func isChar(_ value: UInt32) -> Bool {
      switch value {
      case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
      default: false
      }
    }

    static func hex(_ value: UInt32) -> String {
      let digits = String(value, radix: 16, uppercase: true)
      return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Whether `b` cannot be part of a reference, so a `;` searched for is not there.
    private static func endsReference(_ b: UInt8) -> Bool {
      switch b {
      case UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
      case 0x20, 0x09, 0x0A, 0x0D: true
      default: false
      }
    }

    /// The value of `digits`, every one a digit of `radix` (XML allows no sign, unlike
    /// `UInt32(_:radix:)`), or nil when there are none, one is not a digit, or it overflows.
    private static func number(_ digits: ArraySlice<UInt8>, radix: UInt32) -> UInt32? {
      guard !digits.isEmpty else { return nil }
      var value: UInt32 = 0
      for b in digits {
        let digit: UInt32
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt32(b - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt32(b - UInt8(ascii: "A")) + 10
        default: return nil
        }
        let (times, o1) = value.multipliedReportingOverflow(by: radix)
        let (sum, o2) = times.addingReportingOverflow(digit)
        if o1 || o2 { return nil }
        value = sum
      }
      return value
    }

    // MARK: Pieces

    /// An element or attribute name (with any namespace prefix).
    private mutating func name() throws(Failure) -> String {
      let start = i
      while i < bytes.count, Self.isNameByte(bytes[i], first: i == start) { i += 1 }
      guard i > start else { throw fail("a tag or attribute without a name") }
      return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private static func isNameByte(_ b: UInt8, first: Bool) -> Bool {
      switch b {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"),
        UInt8(ascii: ":"), 0x80...:
        true
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."): !first
      default: false
      }
    }

    @discardableResult
    private mutating func skipSpace() -> Bool {
      let start = i
      while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
      return i > start
    }

    private mutating func skip(past terminator: String, from start: Int, what: String) throws(Failure) {
      guard let end = find(terminator, from: start) else { throw fail("a \(what) is never closed") }
      i = end + terminator.utf8.count
    }

    private func starts(_ prefix: String) -> Bool {
      bytes[i...].starts(with: prefix.utf8)
    }

    private func find(_ needle: String, from start: Int) -> Int? {
      let n = Array(needle.utf8)
      var k = start
      while k + n.count <= bytes.count {
        if bytes[k] == n[0], bytes[k..<(k + n.count)].elementsEqual(n) { return k }
        k += 1
      }
      return nil
    }

    private func fail(_ reason: String, declaration: Bool = false) -> Failure {
      let line = 1 + bytes[..<min(i, bytes.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
      return Failure(line: line, reason: reason, declaration: declaration)
    }
  }
}
