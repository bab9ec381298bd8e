import Testing
import YAML

@Suite struct EmitTests {
  @Test func canonicalForm() {
    let node: Node = [
      "project_id": "bau-2024",
      "gate_stage": 2,
      "budget": 1.5e6,
      "ratio": 0.25,
      "approved": false,
      "reviewer": nil,
      "stakeholders": [
        ["name": "Finance", "role": "approver"],
        ["name": "Estates", "role": "owner", "tags": ["a", "b"]],
      ],
      "key_risks": ["cost", "yes", "1.0", ""],
      "empty_map": [:],
      "empty_list": [],
      "summary": "line one\nline two\n",
      "nested": ["deep": ["deeper": "x: y"]],
      "matrix": [[1, 2], [], [[3]]],
    ]
    let expected = """
      project_id: bau-2024
      gate_stage: 2
      budget: 1500000.0
      ratio: 0.25
      approved: false
      reviewer: null
      stakeholders:
        - name: Finance
          role: approver
        - name: Estates
          role: owner
          tags:
            - a
            - b
      key_risks:
        - cost
        - "yes"
        - "1.0"
        - ""
      empty_map: {}
      empty_list: []
      summary: |
        line one
        line two
      nested:
        deep:
          deeper: "x: y"
      matrix:
        - - 1
          - 2
        - []
        - - - 3

      """
    #expect(YAML.emit(node) == expected)
  }

  @Test(arguments: [
    (Node.null, "null\n"), (.bool(true), "true\n"), (.int(-3), "-3\n"), (.float(1), "1.0\n"),
    (.float(.infinity), ".inf\n"), (.float(-.infinity), "-.inf\n"), (.float(.nan), ".nan\n"),
    (.float(1e-5), "1e-05\n"), (.float(-0.0), "-0.0\n"), (.string("plain"), "plain\n"),
    (.string(""), "\"\"\n"),
    (.string("a\nb"), "|-\n  a\n  b\n"), (.string("a\nb\n"), "|\n  a\n  b\n"),
    (.string("a\n\n"), "\"a\\n\\n\"\n"),
    (.string(" a\nb"), "|2-\n   a\n  b\n"), (.string("tab\there"), "\"tab\\there\"\n"),
    (.string("a\r\nb"), "\"a\\r\\nb\"\n"),
    (.string("\u{7}"), "\"\\a\"\n"), (.string("\u{2028}"), "\"\\L\"\n"),
    (.string("\u{FEFF}x"), "\"\\uFEFFx\"\n"),
    (.mapping(Mapping()), "{}\n"), (.sequence([]), "[]\n"),
  ])
  func scalarsAndEmptyCollections(node: Node, expected: String) throws {
    #expect(YAML.emit(node) == expected)
    #expect(try YAML.parse(expected) == node)
  }

  @Test func keepBlockWhenNotLast() throws {
    let node: Node = ["a": "x\n\n", "b": 1]
    #expect(YAML.emit(node) == "a: |+\n  x\n\nb: 1\n")
    #expect(try YAML.parse(YAML.emit(node)) == node)
  }

  @Test func unsafeKeysAreQuoted() throws {
    let node: Node = ["": 1, "true": 2, "a: b": 3, "- x": 4, "ok key": 5, "1": 6, "multi\nline": 7]
    let text = YAML.emit(node)
    #expect(
      text
        == "\"\": 1\n\"true\": 2\n\"a: b\": 3\n\"- x\": 4\nok key: 5\n\"1\": 6\n\"multi\\nline\": 7\n"
    )
    #expect(try YAML.parse(text) == node)
  }

  @Test func longKeyUsesExplicitForm() throws {
    let key = String(repeating: "k", count: 1500)
    let node: Node = .mapping(Mapping([(key, ["a": 1] as Node), ("short", [1] as Node)]))
    let text = YAML.emit(node)
    #expect(text.hasPrefix("? kkk"))
    #expect(try YAML.parse(text) == node)
  }

  @Test func parsedDocumentReEmitsCanonically() throws {
    let source = "b:   [1,2 , 'three']\na: {x: \"z\"}\nc: >\n  folded\n  text\n"
    let text = YAML.emit(try YAML.parse(source))
    #expect(text == "b:\n  - 1\n  - 2\n  - three\na:\n  x: z\nc: |\n  folded text\n")
  }
}
