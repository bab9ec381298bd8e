import Foundation
import TestSupport
import Testing

@testable import Tokens

/// Counts equal tiktoken's: on the shared calibration set, and on a seeded corpus checked
/// against tiktoken itself (`make test-venv`).
@Suite("token counts")
struct TokenCountTests {
  @Test("known counts", arguments: TokenEncoding.allCases)
  func known(_ encoding: TokenEncoding) throws {
    let tokenizer = try Tokenizer.shared(encoding)
    #expect(tokenizer.count("") == 0)
    #expect(tokenizer.count("Hello world") == 2)
    #expect(tokenizer.count("hello world!!!") == 3)
  }

  @Test("the pre-tokenisers split as the patterns do")
  func pieces() throws {
    let cl100k = try Tokenizer.shared(.cl100kBase)
    #expect(cl100k.pieces("I'm here  now \n\n x") == ["I", "'m", " here", " ", " now", " \n\n", " x"])
    #expect(cl100k.pieces("12345 a  \n  ") == ["123", "45", " a", "  \n  "])
    #expect(cl100k.pieces("'ſ 'LL") == ["'ſ", " '", "LL"])
    let o200k = try Tokenizer.shared(.o200kBase)
    #expect(o200k.pieces("HELLOWorld CamelCase don'T") == ["HELLOWorld", " Camel", "Case", " don'T"])
    #expect(o200k.pieces("a  \n  ") == ["a", "  \n", "  "])
    #expect(o200k.pieces("path/to//\n/x") == ["path", "/to", "//\n/", "x"])
  }

  @Test(
    "every calibration text counts as tiktoken does",
    .enabled(if: Reference.hasCalibration, "../shared/calibration/tokens.jsonl is absent"))
  func calibration() throws {
    let o200k = try Tokenizer.shared(.o200kBase)
    let cl100k = try Tokenizer.shared(.cl100kBase)
    let lines = try String(contentsOfFile: Reference.calibration, encoding: .utf8).split(separator: "\n")
    #expect(lines.count > 100)
    for (number, line) in lines.enumerated() {
      let item = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let text = try #require(item["text"] as? String)
      #expect(o200k.count(text) == item["o200k_base"] as? Int, "line \(number + 1), o200k_base")
      #expect(cl100k.count(text) == item["cl100k_base"] as? Int, "line \(number + 1), cl100k_base")
    }
  }

  @Test("a seeded corpus counts as tiktoken does", .enabled(if: Reference.available, "no .venv: run make test-venv"))
  func corpus() throws {
    let texts = Corpus.texts(count: 3000, seed: 12)
    let expected = try Reference.counts(texts: texts)
    try #require(expected.count == texts.count)
    var failures = 0
    for encoding in TokenEncoding.allCases {
      let tokenizer = try Tokenizer.shared(encoding)
      for (text, counts) in zip(texts, expected) where failures < 10 {
        let got = tokenizer.count(text)
        if got != counts[encoding.rawValue] {
          failures += 1
          Issue.record(
            "\(encoding.rawValue): \(got) tokens, tiktoken \(counts[encoding.rawValue]!): \(text.debugDescription) pieces \(tokenizer.pieces(text))"
          )
        }
      }
    }
  }

  @Test(
    "invalid UTF-8 counts as tiktoken counts bytes.decode('utf-8', 'replace')",
    .enabled(if: Reference.available, "no .venv: run make test-venv"))
  func invalidUTF8() throws {
    let inputs = Corpus.invalidUTF8(count: 500, seed: 7)
    let expected = try Reference.counts(bytes: inputs)
    for encoding in TokenEncoding.allCases {
      let tokenizer = try Tokenizer.shared(encoding)
      for (bytes, counts) in zip(inputs, expected) {
        let got = tokenizer.count(bytes: bytes)
        #expect(got.tokens == counts[encoding.rawValue], "\(encoding.rawValue): \(bytes)")
        let valid = bytes.withUnsafeBufferPointer { Tokenizer.isValidUTF8($0) }
        #expect((got.replacements > 0) == !valid)
        #expect(got.bytes == bytes.count)
      }
    }
  }

