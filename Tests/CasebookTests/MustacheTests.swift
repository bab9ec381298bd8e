import Foundation
import Mustache
import TestSupport
import Testing
import YAML

@testable import Casebook
@testable import CasebookMustache

/// Casebook's own Mustache, which renders skeletons: the spec's cases for what skeletons offer,
/// swift-mustache (which rendered them before, and stays as the oracle) on thousands of random
/// templates and on every shipped skeleton, and the syntax errors with their line and column.
@Suite("Mustache")
struct MustacheTests {
  // MARK: Helpers

  /// Renders with Casebook's parser and renderer.
  static func render(_ template: String, _ context: MustacheValue) throws -> String {
    try MustacheNode.render(MustacheParser.parse(template), context: context)
  }

  /// YAML (JSON included) as the context a skeleton sees: nulls, false and empty text left out.
  static func context(_ yaml: String) throws -> MustacheValue {
    try #require(Skeleton.mustacheValue(try YAML.parse(yaml)))
  }

  /// The pragma Casebook prepended to turn swift-mustache's HTML escaping off.
  static let pragma = "{{% CONTENT_TYPE: TEXT }}"

  /// swift-mustache with the pragma on a line of its own: a standalone tag, so that line goes and
  /// the template's first line is a line like any other, as in the spec and in Casebook's parser.
  /// (Casebook prepended it on the first line; `productionOracle` does that.)
  static func oracle(_ template: String, _ context: Any) throws -> String {
    try MustacheTemplate(string: pragma + "\n" + template).render(context)
  }

  /// swift-mustache exactly as Casebook called it before it had its own parser.
  static func productionOracle(_ template: String, _ context: Any) throws -> String {
    try MustacheTemplate(string: pragma + template).render(context)
  }

  /// A profile value as Casebook gave it to swift-mustache: maps as dictionaries, lists as arrays,
  /// scalars as text, with null, false and empty text left out. With `sorted`, maps print with
  /// sorted keys (as Casebook prints them) instead of in a Swift dictionary's per-process order.
  static func oracleValue(_ node: Node, sorted: Bool) -> Any? {
    switch node {
    case .null: return nil
    case .bool(let flag): return flag ? "true" : nil
    case .int(let number): return String(number)
    case .float(let number): return String(number)
    case .string(let text): return text.isEmpty ? nil : text
    case .sequence(let items): return items.compactMap { oracleValue($0, sorted: sorted) }
    case .mapping(let map):
      var out: [String: Any] = [:]
      for (key, value) in map {
        if let converted = oracleValue(value, sorted: sorted) { out[key] = converted }
      }
      return sorted ? SortedMap(values: out) : out
    }
  }

  static func oracleContext(_ yaml: String) throws -> Any {
    try #require(oracleValue(try YAML.parse(yaml), sorted: true))
  }

  /// The syntax error Casebook's parser gives, or nil if it parses.
  static func syntaxError(_ template: String) -> MustacheSyntaxError? {
    do {
      _ = try MustacheParser.parse(template)
      return nil
    } catch {
      return error
    }
  }

  // MARK: The spec

  struct SpecCase: CustomTestStringConvertible, Sendable {
    let name: String
    let template: String
    let data: String
    let expected: String
    /// Where swift-mustache parts from the spec or from Casebook on purpose (see `deviations`).
    var oracleAgrees = true
    var testDescription: String { name }
  }

