import Testing
import YAML

/// A small seeded generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Random nodes biased towards strings that are hard to emit.
struct NodeGenerator {
  static let nasty = [
    "", " a", "a ", "- x", "key: v", "#c", "yes", "NO", "0x1F", "1e3", ".5", "~", "null",
    "multi\nline\n",
    "trailing\n\n", "\n leading", "tab\there", "quote\"s", "ünï©ødé", "\u{7}", "a\r\nb", "---",
    "...", "@x",
    "`x", "%x", "!x", "&x", "*x", "[x", "{x", "|x", ">x", "'x", "x:", "x #y",
    "On", "y", "Off", "<<", "-", "?", ":", "-1", "+1", "1_000", "12:30", "2024-01-01", ".inf",
    ".nan", "-.5",
    "true", "False", "0o17", "99999999999999999999", "a\\b", "\0", "\u{85}", "\u{2028}", "\u{2029}",
    "\u{FEFF}",
    "\u{1F600}", "e\u{301}", "\n", "\n\n", " ", "  \n  ", "a\n  b", "a\n\n\nb\n\n", " \nx", "x\n ",
    "#",
    "a:b", "a#b", "a\t#b", "\\", "\"", "'", "x\u{0}y", "\u{FFFE}", "\u{A0}", "!!str", "&a *a", "{}",
    "[]",
  ]
  static let alphabet: [String] = [
    "a", "b", "Z", "0", "1", "9", " ", " ", "\n", "\t", ":", "#", "-", "'", "\"", "\\", "é", ",",
    "[", "]", "{",
    "}", ".", "|", ">", "\r", "\u{85}", "\u{1}", "?", "*", "&", "!", "%", "@", "`", "~", "ü",
    "\u{2028}",
  ]

  var random: SplitMix64

  mutating func pick<T>(_ items: [T]) -> T {
    items[Int.random(in: 0..<items.count, using: &random)]
  }

  mutating func string() -> String {
    switch Int.random(in: 0..<4, using: &random) {
    case 0, 1: return pick(Self.nasty)
    case 2:
      return (0..<Int.random(in: 1...3, using: &random)).map { _ in pick(Self.nasty) }.joined()
    default:
      return (0..<Int.random(in: 0...12, using: &random)).map { _ in pick(Self.alphabet) }.joined()
    }
  }

  mutating func scalar() -> Node {
    switch Int.random(in: 0..<10, using: &random) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &random))
    case 2:
      return .int(
        pick([
          0, 1, -1, 42, Int.max, Int.min, Int.random(in: -1_000_000...1_000_000, using: &random),
        ]))
    case 3:
      return .float(
        pick([
          0.0, -0.0, 1.0, 0.1, 1e-5, 1e300, .leastNonzeroMagnitude, .infinity, -.infinity, .nan,
          1.5e6, 123456789.125,
          Double.random(in: -1e6...1e6, using: &random),
          Double(bitPattern: random.next()),
        ]))
    default: return .string(string())
    }
  }

  mutating func node(depth: Int) -> Node {
    guard depth > 0, Int.random(in: 0..<3, using: &random) > 0 else { return scalar() }
    let count = Int.random(in: 0...4, using: &random)
    if Bool.random(using: &random) {
      return .sequence((0..<count).map { _ in node(depth: depth - 1) })
    }
    var mapping = Mapping()
    for _ in 0..<count { mapping[string()] = node(depth: depth - 1) }
    return .mapping(mapping)
  }
}

@Suite struct RoundTripTests {
  @Test(arguments: Array(1...8) as [UInt64])
  func randomNodesRoundTrip(seed: UInt64) throws {
    var generator = NodeGenerator(random: SplitMix64(seed: seed))
    var failures = 0
    for _ in 0..<1500 where failures < 5 {
      let node = generator.node(depth: 4)
      let text = YAML.emit(node)
      do {
        let parsed = try YAML.parse(text)
        if parsed != node {
          failures += 1
          Issue.record(
            "round trip changed the value\n--- emitted:\n\(text)--- parsed back: \(parsed)\n--- original: \(node)"
          )
          continue
        }
        let again = YAML.emit(parsed)
        if again != text {
          failures += 1
          Issue.record("emission not stable\n--- first:\n\(text)--- second:\n\(again)")
        }
      } catch {
        failures += 1
        Issue.record(
          "emitted text does not parse: \(error.errorDescription ?? "")\n--- emitted:\n\(text)--- original: \(node)"
        )
      }
    }
  }

  @Test(arguments: NodeGenerator.nasty)
  func nastyStringsRoundTripEverywhere(string: String) throws {
    let value = Node.string(string)
    let node = Node.mapping(
      Mapping([
        ("value", value), (string, value), ("list", [value, [value], ["k": value]]),
        ("last", value),
      ]))
    for candidate in [node, .string(string), [.string(string)]] {
      let text = YAML.emit(candidate)
      #expect(try YAML.parse(text) == candidate, "\(text)")
      #expect(try YAML.emit(YAML.parse(text)) == text)
    }
  }
}