  @Test(
    "valid UTF-8 is recognised, invalid refused",
    arguments: [
      ([0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], true),
      ([0xc0, 0xaf], false), ([0xed, 0xa0, 0x80], false), ([0xf4, 0x90, 0x80, 0x80], false), ([0xe2, 0x82], false),
      ([0xf0, 0x8f, 0xbf, 0xbf], false), ([0xef, 0xbf, 0xbf], true), ([0x80], false),
    ] as [([UInt8], Bool)])
  func validation(_ bytes: [UInt8], _ valid: Bool) {
    #expect(bytes.withUnsafeBufferPointer { Tokenizer.isValidUTF8($0) } == valid)
  }

  @Test("the heap merge equals tiktoken's scan", arguments: TokenEncoding.allCases)
  func heapEqualsScan(_ encoding: TokenEncoding) throws {
    let ranks = try Tokenizer.shared(encoding).ranks
    var rng = SeededGenerator(seed: 3)
    for _ in 0..<300 {
      let alphabet = Array(
        ["a", "b", "ab", " ", "é", "1", "x", "=", "😀"].shuffled(using: &rng).prefix(Int.random(in: 1...5, using: &rng)))
      let text = (0..<Int.random(in: 2...120, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
      let bytes = Array(text.utf8)
      bytes.withUnsafeBufferPointer { b in
        #expect(
          BytePairMerge.scan(b.baseAddress!, b.count, ranks) == BytePairMerge.heap(b.baseAddress!, b.count, ranks),
          "\(text)")
      }
    }
  }

  @Test("a long run without spaces stays linear")
  func longRun() throws {
    let tokenizer = try Tokenizer.shared(.o200kBase)
    let text = String(repeating: "abcdefghij", count: 100_000)
    let clock = ContinuousClock()
    let elapsed = clock.measure { #expect(tokenizer.count(text) > 10_000) }
    #expect(elapsed < .seconds(30))
  }
}

/// A rank file that is not the published one is refused by its SHA-256, before it is used.
@Suite("rank files")
struct RankFileTests {
  @Test("a changed rank file is refused, naming both hashes")
  func checksum() throws {
    let text = Array("IQ== 0\nIg== 1\n".utf8)
    #expect(throws: TokensError.self) { try RankTable(checking: text, .cl100kBase) }
    do {
      _ = try RankTable(checking: text, .o200kBase)
    } catch {
      #expect(error.description.contains("446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"))
      #expect(error.description.contains("damaged"))
    }
  }

  @Test("the embedded files load: every rank once, the longest token bounded")
  func embedded() throws {
    let o200k = try Tokenizer.shared(.o200kBase).ranks
    let cl100k = try Tokenizer.shared(.cl100kBase).ranks
    #expect(o200k.count == 199_998)
    #expect(cl100k.count == 100_256)
    #expect(o200k.maxLength <= 256 && cl100k.maxLength <= 256)
    // Every single byte is a token: a piece always has a count.
    for byte in UInt8.min...UInt8.max {
      var b = byte
      #expect(withUnsafePointer(to: &b) { cl100k.rank($0, 1) } != RankTable.none)
    }
  }

  @Test("a line that is not '<base64> <rank>' is refused")
  func malformed() {
    #expect(throws: TokensError.self) { try RankTable(parsing: Array("not base64\n".utf8), .o200kBase) }
    #expect(throws: TokensError.self) { try RankTable(parsing: Array("IQ== 0\nIQ== 1\n".utf8), .o200kBase) }
  }
}

/// The SHA-256 that checks the rank files, with and without the processor's SHA extensions.
@Suite("SHA-256")
struct SHA256Tests {
  @Test("FIPS 180-4 vectors and every length around the padding boundary", arguments: [false, true])
  func vectors(_ portable: Bool) {
    func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { SHA256.hex(of: $0, portable: portable) } }
    #expect(hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      hex([UInt8](repeating: 0x61, count: 1_000_000))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    // The accelerated path against the portable one on 0...300 bytes.
    var rng = SeededGenerator(seed: 9)
    for length in 0...300 {
      let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
      let other = bytes.withUnsafeBytes { SHA256.hex(of: $0, portable: !portable) }
      #expect(hex(bytes) == other, "length \(length)")
    }
  }
}