  /// The spec's cases (mustache/spec, specs/*.yml) for interpolation, sections, inverted
  /// sections, comments and partials, as far as skeletons have them: data are YAML/JSON (booleans
  /// become "true" or nothing, numbers their text), output is not HTML-escaped, no partial exists.
  static let specCases: [SpecCase] = [
    // interpolation.yml
    SpecCase(
      name: "No Interpolation", template: "Hello from {Mustache}!\n", data: "{}", expected: "Hello from {Mustache}!\n"),
    SpecCase(
      name: "Basic Interpolation", template: "Hello, {{subject}}!\n", data: "{subject: world}",
      expected: "Hello, world!\n"),
    SpecCase(
      name: "No Re-interpolation", template: "{{template}}: {{planet}}",
      data: "{template: '{{planet}}', planet: Earth}", expected: "{{planet}}: Earth"),
    SpecCase(
      name: "HTML Escaping (not: skeletons are text)", template: "These characters: {{forbidden}}\n",
      data: #"{forbidden: '& " < >'}"#, expected: "These characters: & \" < >\n"),
    SpecCase(
      name: "Triple Mustache", template: "These characters: {{{forbidden}}}\n", data: #"{forbidden: '& " < >'}"#,
      expected: "These characters: & \" < >\n"),
    SpecCase(
      name: "Ampersand", template: "These characters: {{&forbidden}}\n", data: #"{forbidden: '& " < >'}"#,
      expected: "These characters: & \" < >\n"),
    SpecCase(
      name: "Basic Integer Interpolation", template: #""{{mph}} miles an hour!""#, data: "{mph: 85}",
      expected: #""85 miles an hour!""#),
    SpecCase(
      name: "Triple Mustache Integer Interpolation", template: #""{{{mph}}} miles an hour!""#, data: "{mph: 85}",
      expected: #""85 miles an hour!""#),
    SpecCase(
      name: "Ampersand Integer Interpolation", template: #""{{&mph}} miles an hour!""#, data: "{mph: 85}",
      expected: #""85 miles an hour!""#),
    SpecCase(
      name: "Basic Decimal Interpolation", template: #""{{power}} jiggawatts!""#, data: "{power: 1.210}",
      expected: #""1.21 jiggawatts!""#),
    SpecCase(
      name: "Basic Null Interpolation", template: #""I ({{cannot}}) be seen!""#, data: "{cannot: null}",
      expected: #""I () be seen!""#),
    SpecCase(
      name: "Triple Mustache Null Interpolation", template: #""I ({{{cannot}}}) be seen!""#, data: "{cannot: null}",
      expected: #""I () be seen!""#),
    SpecCase(
      name: "Basic Context Miss Interpolation", template: #""I ({{cannot}}) be seen!""#, data: "{}",
      expected: #""I () be seen!""#),
    SpecCase(
      name: "Dotted Names - Basic Interpolation", template: #""{{person.name}}" == "{{#person}}{{name}}{{/person}}""#,
      data: "{person: {name: Joe}}", expected: #""Joe" == "Joe""#),
    SpecCase(
      name: "Dotted Names - Triple Mustache Interpolation",
      template: #""{{{person.name}}}" == "{{#person}}{{{name}}}{{/person}}""#, data: "{person: {name: Joe}}",
      expected: #""Joe" == "Joe""#),
    SpecCase(
      name: "Dotted Names - Arbitrary Depth", template: #""{{a.b.c.d.e.name}}" == "Phil""#,
      data: "{a: {b: {c: {d: {e: {name: Phil}}}}}}", expected: #""Phil" == "Phil""#),
    SpecCase(
      name: "Dotted Names - Broken Chains", template: #""{{a.b.c}}" == """#, data: "{a: {}}", expected: #""" == """#),
    SpecCase(
      name: "Dotted Names - Broken Chain Resolution", template: #""{{a.b.c.name}}" == """#,
      data: "{a: {b: {}}, c: {name: Jim}}", expected: #""" == """#),
    SpecCase(
      name: "Dotted Names - Initial Resolution", template: #""{{#a}}{{b.c.d.e.name}}{{/a}}" == "Phil""#,
      data: "{a: {b: {c: {d: {e: {name: Phil}}}}}, b: {c: {d: {e: {name: Wrong}}}}}", expected: #""Phil" == "Phil""#),
    SpecCase(
      name: "Dotted Names - Context Precedence", template: "{{#a}}{{b.c}}{{/a}}", data: "{a: {b: {}}, b: {c: ERROR}}",
      expected: ""),
    SpecCase(
      name: "Implicit Iterators - Basic Interpolation", template: "Hello, {{.}}!\n", data: "world",
      expected: "Hello, world!\n"),
    SpecCase(
      name: "Implicit Iterators - Triple Mustache", template: "These characters: {{{.}}}\n", data: #"'& " < >'"#,
      expected: "These characters: & \" < >\n"),
    SpecCase(
      name: "Implicit Iterators - Basic Integer Interpolation", template: #""{{.}} miles an hour!""#, data: "85",
      expected: #""85 miles an hour!""#),
    SpecCase(
      name: "Interpolation - Surrounding Whitespace", template: "| {{string}} |", data: "{string: '---'}",
      expected: "| --- |"),
    SpecCase(
      name: "Triple Mustache - Surrounding Whitespace", template: "| {{{string}}} |", data: "{string: '---'}",
      expected: "| --- |"),
    SpecCase(
      name: "Ampersand - Surrounding Whitespace", template: "| {{&string}} |", data: "{string: '---'}",
      expected: "| --- |"),
    SpecCase(
      name: "Interpolation - Standalone", template: "  {{string}}\n", data: "{string: '---'}", expected: "  ---\n"),
    SpecCase(
      name: "Triple Mustache - Standalone", template: "  {{{string}}}\n", data: "{string: '---'}", expected: "  ---\n"),
    SpecCase(name: "Ampersand - Standalone", template: "  {{&string}}\n", data: "{string: '---'}", expected: "  ---\n"),
    SpecCase(
      name: "Interpolation With Padding", template: "|{{ string }}|", data: "{string: '---'}", expected: "|---|"),
    SpecCase(
      name: "Triple Mustache With Padding", template: "|{{{ string }}}|", data: "{string: '---'}", expected: "|---|"),
    SpecCase(name: "Ampersand With Padding", template: "|{{& string }}|", data: "{string: '---'}", expected: "|---|"),

    // sections.yml
    SpecCase(
      name: "Sections - Truthy", template: #""{{#boolean}}This should be rendered.{{/boolean}}""#,
      data: "{boolean: true}", expected: #""This should be rendered.""#),
    SpecCase(
      name: "Sections - Falsey", template: #""{{#boolean}}This should not be rendered.{{/boolean}}""#,
      data: "{boolean: false}", expected: #""""#),
    SpecCase(
      name: "Sections - Null is falsey", template: #""{{#null}}This should not be rendered.{{/null}}""#,
      data: "{null: null}", expected: #""""#),
    SpecCase(
      name: "Sections - Context", template: #""{{#context}}Hi {{name}}.{{/context}}""#, data: "{context: {name: Joe}}",
      expected: #""Hi Joe.""#),
    SpecCase(
      name: "Sections - Parent contexts", template: #""{{#sec}}{{a}}, {{b}}, {{c.d}}{{/sec}}""#,
      data: "{a: foo, b: wrong, sec: {b: bar}, c: {d: baz}}", expected: #""foo, bar, baz""#),
    SpecCase(
      name: "Sections - Variable test", template: #""{{#foo}}{{.}} is {{foo}}{{/foo}}""#, data: "{foo: bar}",
      expected: #""bar is bar""#),
    SpecCase(
      name: "Sections - List Context",
      template:
        "{{#tops}}{{#middles}}{{tname.lower}}{{mname}}.{{#bottoms}}{{tname.upper}}{{mname}}{{bname}}.{{/bottoms}}{{/middles}}{{/tops}}",
      data: "{tops: [{tname: {upper: A, lower: a}, middles: [{mname: '1', bottoms: [{bname: x}, {bname: y}]}]}]}",
      expected: "a1.A1x.A1y."),
    SpecCase(
      name: "Sections - Deeply Nested Contexts",
      template: """
        {{#a}}
        {{one}}
        {{#b}}
        {{one}}{{two}}{{one}}
        {{#c}}
        {{one}}{{two}}{{three}}{{two}}{{one}}
        {{#d}}
        {{one}}{{two}}{{three}}{{four}}{{three}}{{two}}{{one}}
        {{#five}}
        {{one}}{{two}}{{three}}{{four}}{{five}}{{four}}{{three}}{{two}}{{one}}
        {{one}}{{two}}{{three}}{{four}}{{.}}6{{.}}{{four}}{{three}}{{two}}{{one}}
        {{one}}{{two}}{{three}}{{four}}{{five}}{{four}}{{three}}{{two}}{{one}}
        {{/five}}
        {{one}}{{two}}{{three}}{{four}}{{three}}{{two}}{{one}}
        {{/d}}
        {{one}}{{two}}{{three}}{{two}}{{one}}
        {{/c}}
        {{one}}{{two}}{{one}}
        {{/b}}
        {{one}}
        {{/a}}

        """,
      data: "{a: {one: 1}, b: {two: 2}, c: {three: 3, d: {four: 4, five: 5}}}",
      expected: "1\n121\n12321\n1234321\n123454321\n12345654321\n123454321\n1234321\n12321\n121\n1\n"),
    SpecCase(
      name: "Sections - List", template: #""{{#list}}{{item}}{{/list}}""#,
      data: "{list: [{item: 1}, {item: 2}, {item: 3}]}",
      expected: #""123""#),
    SpecCase(
      name: "Sections - Empty List", template: #""{{#list}}Yay lists!{{/list}}""#, data: "{list: []}", expected: #""""#),
    SpecCase(
      name: "Sections - Doubled", template: "{{#bool}}\n* first\n{{/bool}}\n* {{two}}\n{{#bool}}\n* third\n{{/bool}}\n",
      data: "{bool: true, two: second}", expected: "* first\n* second\n* third\n"),
    SpecCase(
      name: "Sections - Nested (Truthy)", template: "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
      data: "{bool: true}", expected: "| A B C D E |"),
    SpecCase(
      name: "Sections - Nested (Falsey)", template: "| A {{#bool}}B {{#bool}}C{{/bool}} D{{/bool}} E |",
      data: "{bool: false}", expected: "| A  E |"),
    SpecCase(
      name: "Sections - Context Misses", template: "[{{#missing}}Found key 'missing'!{{/missing}}]", data: "{}",
      expected: "[]"),
    SpecCase(
      name: "Sections - Implicit Iterator - String", template: #""{{#list}}({{.}}){{/list}}""#,
      data: "{list: [a, b, c, d, e]}", expected: #""(a)(b)(c)(d)(e)""#),
    SpecCase(
      name: "Sections - Implicit Iterator - Integer", template: #""{{#list}}({{.}}){{/list}}""#,
      data: "{list: [1, 2, 3, 4, 5]}", expected: #""(1)(2)(3)(4)(5)""#),
    SpecCase(
      name: "Sections - Implicit Iterator - Decimal", template: #""{{#list}}({{.}}){{/list}}""#,
      data: "{list: [1.10, 2.20, 3.30, 4.40, 5.50]}", expected: #""(1.1)(2.2)(3.3)(4.4)(5.5)""#),
    SpecCase(
      name: "Sections - Implicit Iterator - Array", template: #""{{#list}}({{#.}}{{.}}{{/.}}){{/list}}""#,
      data: "{list: [[1, 2, 3], [a, b, c]]}", expected: #""(123)(abc)""#),
    SpecCase(
      name: "Sections - Implicit Iterator - Root-level", template: #""{{#.}}({{value}}){{/.}}""#,
      data: "[{value: a}, {value: b}]", expected: #""(a)(b)""#),
    SpecCase(
      name: "Sections - Dotted Names - Truthy", template: #""{{#a.b.c}}Here{{/a.b.c}}" == "Here""#,
      data: "{a: {b: {c: true}}}", expected: #""Here" == "Here""#),
    SpecCase(
      name: "Sections - Dotted Names - Falsey", template: #""{{#a.b.c}}Here{{/a.b.c}}" == """#,
      data: "{a: {b: {c: false}}}", expected: #""" == """#),
    SpecCase(
      name: "Sections - Dotted Names - Broken Chains", template: #""{{#a.b.c}}Here{{/a.b.c}}" == """#,
      data: "{a: {}}", expected: #""" == """#),
    SpecCase(
      name: "Sections - Surrounding Whitespace", template: " | {{#boolean}}\t|\t{{/boolean}} | \n",
      data: "{boolean: true}", expected: " | \t|\t | \n"),
    SpecCase(
      name: "Sections - Internal Whitespace",
      template: " | {{#boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n",
      data: "{boolean: true}", expected: " |  \n  | \n"),
    SpecCase(
      name: "Sections - Indented Inline Sections",
      template: " {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n",
      data: "{boolean: true}", expected: " YES\n GOOD\n"),
    SpecCase(
      name: "Sections - Standalone Lines", template: "| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line\n",
      data: "{boolean: true}", expected: "| This Is\n|\n| A Line\n"),
    SpecCase(
      name: "Sections - Indented Standalone Lines",
      template: "| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line\n",
      data: "{boolean: true}", expected: "| This Is\n|\n| A Line\n"),
    SpecCase(
      name: "Sections - Standalone Line Endings", template: "|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|",
      data: "{boolean: true}", expected: "|\r\n|"),
    SpecCase(
      name: "Sections - Standalone Without Previous Line", template: "  {{#boolean}}\n#{{/boolean}}\n/",
      data: "{boolean: true}", expected: "#\n/"),
    SpecCase(
      name: "Sections - Standalone Without Newline", template: "#{{#boolean}}\n/\n  {{/boolean}}",
      data: "{boolean: true}", expected: "#\n/\n"),
    SpecCase(
      name: "Sections - Padding", template: "|{{# boolean }}={{/ boolean }}|", data: "{boolean: true}", expected: "|=|"),

    // inverted.yml
    SpecCase(
      name: "Inverted - Falsey", template: #""{{^boolean}}This should be rendered.{{/boolean}}""#,
      data: "{boolean: false}", expected: #""This should be rendered.""#),
    SpecCase(
      name: "Inverted - Truthy", template: #""{{^boolean}}This should not be rendered.{{/boolean}}""#,
      data: "{boolean: true}", expected: #""""#),
    SpecCase(
      name: "Inverted - Null is falsey", template: #""{{^null}}This should be rendered.{{/null}}""#,
      data: "{null: null}", expected: #""This should be rendered.""#),
    SpecCase(
      name: "Inverted - Context", template: #""{{^context}}Hi {{name}}.{{/context}}""#, data: "{context: {name: Joe}}",
      expected: #""""#),
    SpecCase(
      name: "Inverted - List", template: #""{{^list}}{{n}}{{/list}}""#, data: "{list: [{n: 1}, {n: 2}, {n: 3}]}",
      expected: #""""#),
    SpecCase(
      name: "Inverted - Empty List", template: #""{{^list}}Yay lists!{{/list}}""#, data: "{list: []}",
      expected: #""Yay lists!""#),
    SpecCase(
      name: "Inverted - Doubled", template: "{{^bool}}\n* first\n{{/bool}}\n* {{two}}\n{{^bool}}\n* third\n{{/bool}}\n",
      data: "{bool: false, two: second}", expected: "* first\n* second\n* third\n"),
    SpecCase(
      name: "Inverted - Nested (Falsey)", template: "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
      data: "{bool: false}", expected: "| A B C D E |"),
    SpecCase(
      name: "Inverted - Nested (Truthy)", template: "| A {{^bool}}B {{^bool}}C{{/bool}} D{{/bool}} E |",
      data: "{bool: true}", expected: "| A  E |"),
    SpecCase(
      name: "Inverted - Context Misses", template: "[{{^missing}}Found key 'missing'!{{/missing}}]", data: "{}",
      expected: "[Found key 'missing'!]"),
    SpecCase(
      name: "Inverted - Dotted Names - Truthy", template: #""{{^a.b.c}}Not Here{{/a.b.c}}" == """#,
      data: "{a: {b: {c: true}}}", expected: #""" == """#),
    SpecCase(
      name: "Inverted - Dotted Names - Falsey", template: #""{{^a.b.c}}Not Here{{/a.b.c}}" == "Not Here""#,
      data: "{a: {b: {c: false}}}", expected: #""Not Here" == "Not Here""#),
    SpecCase(
      name: "Inverted - Dotted Names - Broken Chains", template: #""{{^a.b.c}}Not Here{{/a.b.c}}" == "Not Here""#,
      data: "{a: {}}", expected: #""Not Here" == "Not Here""#),
    SpecCase(
      name: "Inverted - Surrounding Whitespace", template: " | {{^boolean}}\t|\t{{/boolean}} | \n",
      data: "{boolean: false}", expected: " | \t|\t | \n"),
    SpecCase(
      name: "Inverted - Internal Whitespace",
      template: " | {{^boolean}} {{! Important Whitespace }}\n {{/boolean}} | \n",
      data: "{boolean: false}", expected: " |  \n  | \n"),
    SpecCase(
      name: "Inverted - Indented Inline Sections",
      template: " {{^boolean}}NO{{/boolean}}\n {{^boolean}}WAY{{/boolean}}\n",
      data: "{boolean: false}", expected: " NO\n WAY\n"),
    SpecCase(
      name: "Inverted - Standalone Lines", template: "| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line\n",
      data: "{boolean: false}", expected: "| This Is\n|\n| A Line\n"),
    SpecCase(
      name: "Inverted - Standalone Indented Lines",
      template: "| This Is\n  {{^boolean}}\n|\n  {{/boolean}}\n| A Line\n",
      data: "{boolean: false}", expected: "| This Is\n|\n| A Line\n"),
    SpecCase(
      name: "Inverted - Standalone Line Endings", template: "|\r\n{{^boolean}}\r\n{{/boolean}}\r\n|",
      data: "{boolean: false}", expected: "|\r\n|"),
    SpecCase(
      name: "Inverted - Standalone Without Previous Line", template: "  {{^boolean}}\n^{{/boolean}}\n/",
      data: "{boolean: false}", expected: "^\n/"),
    SpecCase(
      name: "Inverted - Standalone Without Newline", template: "^{{^boolean}}\n/\n  {{/boolean}}",
      data: "{boolean: false}", expected: "^\n/\n"),
    SpecCase(
      name: "Inverted - Padding", template: "|{{^ boolean }}={{/ boolean }}|", data: "{boolean: false}", expected: "|=|"
    ),

    // comments.yml
    SpecCase(
      name: "Comments - Inline", template: "12345{{! Comment Block! }}67890", data: "{}", expected: "1234567890"),
    SpecCase(
      name: "Comments - Multiline", template: "12345{{!\n  This is a\n  multi-line comment...\n}}67890\n", data: "{}",
      expected: "1234567890\n"),
    SpecCase(
      name: "Comments - Standalone", template: "Begin.\n{{! Comment Block! }}\nEnd.\n", data: "{}",
      expected: "Begin.\nEnd.\n"),
    SpecCase(
      name: "Comments - Indented Standalone", template: "Begin.\n  {{! Indented Comment Block! }}\nEnd.\n", data: "{}",
      expected: "Begin.\nEnd.\n"),
    SpecCase(
      name: "Comments - Standalone Line Endings", template: "|\r\n{{! Standalone Comment }}\r\n|", data: "{}",
      expected: "|\r\n|"),
    SpecCase(
      name: "Comments - Standalone Without Previous Line", template: "  {{! I'm Still Standalone }}\n!", data: "{}",
      expected: "!"),
    SpecCase(
      name: "Comments - Standalone Without Newline", template: "!\n  {{! I'm Still Standalone }}", data: "{}",
      expected: "!\n"),
    SpecCase(
      name: "Comments - Multiline Standalone", template: "Begin.\n{{!\nSomething's going on here...\n}}\nEnd.\n",
      data: "{}", expected: "Begin.\nEnd.\n"),
    SpecCase(
      name: "Comments - Indented Multiline Standalone",
      template: "Begin.\n  {{!\n    Something's going on here...\n  }}\nEnd.\n", data: "{}", expected: "Begin.\nEnd.\n"),
    SpecCase(name: "Comments - Indented Inline", template: "  12 {{! 34 }}\n", data: "{}", expected: "  12 \n"),
    SpecCase(
      name: "Comments - Surrounding Whitespace", template: "12345 {{! Comment Block! }} 67890", data: "{}",
      expected: "12345  67890"),
    SpecCase(
      name: "Comments - Variable Name Collision", template: "comments never show: >{{! comment }}<",
      data: #"{"! comment": 1, "! comment ": 2, "!comment": 3, "comment": 4}"#, expected: "comments never show: ><"),

    // partials.yml, with no partial to find: each renders nothing.
    SpecCase(name: "Partials - Failed Lookup", template: #""{{>text}}""#, data: "{}", expected: #""""#),
    SpecCase(name: "Partials - Surrounding Whitespace", template: "| {{>partial}} |", data: "{}", expected: "|  |"),
    SpecCase(
      name: "Partials - Inline Indentation", template: "  {{data}}  {{> partial}}\n", data: "{data: '|'}",
      expected: "  |  \n"),
    SpecCase(
      name: "Partials - Standalone Line Endings", template: "|\r\n{{>partial}}\r\n|", data: "{}", expected: "|\r\n|"),
    SpecCase(
      name: "Partials - Standalone Without Previous Line", template: "  {{>partial}}\n>", data: "{}", expected: ">",
      oracleAgrees: false),
    SpecCase(
      name: "Partials - Standalone Without Newline", template: ">\n  {{>partial}}", data: "{}", expected: ">\n",
      oracleAgrees: false),
    SpecCase(
      name: "Partials - Standalone Indentation", template: "\\\n {{>partial}}\n/\n", data: "{}", expected: "\\\n/\n",
      oracleAgrees: false),
    SpecCase(
      name: "Partials - Padding Whitespace", template: "|{{> partial }}|", data: "{boolean: true}", expected: "||"),
  ]

  @Test("the spec's cases render as the spec says, and as swift-mustache does", arguments: specCases)
  func spec(_ test: SpecCase) throws {
    #expect(try Self.render(test.template, Self.context(test.data)) == test.expected)
    let oracle = try Self.oracle(test.template, Self.oracleContext(test.data))
    if test.oracleAgrees {
      #expect(oracle == test.expected, "swift-mustache")
    } else {
      #expect(oracle != test.expected, "swift-mustache now agrees: drop oracleAgrees: false")
    }
  }

  // MARK: Against swift-mustache

  /// Random templates from what skeletons offer, rendered against random contexts by both.
  @Test("thousands of random templates render byte for byte as swift-mustache renders them")
  func differential() throws {
    var generator = Generator(seed: 0x00C0_FFEE)
    var failures: [String] = []
    var rendered = 0
    for _ in 0..<3_000 {
      let template = generator.template()
      let profile = generator.profile()
      let mine: String
      do {
        mine = try Self.render(template, .map(Skeleton.context(profile)))
      } catch {
        failures.append("Casebook refused \(template.debugDescription): \(error)")
        continue
      }
      let theirs: String
      do {
        theirs = try Self.oracle(template, try #require(Self.oracleValue(.mapping(profile), sorted: true)))
      } catch {
        failures.append("swift-mustache refused \(template.debugDescription): \(error)")
        continue
      }
      if mine != theirs {
        failures.append(
          "template \(template.debugDescription)\nprofile \(YAML.emit(.mapping(profile)))\nCasebook:       \(mine.debugDescription)\nswift-mustache: \(theirs.debugDescription)"
        )
      }
      rendered += 1
    }
    #expect(failures.isEmpty, "\(failures.count) differ; first:\n\(failures.prefix(3).joined(separator: "\n\n"))")
    #expect(rendered == 3_000)
  }

  /// A value that prints as a list or map prints as swift-mustache printed it (a template bug,
  /// but one a person should see as before); single-key maps need no sorting to compare.
  @Test("a list or a map in a variable tag prints as swift-mustache prints it")
  func listsPrintAsBefore() throws {
    let yaml = #"{tags: [a, "b \"quoted\"", "two\nlines"], one: {k: v}, nested: [[x], {k: [y]}], empty: [], none: {}}"#
    let node = try YAML.parse(yaml)
    let real = try #require(Self.oracleValue(node, sorted: false))
    let mine = try #require(Skeleton.mustacheValue(node))
    for name in ["tags", "one", "nested", "empty", "none"] {
      let template = "{{\(name)}}|{{#\(name)}}<{{.}}>{{/\(name)}}|{{^\(name)}}[{{.}}]{{/\(name)}}"
      #expect(try Self.render(template, mine) == Self.oracle(template, real), "\(name)")
    }
    #expect(try Self.render("{{m}}", Self.context("{m: {b: '2', a: [x]}}")) == #"["a": ["x"], "b": "2"]"#)
  }

  /// Every skeleton Casebook ships, rendered as a draft would be, against the sample project's
  /// profile, the rich test profile and an empty one: the same text as swift-mustache called
  /// exactly as Casebook called it (pragma on the first line, dictionaries as they were).
  @Test("every shipped skeleton renders exactly as it did with swift-mustache", arguments: 0...5)
  func shippedSkeletons(gate: Int) throws {
    let sample = try YAML.parse(
      String(contentsOfFile: ExportFixture.sampleFolder + "/project_profile.yaml", encoding: .utf8))
    let sampleProfile = try #require(sample.mapping)
    let template = try TemplateTests.library.template("gate-\(gate)")
    #expect(!template.sections.isEmpty)
    for profile in [sampleProfile, TemplateTests.fullProfile, Mapping()] {
      for section in template.sections {
        let source = try #require(section.skeleton)
        var context = try #require(Self.oracleValue(.mapping(profile), sorted: false) as? [String: Any])
        context["section_id"] = section.id
        context["section_title"] = section.title
        context["template_id"] = template.id
        let theirs = try Self.productionOracle(source, context)
        let mine = try template.skeleton(for: section, profile: profile)
        #expect(mine == theirs, "gate-\(gate) \(section.id)")
        #expect(!mine.isEmpty)
      }
    }
  }

  /// Where Casebook's renderer gives other text than Casebook gave with swift-mustache, on purpose.
  @Test("where it parts from swift-mustache as Casebook used it, on purpose")
  func deviations() throws {
    let yes = try Self.context("{a: true}")
    // The first line is a line like any other: a standalone tag there goes with its line, and a
    // blank first line stays. The pragma on that line hid both from swift-mustache.
    #expect(try Self.render("{{#a}}\nx\n{{/a}}\n", yes) == "x\n")
    #expect(try Self.productionOracle("{{#a}}\nx\n{{/a}}\n", ["a": "true"]) == "\nx\n")
    #expect(try Self.render("\n# T\n", yes) == "\n# T\n")
    #expect(try Self.productionOracle("\n# T\n", [:] as [String: Any]) == "# T\n")
    // A standalone partial goes with its indentation, as the spec has it; swift-mustache kept the
    // indentation (for the partial's first line, but there is no partial) and glued it to the next.
    #expect(try Self.render("a\n  {{> p}}\nb", yes) == "a\nb")
    #expect(try Self.oracle("a\n  {{> p}}\nb", [:] as [String: Any]) == "a\n  b")
    // A lone `{` as the last character is text; swift-mustache took it for a tag cut short.
    #expect(try Self.render("a {", yes) == "a {")
    #expect(throws: (any Error).self) { try Self.oracle("a {", [:] as [String: Any]) }
    // A `{{` that swift-mustache would drop without a word is refused.
    #expect(Self.syntaxError("abc{{")?.problem == .textEndsInTag)
    #expect(try Self.oracle("abc{{", [:] as [String: Any]) == "abc")
    #expect(Self.syntaxError("a{{\nb}}")?.problem == .unfinishedTag)
    #expect(try Self.oracle("a{{\nb}}", [:] as [String: Any]) == "a\nb}}")
  }

  /// Where swift-mustache parts from the spec and Casebook follows it, so drafts stay as they were.
  @Test("where swift-mustache parts from the spec, Casebook renders as it does")
  func inheritedQuirks() throws {
    let yes = try Self.context("{a: true}")
    let real: [String: Any] = ["a": "true"]
    // After a section, the parser thinks it is at a line start if the opening tag was standalone,
    // and not if it was not, whatever the closing tag did.
    for template in ["{{#a}}\nX{{/a}}{{! c}}\nY", "X{{#a}}\n{{/a}}\n{{! c}}\nY", "{{#a}}\nX{{/a}}  {{#a}}\nY{{/a}}"] {
      #expect(try Self.render(template, yes) == Self.oracle(template, real), "\(template.debugDescription)")
    }
    #expect(try Self.render("{{#a}}\nX{{/a}}{{! c}}\nY", yes) == "XY")
    #expect(try Self.render("X{{#a}}\n{{/a}}\n{{! c}}\nY", yes) == "X\n\nY")
    // After a standalone tag any line break counts, a lone `\r` or a form feed too; before one
    // (ending text) only `\n` and `\r\n` do.
    for template in ["{{#a}}\rx{{/a}}", "{{#a}}\u{0C}x\n{{/a}}\u{2028}y", "a\r  {{#a}}\nb{{/a}}", "a\u{85}{{! c}}\n"] {
      #expect(try Self.render(template, yes) == Self.oracle(template, real), "\(template.debugDescription)")
    }
    #expect(try Self.render("{{#a}}\rx{{/a}}", yes) == "x")
    // Spaces and tabs after the last line break are dropped.
    #expect(try Self.render("a\n  ", yes) == "a\n")
    #expect(try Self.oracle("a\n  ", real) == "a\n")
  }

  // MARK: Bad input

  struct BadCase: CustomTestStringConvertible, Sendable {
    let template: String
    let problem: MustacheSyntaxError.Problem
    let line: Int
    let column: Int
    /// Whether swift-mustache refuses it too, at the same line and column.
    var oracleRefuses = true
    var testDescription: String { "\(problem): \(template.debugDescription)" }
  }

  static let badCases: [BadCase] = [
    BadCase(template: "# S\n\n{{#stakeholders}}\n- {{name}}\n", problem: .unclosedSection, line: 5, column: 1),
    BadCase(template: "{{#a}}{{^b}}x{{/b}}", problem: .unclosedSection, line: 1, column: 20),
    BadCase(template: "# S\n{{#a}}x{{/b}}\n", problem: .mismatchedClose, line: 2, column: 11),
    BadCase(template: "x\n  {{/a}}", problem: .mismatchedClose, line: 2, column: 6),
    BadCase(template: "{{#a}}{{#b}}{{/a}}{{/b}}", problem: .mismatchedClose, line: 1, column: 16),
    BadCase(template: "# S\n{{project_title\n", problem: .textEndsInTag, line: 3, column: 1),
    BadCase(template: "{{a", problem: .textEndsInTag, line: 1, column: 4),
    BadCase(template: "{{a}", problem: .textEndsInTag, line: 1, column: 4),
    BadCase(template: "x {{! never closed\n", problem: .textEndsInTag, line: 1, column: 6),
    BadCase(template: "{{{a}}", problem: .textEndsInTag, line: 1, column: 7),
    BadCase(template: "{{> p", problem: .textEndsInTag, line: 1, column: 6),
    BadCase(template: "{{#a}}{{/a", problem: .textEndsInTag, line: 1, column: 11),
    BadCase(template: "{{a b}}", problem: .unfinishedTag, line: 1, column: 5),
    BadCase(template: "x\n{{ # a}}", problem: .unfinishedTag, line: 2, column: 4),
    BadCase(template: "{{{a}}x}", problem: .unfinishedTag, line: 1, column: 7),
    BadCase(template: "{{name}x}}", problem: .unfinishedTag, line: 1, column: 7),
    BadCase(template: "{{ project title }}", problem: .unfinishedTag, line: 1, column: 12),
    BadCase(template: "# S\n{{% FOO: bar }}\n", problem: .unknownPragma, line: 2, column: 16),
    BadCase(template: "{{% CONTENT_TYPE: PDF }}", problem: .unknownPragma, line: 1, column: 25),
    BadCase(template: "{{% CONTENT_TYPE TEXT }}", problem: .badPragma, line: 1, column: 18),
    BadCase(template: "{{%: TEXT }}", problem: .badPragma, line: 1, column: 13),
    BadCase(template: "{{% CONTENT_TYPE: TEXT", problem: .badPragma, line: 1, column: 23),
    // Refused here, taken by swift-mustache.
    BadCase(template: "abc{{", problem: .textEndsInTag, line: 1, column: 6, oracleRefuses: false),
    BadCase(template: "a\nb {{\nname}}", problem: .unfinishedTag, line: 2, column: 3, oracleRefuses: false),
    BadCase(template: "# S\n{{=<% %>=}}\n", problem: .setDelimiter, line: 2, column: 1, oracleRefuses: false),
    BadCase(template: "x {{= | | =}}", problem: .setDelimiter, line: 1, column: 3, oracleRefuses: false),
    BadCase(template: "{{<parent}}{{/parent}}", problem: .inheritance, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "a {{$block}}x{{/block}}", problem: .inheritance, line: 1, column: 3, oracleRefuses: false),
    BadCase(template: "{{uppercased(name)}}", problem: .transform, line: 1, column: 1, oracleRefuses: false),
    BadCase(
      template: "{{#reversed(list)}}{{.}}{{/reversed(list)}}", problem: .transform, line: 1, column: 1,
      oracleRefuses: false),
    BadCase(template: "{{#list}}{{index()}}{{/list}}", problem: .transform, line: 1, column: 10, oracleRefuses: false),
    BadCase(template: "{{% CONTENT_TYPE: HTML }}", problem: .htmlPragma, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "a{{}}", problem: .emptyName, line: 1, column: 2, oracleRefuses: false),
    BadCase(template: "{{ }}", problem: .emptyName, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "{{#}}x{{/}}", problem: .emptyName, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "{{{ }}}", problem: .emptyName, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "{{.name}}", problem: .badName, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "{{name.}}", problem: .badName, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "{{a..b}}", problem: .badName, line: 1, column: 1, oracleRefuses: false),
    BadCase(template: "{{#..}}{{/..}}", problem: .badName, line: 1, column: 1, oracleRefuses: false),
    BadCase(
      template: String(repeating: "{{#a}}", count: 33) + String(repeating: "{{/a}}", count: 33), problem: .tooDeep,
      line: 1, column: 193, oracleRefuses: false),
    BadCase(
      template: String(repeating: "{{^a}}\n", count: 40) + String(repeating: "{{/a}}\n", count: 40), problem: .tooDeep,
      line: 33, column: 1, oracleRefuses: false),
  ]

  @Test("each syntax error names its kind, line and column, as swift-mustache placed it", arguments: badCases)
  func badInput(_ test: BadCase) throws {
    let error = try #require(Self.syntaxError(test.template))
    #expect(error.problem == test.problem)
    #expect(error.line == test.line && error.column == test.column, "at \(error.line):\(error.column)")
    guard test.oracleRefuses else {
      _ = try MustacheTemplate(string: test.template)
      return
    }
    do {
      _ = try MustacheTemplate(string: test.template)
      Issue.record("swift-mustache took it")
    } catch let theirs as MustacheTemplate.ParserError {
      #expect(theirs.context.lineNumber == error.line && theirs.context.columnNumber == error.column)
      #expect(theirs.context.line == error.lineText)
      #expect(Self.problem(theirs.error) == test.problem, "swift-mustache: \(theirs.error)")
    }
  }

  @Test("sections may nest 32 deep, not 33")
  func depthLimit() throws {
    let deepest = String(repeating: "{{#a}}", count: 32) + "x" + String(repeating: "{{/a}}", count: 32)
    #expect(try Self.render(deepest, Self.context("{a: true}")) == "x")
    let context = try Self.context("{a: true}")
    #expect(throws: MustacheSyntaxError.self) { try Self.render("{{#a}}" + deepest + "{{/a}}", context) }
  }

  /// The depth cap bounds the stack, not the work: 32 nested sections over a two-item list render
  /// the body 2^32 times (each level falls back to the list). A budget stops that early.
  @Test("a skeleton that would render 2^32 times is refused")
  func renderBudget() throws {
    let nested = String(repeating: "{{#a}}", count: 32) + "x" + String(repeating: "{{/a}}", count: 32)
    let context = try Self.context("{a: [1, 2]}")
    #expect(throws: MustacheNode.TooLarge.self) { try Self.render(nested, context) }
    // Output is capped too: one section over 5,000 items of 1 KiB is 5 MB.
    let wide = try MustacheParser.parse("{{#items}}{{.}}{{/items}}")
    let kilobyte = MustacheValue.text(String(repeating: "x", count: 1024))
    #expect(throws: MustacheNode.TooLarge.self) {
      try MustacheNode.render(wide, context: .map(["items": .list(Array(repeating: kilobyte, count: 5_000))]))
    }
    // A real skeleton's size passes.
    #expect(
      try MustacheNode.render(wide, context: .map(["items": .list(Array(repeating: kilobyte, count: 50))])).count
        == 51_200)
    let section = TemplateSection(id: "s", title: "S", required: true, guidance: nil)
    #expect(throws: CasebookError.self) {
      try Skeleton.render(nested, section: section, templateID: "t", profile: ["a": .sequence([.int(1), .int(2)])])
    }
  }

  /// The whole message, as `template show` and `init` print it, for each kind Casebook had before,
  /// is the one the old swift-mustache path gave, and new kinds read the same way.
  @Test("Skeleton.check says origin, line, column, what, and shows the line")
  func messages() throws {
    for template in [
      "# S\n\n{{#stakeholders}}\n- {{name}}\n", "# S\n{{#a}}x{{/b}}\n", "# S\n{{project_title\n",
      "{{% FOO: bar }} tail", "# {{a b}}\n", "x {{! never closed", "# S\n{{% CONTENT_TYPE TEXT }}",
    ] {
      #expect(throws: CasebookError.badInput(try Self.oldMessage(template, origin: "people.md"))) {
        try Skeleton.check(template, origin: "people.md")
      }
    }
    #expect(
      throws: CasebookError.badInput(
        "summary.md: Mustache syntax error at line 2, column 1: set-delimiter tags ({{=… …=}}) are not supported in skeletons\n{{=<% %>=}}"
      )
    ) { try Skeleton.check("# S\n{{=<% %>=}}\n", origin: "summary.md") }
    #expect(
      throws: CasebookError.badInput(
        "summary.md: Mustache syntax error at line 1, column 3: transforms such as {{uppercased(name)}} are not supported in skeletons\n# {{uppercased(project_title)}}"
      )
    ) { try Skeleton.check("# {{uppercased(project_title)}}\n", origin: "summary.md") }
  }

  /// The message Casebook built from swift-mustache's error, as it did (pragma on the first line,
  /// its length taken off the columns there).
  static func oldMessage(_ source: String, origin: String) throws -> String {
    do {
      _ = try MustacheTemplate(string: pragma + source)
    } catch let error as MustacheTemplate.ParserError {
      let context = error.context
      let column = context.lineNumber == 1 ? max(1, context.columnNumber - pragma.count) : context.columnNumber
      let line =
        context.lineNumber == 1 && context.line.hasPrefix(pragma)
        ? String(context.line.dropFirst(pragma.count)) : context.line
      let what = try #require(problem(error.error), "\(error.error)")
      return "\(origin): Mustache syntax error at line \(context.lineNumber), column \(column): \(what)\n\(line)"
    }
    Issue.record("swift-mustache took \(source.debugDescription)")
    return ""
  }

  /// The kind of a swift-mustache parser error, as Casebook names it.
  static func problem(_ error: any Error) -> MustacheSyntaxError.Problem? {
    switch error {
    case MustacheTemplate.Error.sectionCloseNameIncorrect: return .mismatchedClose
    case MustacheTemplate.Error.unfinishedName: return .unfinishedTag
    case MustacheTemplate.Error.expectedSectionEnd: return .unclosedSection
    case MustacheTemplate.Error.invalidConfigVariableSyntax: return .badPragma
    case MustacheTemplate.Error.unrecognisedConfigVariable: return .unknownPragma
    default: return "\(error)" == "overflow" ? .textEndsInTag : nil
    }
  }

  /// Random templates cut at a random character: unfinished tags, unclosed sections, names cut
  /// short. Where swift-mustache refuses one, Casebook refuses it as the same kind at the same
  /// line and column, apart from the two ends it handles otherwise (see `deviations`). Columns
  /// are compared on the text with `\r\n` made `\n`, where swift-mustache counts them right.
  @Test("templates cut short fail as swift-mustache fails them, at the same line and column")
  func truncated() throws {
    var generator = Generator(seed: 0x5EED)
    var failures: [String] = []
    var refused = 0
    for _ in 0..<2_000 {
      let whole = generator.template()
      let template = String(whole.prefix(generator.number(below: whole.count + 1)))
      let mine = Self.syntaxError(template)
      var theirs: MustacheTemplate.ParserError?
      do {
        _ = try MustacheTemplate(string: template.replacing("\r\n", with: "\n"))
      } catch let error as MustacheTemplate.ParserError {
        theirs = error
      }
      let theirProblem = theirs.flatMap { Self.problem($0.error) }
      // `{{` at the very end: refused here; swift-mustache drops it, or says the section it is
      // in is never closed.
      if template.hasSuffix("{{"), mine?.problem == .textEndsInTag,
        theirProblem == nil || theirProblem == .unclosedSection
      {
        continue
      }
      // `{` at the very end: text here; swift-mustache says the text ends inside a tag.
      if template.hasSuffix("{"), theirProblem == .textEndsInTag, mine == nil || mine?.problem == .unclosedSection {
        continue
      }
      switch (mine, theirs) {
      case (nil, nil):
        break
      case (let mine?, let theirs?):
        refused += 1
        let context = theirs.context
        if mine.problem != theirProblem || mine.line != context.lineNumber || mine.column != context.columnNumber
          || mine.lineText.replacing("\r\n", with: "\n") != context.line
        {
          failures.append(
            "\(template.debugDescription): Casebook \(mine.problem) at \(mine.line):\(mine.column) \(mine.lineText.debugDescription), swift-mustache \(theirs.error) at \(context.lineNumber):\(context.columnNumber) \(context.line.debugDescription)"
          )
        }
      default:
        failures.append(
          "\(template.debugDescription): Casebook \(String(describing: mine)), swift-mustache \(String(describing: theirs?.error))"
        )
      }
    }
    #expect(failures.isEmpty, "\(failures.count) differ; first:\n\(failures.prefix(5).joined(separator: "\n"))")
    #expect(refused > 500)
  }

  /// Line breaks: `\r\n` counts as one, columns start after it (swift-mustache counted columns
  /// from the last `\n` only, so on a CRLF file they ran across lines).
  @Test("CRLF text: lines and columns as an editor shows them")
  func crlfPositions() throws {
    let text = "# S\r\n\r\n{{#a}}x{{/b}}\r\n"
    let error = try #require(Self.syntaxError(text))
    #expect(error.line == 3 && error.column == 11 && error.lineText == "{{#a}}x{{/b}}")
    #expect {
      _ = try MustacheTemplate(string: text)
    } throws: { error in
      let context = (error as? MustacheTemplate.ParserError)?.context
      return context?.lineNumber == 3 && context?.columnNumber == 16 && context?.line == text
    }
  }
}

/// A map for swift-mustache that prints its keys sorted, as Casebook prints maps: a Swift
/// dictionary prints in an order that changes from process to process.
private struct SortedMap: MustacheParent, CustomStringConvertible, CustomDebugStringConvertible {
  let values: [String: Any]

  func child(named name: String) -> Any? { values[name] }

  var description: String {
    guard !values.isEmpty else { return "[:]" }
    let pairs = values.sorted { $0.key < $1.key }.map {
      String(reflecting: $0.key) + ": " + String(reflecting: $0.value)
    }
    return "[" + pairs.joined(separator: ", ") + "]"
  }

  var debugDescription: String { description }
}

/// Random templates built from what skeletons offer, and random profiles, from a fixed seed.
private struct Generator {
  private var rng: SplitMix64
  private var out = ""

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func number(below bound: Int) -> Int { Int.random(in: 0..<bound, using: &rng) }

  private static let keys = ["a", "b", "c", "name", "role", "items", "x-y", "q?"]
  private static let texts = [
    "Hello", " world", "&<>\"'", "- ", "**bold**", "# Heading", "{ brace }", "} ", "a{b", "x", "…", "é", "  ", "\t",
    "Roads & Bridges", "=", "!", "#", "/",
  ]
  private static let strings = [
    "", "Finance", "Estates & FM", "&<>\"'", "two\nlines", "  padded  ", "true", "{{a}}", "é",
  ]

  private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
  private mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

  private mutating func name() -> String {
    switch Int.random(in: 0..<12, using: &rng) {
    case 0: return "."
    case 1, 2: return pick(Self.keys) + "." + pick(Self.keys)
    case 3: return pick(Self.keys) + "." + pick(Self.keys) + "." + pick(Self.keys)
    default: return pick(Self.keys)
    }
  }

  private mutating func pad() -> String { chance(30) ? pick([" ", "  ", "\t"]) : "" }
  private mutating func indent() -> String { chance(40) ? pick([" ", "  ", "    ", "\t"]) : "" }
  private mutating func lineBreak() -> String { chance(10) ? "\r\n" : "\n" }

  /// A tag on a line of its own, as skeletons write sections: indentation, tag, maybe trailing
  /// blanks, line break (or the end, sometimes).
  private mutating func ownLine(_ tag: String, indented: Bool = true) {
    if !out.isEmpty, !out.hasSuffix("\n") { out += lineBreak() }
    out += (indented ? indent() : "") + tag + (chance(20) ? pick([" ", "\t "]) : "") + lineBreak()
  }

  mutating func template() -> String {
    out = ""
    body(depth: 0)
    if chance(20) { out += indent() }  // blanks after the last line break
    // A lone `{` at the very end is where the two differ on purpose (see `deviations`).
    if out.hasSuffix("{") { out += "x" }
    return out
  }

  private mutating func body(depth: Int) {
    for _ in 0..<Int.random(in: depth == 0 ? 3...10 : 0...5, using: &rng) { piece(depth: depth) }
  }

  private mutating func piece(depth: Int) {
    switch Int.random(in: 0..<14, using: &rng) {
    case 0, 1:
      out += pick(Self.texts)
    case 2:
      out += lineBreak()
    case 3:
      out += indent()
    case 4, 5:
      let name = name()
      let p1 = pad()
      let p2 = pad()
      switch Int.random(in: 0..<4, using: &rng) {
      case 0: out += "{{{" + p1 + name + p2 + "}}}"
      case 1: out += "{{&" + p1 + name + p2 + "}}"
      default: out += "{{" + p1 + name + p2 + "}}"
      }
    case 6, 7, 8:
      guard depth < 4 else { return piece(depth: depth) }
      let name = name()
      let open = "{{" + pick(["#", "^"]) + pad() + name + pad() + "}}"
      let close = "{{/" + pad() + name + pad() + "}}"
      if chance(50) { ownLine(open) } else { out += open }
      body(depth: depth + 1)
      if chance(50) { ownLine(close) } else { out += close }
    case 9:
      let comment = "{{!" + pick([" note ", "", " two\nlines ", " {{a}} ", "\n"]) + "}}"
      if chance(50) { ownLine(comment) } else { out += comment }
    case 10:
      // A standalone partial goes with its indentation here, not in swift-mustache (see
      // `deviations`), so never blanks right before one.
      while out.hasSuffix(" ") || out.hasSuffix("\t") { out.removeLast() }
      let partial = "{{>" + pad() + pick(["p", "part/one", "x.y", "*dynamic"]) + pad() + "}}"
      if chance(50) { ownLine(partial, indented: false) } else { out += partial }
    case 11:
      let pragma = "{{% CONTENT_TYPE: TEXT }}"
      if chance(50) { ownLine(pragma) } else { out += pragma }
    default:
      ownLine(pick(["{{! c }}", "{{" + name() + "}}", "{{{" + name() + "}}}"]))
    }
  }

  /// A random profile: every kind of YAML value, nulls, empty text and false included.
  mutating func profile() -> Mapping {
    var map = Mapping()
    for key in Self.keys where chance(75) { map[key] = node(depth: 0) }
    return map
  }

  private mutating func node(depth: Int) -> Node {
    let kinds = depth < 3 ? 10 : 6
    switch Int.random(in: 0..<kinds, using: &rng) {
    case 0: return .null
    case 1: return .bool(chance(50))
    case 2: return .int(Int.random(in: -5...100, using: &rng))
    case 3: return .float(pick([1.5, 2.0, 0.1, 1e20, -0.25]))
    case 4, 5: return .string(pick(Self.strings))
    case 6: return .sequence((0..<Int.random(in: 0...3, using: &rng)).map { _ in .string(pick(Self.strings)) })
    case 7:
      return .sequence(
        (0..<Int.random(in: 0...3, using: &rng)).map { _ in
          var item = Mapping()
          for key in Self.keys where chance(45) { item[key] = node(depth: depth + 1) }
          return .mapping(item)
        })
    case 8:
      var item = Mapping()
      for key in Self.keys where chance(45) { item[key] = node(depth: depth + 1) }
      return .mapping(item)
    default:
      return .sequence((0..<Int.random(in: 0...3, using: &rng)).map { _ in node(depth: depth + 1) })
    }
  }
}
