#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Text from HTML with `h1`…`h6` as headings and block elements as paragraphs. Real pages are
/// rarely well-formed XML, so this is a tolerant tag scanner, not a parser: unknown or unclosed
/// tags are ignored (inline ones join their text), `script`, `style`, `template`, `title` and
/// comments are skipped.
enum HTMLText {
  static let blockTags: Set<String> = [
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "thead", "tbody", "tfoot", "caption",
    "blockquote", "pre", "section", "article", "aside", "header", "footer", "nav", "main", "figure", "figcaption",
    "form", "fieldset", "address", "hr", "body", "html", "head",
  ]
  static let skippedTags: Set<String> = ["script", "style", "template", "title", "noscript", "svg"]

  static func extract(_ html: String) throws(LocatorOverflow) -> ExtractedText {
    var out = ExtractedText()
    var buffer = ""
    var heading: Int?
    let s = Array(html.unicodeScalars)
    var i = 0

    func flush() throws(LocatorOverflow) {
      let text = decodeEntities(buffer)
      buffer = ""
      if let level = heading { try out.heading(level: level, text) } else { try out.paragraph(text) }
    }

    while i < s.count {
      guard s[i] == "<" else {
        buffer.unicodeScalars.append(s[i])
        i += 1
        continue
      }
      if starts(s, i, "<!--") {
        i = find(s, from: i + 4, "-->").map { $0 + 3 } ?? s.count
        continue
      }
      guard i + 1 < s.count, s[i + 1] == "/" || s[i + 1] == "!" || s[i + 1] == "?" || s[i + 1].properties.isAlphabetic
      else {
        buffer.unicodeScalars.append(s[i])  // a lone `<` in text
        i += 1
        continue
      }
      let end = tagEnd(s, from: i + 1)
      let closing = s[i + 1] == "/"
      var j = i + (closing ? 2 : 1)
      var name = ""
      while j < end, s[j].properties.isAlphabetic || ("0"..."9").contains(s[j]) {
        name.unicodeScalars.append(s[j])
        j += 1
      }
      name = name.lowercased()
      i = min(end + 1, s.count)
      if !closing, skippedTags.contains(name) {
        // Skip to the matching close tag (or the end), whatever it holds.
        let close = "</" + name
        var k = i
        while k < s.count, !startsCaseInsensitive(s, k, close) { k += 1 }
        i = k < s.count ? min(tagEnd(s, from: k + 1) + 1, s.count) : s.count
        continue
      }
      if name.count == 2, name.hasPrefix("h"), let level = Int(name.dropFirst()), (1...6).contains(level) {
        try flush()
        heading = closing ? nil : level
      } else if name == "br" {
        buffer += "\n"
      } else if blockTags.contains(name) {
        try flush()
      }
    }
    try flush()
    out.finish()
    return out
  }

  /// The index of the `>` that ends a tag starting before `from`, skipping quoted attribute values.
  private static func tagEnd(_ s: [Unicode.Scalar], from: Int) -> Int {
    var quote: Unicode.Scalar?
    var k = from
    while k < s.count {
      let c = s[k]
      if let q = quote {
        if c == q { quote = nil }
      } else if c == "\"" || c == "'" {
        quote = c
      } else if c == ">" {
        return k
      }
      k += 1
    }
    return s.count
  }

  private static func starts(_ s: [Unicode.Scalar], _ i: Int, _ prefix: String) -> Bool {
    var k = i
    for c in prefix.unicodeScalars {
      guard k < s.count, s[k] == c else { return false }
      k += 1
    }
    return true
  }

  private static func startsCaseInsensitive(_ s: [Unicode.Scalar], _ i: Int, _ prefix: String) -> Bool {
    var k = i
    for c in prefix.unicodeScalars {
      guard k < s.count, s[k].properties.lowercaseMapping == c.properties.lowercaseMapping else { return false }
      k += 1
    }
    return true
  }

  private static func find(_ s: [Unicode.Scalar], from: Int, _ needle: String) -> Int? {
    var k = from
    while k < s.count {
      if starts(s, k, needle) { return k }
      k += 1
    }
    return nil
  }

  static let entities: [String: String] = [
    "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
    "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "hellip": "…", "pound": "£", "euro": "€", "copy": "©",
    "bull": "•", "middot": "·",
  ]

  /// Replaces `&name;`, `&#NNN;` and `&#xHH;`; anything else is left as written.
  static func decodeEntities(_ text: String) -> String {
    guard text.contains("&") else { return text }
    var out = ""
    var rest = Substring(text)
    while let amp = rest.firstIndex(of: "&") {
      out += rest[..<amp]
      let after = rest[rest.index(after: amp)...]
      if let semi = after.prefix(12).firstIndex(of: ";") {
        let name = after[..<semi]
        var replacement: String?
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
          replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
        } else if name.hasPrefix("#") {
          replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
        } else {
          replacement = entities[String(name)]
        }
        if let replacement {
          out += replacement
          rest = after[after.index(after: semi)...]
          continue
        }
      }
      out += "&"
      rest = after
    }
    return out + rest
  }
}
