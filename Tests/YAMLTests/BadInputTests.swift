import Foundation
import Testing
import YAML

/// One refused document and where the error must point.
struct BadInput: Sendable, CustomTestStringConvertible {
  let name: String
  let bytes: [UInt8]
  let kind: YAMLError.Kind
  let line: Int?
  let column: Int?
  var limits = Limits.default

  var testDescription: String { name }

  init(
    _ name: String, _ text: String, _ kind: YAMLError.Kind, _ line: Int?, _ column: Int?,
    limits: Limits = .default
  ) {
    self.init(name, Array(text.utf8), kind, line, column, limits: limits)
  }

  init(
    _ name: String, _ bytes: [UInt8], _ kind: YAMLError.Kind, _ line: Int?, _ column: Int?,
    limits: Limits = .default
  ) {
    self.name = name
    self.bytes = bytes
    self.kind = kind
    self.line = line
    self.column = column
    self.limits = limits
  }

  static var billionLaughs: String {
    var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in 1...9 {
      let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      text += "a\(level): &a\(level) [\(refs)]\n"
    }
    return text
  }

  static let all: [BadInput] = [
    BadInput("duplicate top-level key", "a: 1\nb: 2\na: 3\n", .duplicateKey, 3, 1),
    BadInput("duplicate nested key", "x:\n  y:\n    a: 1\n    a: 2\n", .duplicateKey, 4, 5),
    BadInput("duplicate flow key", "x: {a: 1, a: 2}\n", .duplicateKey, 1, 11),
    BadInput("duplicate key by alias", "&k a: 1\n*k : 2\n", .duplicateKey, 2, 1),
    BadInput("billion laughs", billionLaughs, .aliasBudget, 4, nil),
    BadInput(
      "depth 1000 flow", String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000),
      .tooDeep, 1, 65),
    BadInput(
      "depth 1000 block",
      (0..<1000).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + " 1\n",
      .tooDeep, 65, 65),
    BadInput(
      "oversize document", String(repeating: "a: 1\n", count: 100), .tooLarge, nil, nil,
      limits: Limits(maxDocumentBytes: 100)),
    BadInput("too many nodes", "[1, 2, 3, 4, 5]", .tooLarge, 1, 14, limits: Limits(maxNodes: 5)),
    BadInput("invalid utf-8 byte", [0x61, 0x3A, 0x20, 0xFF, 0x0A], .invalidUTF8, 1, 4),
    BadInput(
      "invalid utf-8 on line 2", Array("a: é\nb: ".utf8) + [0xC3, 0x28], .invalidUTF8, 2, 4),
    BadInput("overlong utf-8", Array("a: ".utf8) + [0xC0, 0xAF], .invalidUTF8, 1, 4),
    BadInput("utf-8 surrogate", Array("a: x".utf8) + [0xED, 0xA0, 0x80], .invalidUTF8, 1, 5),
    BadInput("truncated utf-8", Array("a: ".utf8) + [0xE2, 0x82], .invalidUTF8, 1, 4),
    BadInput("two documents", "a: 1\n---\nb: 2\n", .multipleDocuments, 2, 1),
    BadInput("unknown tag on scalar", "a: !python/object:os.system echo\n", .unsupported, 1, 4),
    BadInput("unknown tag on mapping", "a: !python/object {x: 1}\n", .unsupported, 1, 4),
    BadInput("wrong core tag on sequence", "a: !!map [1]\n", .unsupported, 1, 4),
    BadInput("value not fitting its tag", "a: !!int abc\n", .syntax, 1, 4),
    BadInput("complex key", "? [a]\n: b\n", .unsupported, 1, 3),
    BadInput("flow complex key", "{[a]: b}\n", .unsupported, 1, 2),
    BadInput("unterminated quote", "a: 1\nb: \"abc\nc: 2\n", .syntax, 4, 1),
    BadInput("bad indentation", "a:\n  b: 1\n c: 2\n", .syntax, 3, 2),
    BadInput("unknown alias", "a: *nope\n", .syntax, 1, 4),
    BadInput("raw control character", "a: b\u{7}c\n", .syntax, 1, 5),
  ]
}

@Suite struct BadInputTests {
  @Test(arguments: BadInput.all)
  func refused(input: BadInput) throws {
    do {
      let node = try YAML.parse(Data(input.bytes), limits: input.limits)
      Issue.record("parsed as \(node)")
    } catch {
      #expect(error.kind == input.kind, "\(error.errorDescription ?? "")")
      if let line = input.line { #expect(error.line == line, "\(error.errorDescription ?? "")") }
      if let column = input.column {
        #expect(error.column == column, "\(error.errorDescription ?? "")")
      }
      #expect(
        error.message == error.message.lowercased() || error.kind == .duplicateKey
          || error.kind == .unsupported)
      if error.line != nil { #expect(error.snippet != nil) }
    }
  }

  @Test func libyamlErrorCarriesProblemAndSnippet() throws {
    #expect {
      try YAML.parse("a: 1\nb: \"abc\nc: 2\n")
    } throws: { error in
      guard let error = error as? YAMLError else { return false }
      return error.message.contains("found unexpected end of stream")
        && error.message.contains("quoted scalar")
        && error.errorDescription!.hasPrefix("line 4, column 1:")
    }
  }

  @Test func duplicateKeyMessageAndSnippet() throws {
    #expect {
      try YAML.parse("gate_stage: 1\nother: 2\ngate_stage: 3\n")
    } throws: { error in
      guard let error = error as? YAMLError else { return false }
      return error.message == "duplicate key 'gate_stage'" && error.snippet == "gate_stage: 3"
        && error.errorDescription == "line 3, column 1: duplicate key 'gate_stage'\ngate_stage: 3"
    }
  }

  @Test func stringOverLimitIsRefusedBeforeParsing() {
    let text = "a: [" + String(repeating: "x", count: 200)  // unterminated: would be a syntax error
    #expect { try YAML.parse(text, limits: Limits(maxDocumentBytes: 100)) } throws: {
      ($0 as? YAMLError)?.kind == .tooLarge
    }
  }
}
