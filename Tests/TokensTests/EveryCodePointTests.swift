import Foundation
import TestSupport
import Testing

@testable import Tokens

/// Every Unicode scalar value, in nine contexts that reach each alternative of both patterns,
/// counted by tiktoken and by Tokens: the class tables agree with regex-syntax's on every code
/// point. A minute or so, so opt-in: CASEBOOK_TOKENS_EXHAUSTIVE=1.
@Suite("token counts, every code point")
struct EveryCodePointTests {
  static let enabled = ProcessInfo.processInfo.environment["CASEBOOK_TOKENS_EXHAUSTIVE"] == "1" && Reference.available

  @Test(
    "every scalar value in nine contexts",
    .enabled(if: enabled, "set CASEBOOK_TOKENS_EXHAUSTIVE=1 (and make test-venv)"))
  func everyScalar() throws {
    let contexts: [(String) -> String] = [
      { $0 }, { "a\($0)b" }, { "A\($0)b" }, { "\($0)'s" }, { " \($0)x" }, { "1\($0)2" }, { "\($0)\($0)\n" },
      { "Ab\($0)" }, { "'\($0)" },
    ]
    let scalars = (0..<0x110000).compactMap { Unicode.Scalar(UInt32($0)) }.map { String(Character($0)) }
    var texts: [String] = []
    for context in contexts {
      for start in stride(from: 0, to: scalars.count, by: 64) {
        texts.append(scalars[start..<min(start + 64, scalars.count)].map(context).joined(separator: " "))
      }
    }
    let expected = try Reference.counts(texts: texts)
    try #require(expected.count == texts.count)
    for encoding in TokenEncoding.allCases {
      let tokenizer = try Tokenizer.shared(encoding)
      var failures = 0
      for (text, counts) in zip(texts, expected) where failures < 20 {
        if tokenizer.count(text) != counts[encoding.rawValue] {
          failures += 1
          Issue.record("\(encoding.rawValue): \(text.unicodeScalars.prefix(3).map { String($0.value, radix: 16) })…")
        }
      }
    }
  }
}
