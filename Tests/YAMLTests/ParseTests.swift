import Foundation
import Testing
import YAML

@Suite struct ParseTests {
  @Test func emptyInputIsNull() throws {
    #expect(try YAML.parse("") == .null)
    #expect(try YAML.parse("# only a comment\n\n") == .null)
    #expect(try YAML.parse("---\n") == .null)
  }

  @Test(arguments: [
    ("null", Node.null), ("Null", .null), ("NULL", .null), ("~", .null),
    ("true", .bool(true)), ("True", .bool(true)), ("FALSE", .bool(false)),
    ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")),
    ("42", .int(42)), ("-7", .int(-7)), ("+12", .int(12)), ("012", .int(12)),
    ("0o17", .int(15)), ("0x1F", .int(31)), ("-0x1F", .string("-0x1F")),
    ("99999999999999999999", .string("99999999999999999999")),
    ("1.5", .float(1.5)), ("1e3", .float(1000)), (".5", .float(0.5)), ("-2.", .float(-2)),
    (".inf", .float(.infinity)), ("-.Inf", .float(-.infinity)), (".NaN", .float(.nan)),
    ("1.2.3", .string("1.2.3")), ("2024-01-01", .string("2024-01-01")),
    ("hello world", .string("hello world")),
    ("'42'", .string("42")), ("\"true\"", .string("true")), ("!!str 42", .string("42")),
    ("!!int \"42\"", .int(42)), ("!!float 1", .float(1)), ("!!bool true", .bool(true)),
    ("!!null ''", .null),
    ("! 42", .string("42")),
  ])
  func coreSchemaTyping(text: String, expected: Node) throws {
    #expect(try YAML.parse("v: \(text)\n")["v"] == expected)
  }

  @Test func blockScalarsAreStrings() throws {
    let node = try YAML.parse("a: |\n  42\nb: >-\n  folded\n  text\n")
    #expect(node["a"] == "42\n")
    #expect(node["b"] == "folded text")
  }

  @Test func keepsMappingOrderAndKeysAreRawText() throws {
    let node = try YAML.parse("z: 1\na: 2\n1: 3\ntrue: 4\n~: 5\n")
    #expect(node.mapping?.keys == ["z", "a", "1", "true", "~"])
  }

  @Test func mergeKeyIsPlain() throws {
    let node = try YAML.parse("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n")
    #expect(node["use"] == ["<<": ["x": 1], "y": 2])
  }

  @Test func aliasesExpandToCopies() throws {
    let node = try YAML.parse("a: &x [1, {b: c}]\nb: *x\n&k key: 1\nother: *k\n")
    #expect(node["a"] == node["b"])
    #expect(node["other"] == "key")
  }

  @Test func aliasWithinBudgetIsAccepted() throws {
    var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    text += "a1: &a1 [*a0, *a0, *a0]\n"
    let node = try YAML.parse(text)
    #expect(node["a1"]?.sequence?.count == 3)
  }

  @Test func depthAtTheLimitIsAccepted() throws {
    let limits = Limits(maxDepth: 64)
    let text = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    #expect(throws: Never.self) { try YAML.parse(text, limits: limits) }
    #expect(try YAML.parse(text, limits: limits).depth == 64)
    let deeper = "[" + text + "]"
    #expect { try YAML.parse(deeper, limits: limits) } throws: { ($0 as? YAMLError)?.kind == .tooDeep }
  }

  /// `Node.depth` counts nested collections the way the parser's depth limit does.
  @Test func depthCountsNestedCollections() throws {
    #expect(Node.string("x").depth == 0)
    #expect(try YAML.parse("[]").depth == 1)
    #expect(try YAML.parse("a: 1\nb: [1, {c: [2]}]\n").depth == 4)
    #expect(try YAML.parse("- {}\n- [[[]]]\n- x\n").depth == 4)
  }

  @Test func aliasThatWouldExceedDepthIsRefused() throws {
    let limits = Limits(maxDepth: 3)
    let text = "a: &x [[1]]\nb: [*x]\n"
    #expect(throws: Never.self) { try YAML.parse("a: &x [[1]]\n", limits: limits) }
    #expect { try YAML.parse(text, limits: limits) } throws: {
      ($0 as? YAMLError)?.kind == .tooDeep
    }
  }

  @Test func dataAndStringAgree() throws {
    let text = "name: ünï©ødé\nlist: [1, 2]\n"
    #expect(try YAML.parse(Data(text.utf8)) == YAML.parse(text))
  }

  @Test func nodeConveniences() throws {
    let node: Node = ["s": "x", "i": 3, "f": 1.5, "b": true, "n": nil, "q": [1], "m": ["k": "v"]]
    #expect(node["s"]?.string == "x")
    #expect(node["i"]?.int == 3)
    #expect(node["i"]?.double == 3)
    #expect(node["f"]?.double == 1.5)
    #expect(node["b"]?.bool == true)
    #expect(node["n"]?.isNull == true)
    #expect(node["q"]?.sequence == [1])
    #expect(node["m"]?.mapping?.keys == ["k"])
    #expect(node["missing"] == nil)
    #expect(node["s"]?["x"] == nil)
    #expect(node.typeName == "mapping")
    #expect(Node.float(.nan) == Node.float(.nan))
  }

  @Test func mappingEditing() {
    var mapping: Mapping = ["a": 1, "b": 2, "c": 3]
    mapping["b"] = nil
    mapping["d"] = 4
    mapping["a"] = 10
    #expect(mapping.keys == ["a", "c", "d"])
    #expect(mapping.index(forKey: "d") == 2)
    #expect(mapping.removeValue(forKey: "a") == 10)
    #expect(mapping.index(forKey: "d") == 1)
    #expect(mapping.map(\.key) == ["c", "d"])
    #expect(Mapping([("x", 1), ("y", 2), ("x", 3)]) == ["x": 3, "y": 2])
  }

  @Test func errorDescriptionHasPositionAndSnippet() {
    let error = YAMLError(
      kind: .duplicateKey, message: "duplicate key 'a'", line: 3, column: 5, snippet: "    a: 1")
    #expect(error.errorDescription == "line 3, column 5: duplicate key 'a'\n    a: 1")
  }
}
