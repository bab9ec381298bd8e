import Foundation

/// A seeded generator (SplitMix64), so a failing corpus is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
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

/// Texts aimed at the pre-tokenisers' corners: case classes, marks, contractions, whitespace
/// runs, digits, emoji, CJK, every plane, and pieces long enough for the heap merge.
enum Corpus {
  static func texts(count: Int, seed: UInt64) -> [String] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
      var text = ""
      for _ in 0..<Int.random(in: 1...12, using: &rng) { text += segment(&rng) }
      return text
    }
  }

  /// Byte strings with invalid UTF-8 among valid text.
  static func invalidUTF8(count: Int, seed: UInt64) -> [[UInt8]] {
    var rng = SeededGenerator(seed: seed)
    let bad: [[UInt8]] = [
      [0x80], [0xff], [0xfe], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
      [0xf5], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xef, 0xbf, 0xbd],
      [0xf0, 0x28, 0x8c, 0x28], [0xc1, 0xbf], [0x41, 0xcc],
    ]
    return (0..<count).map { _ in
      var bytes: [UInt8] = []
      for _ in 0..<Int.random(in: 1...6, using: &rng) {
        bytes += Array(segment(&rng).utf8)
        bytes += bad.randomElement(using: &rng)!
      }
      return bytes
    }
  }

  static let words = [
    "the", "The", "THE", "don't", "DON'T", "we're", "WE'RE", "I'll", "you've", "She'd", "it's", "IT'S", "ſ",
    "'ſ", "'s", "'S", "'ll", "'LL", "'Ve", "'re", "'d", "'m", "'t", "'x", "Hello", "hELLo", "CamelCase",
    "XMLHttpRequest", "ǅemal", "ǅ", "ʰello", "Aʰb", "ABCʰ", "HELLOˆ", "naïve", "Café", "CAFÉ", "e\u{301}",
    "E\u{301}\u{302}", "\u{301}abc", "\u{301}", "a\u{301}B\u{301}", "Straße", "İstanbul", "ΟΔΥΣΣΕΥΣ", "Ἀθῆναι",
    "москва", "МОСКВА", "नमस्ते", "हिन्दी", "العربية", "ภาษาไทย", "한국어", "日本語", "中文字符", "ｶﾀｶﾅ",
    "𝐀𝐁𝐂", "𝔘𝔫𝔦", "Ⅻ", "①②③", "½", "٣٤٥", "१२३", "http://example.com/a/b", "a/b//c", "//\n/", "...",
    "!!!", "?!\n", "«»", "—", "–", "“quoted”", "$100", "3.14159", "1,000,000", "0x1F", "<|endoftext|>",
    "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "✌🏿", "🏳️‍🌈", "\u{200D}", "\u{FEFF}", "\u{00AD}", "\u{E000}",
    "\u{10FFFD}", "\u{1F600}\u{301}", "ǈ", "ᾈ", "ʼn", "\u{2160}", "ａｂｃ", "Ａ", "x²", "ⓐ", "\u{0345}",
  ]
  static let spaces = [
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n ", "  \n", "\n  ", "\u{A0}", "\u{3000}", "\u{2028}",
    "\u{85}", " \u{A0} ", "\u{0B}", "\u{0C}", " \t ", "\t\n\t", "                ", "\n\n\n   \n",
  ]

  static func segment(_ rng: inout SeededGenerator) -> String {
    switch Int.random(in: 0..<100, using: &rng) {
    case 0..<35: return words.randomElement(using: &rng)!
    case 35..<55: return spaces.randomElement(using: &rng)!
    case 55..<62:
      return String(repeating: "0123456789".randomElement(using: &rng)!, count: Int.random(in: 1...14, using: &rng))
    case 62..<66:
      return String((0..<Int.random(in: 1...20, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
    case 66..<72: return scalars(in: 0x4E00...0x9FFF, count: Int.random(in: 1...30, using: &rng), &rng)
    case 72..<76: return scalars(in: 0x1F300...0x1FAFF, count: Int.random(in: 1...8, using: &rng), &rng)
    case 76..<80:
      // A base letter with a pile of combining marks.
      return String("aAzZ1 ".randomElement(using: &rng)!)
        + scalars(in: 0x0300...0x036F, count: Int.random(in: 1...5, using: &rng), &rng)
    case 80..<88: return scalars(in: 0x20...0x2FFF, count: Int.random(in: 1...12, using: &rng), &rng)
    case 88..<93: return scalars(in: 0x0...0x10FFFF, count: Int.random(in: 1...8, using: &rng), &rng)
    case 93..<96: return String(repeating: " ", count: Int.random(in: 1...300, using: &rng))
    case 96..<98:
      // A long piece without spaces: the heap merge.
      let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCXYZé")
      return String((0..<Int.random(in: 129...3000, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    default:
      return String(
        repeating: ["=", "-", "*", "ab", "é", "1"].randomElement(using: &rng)!,
        count: Int.random(in: 50...2000, using: &rng))
    }
  }

  static func scalars(in range: ClosedRange<UInt32>, count: Int, _ rng: inout SeededGenerator) -> String {
    var out = ""
    while out.unicodeScalars.count < count {
      if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &rng)) { out.unicodeScalars.append(scalar) }
    }
    return out
  }
}
