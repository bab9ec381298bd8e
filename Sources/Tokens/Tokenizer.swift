/// Counts tokens exactly as OpenAI's tiktoken does for one encoding (`encode_ordinary`: text
/// that looks like a special token, `<|endoftext|>`, is counted as ordinary text).
///
/// The rank file is decompressed, checked and parsed on the first `shared(_:)` call for its
/// encoding, once per process; nothing is loaded before.
public final class Tokenizer: Sendable {
  /// The encoding this tokenizer counts with.
  public let encoding: TokenEncoding
  let ranks: RankTable

  init(loading encoding: TokenEncoding) throws(TokensError) {
    self.encoding = encoding
    ranks = try RankTable(loading: encoding)
  }

  private static let o200k = Result { () throws(TokensError) in try Tokenizer(loading: .o200kBase) }
  private static let cl100k = Result { () throws(TokensError) in try Tokenizer(loading: .cl100kBase) }

  /// The process's tokenizer for `encoding`, loaded on first use (thread-safe).
  public static func shared(_ encoding: TokenEncoding) throws(TokensError) -> Tokenizer {
    switch encoding {
    case .o200kBase: return try o200k.get()
    case .cl100kBase: return try cl100k.get()
    }
  }

  /// The number of tokens of `text`.
  public func count(_ text: String) -> Int {
    var text = text
    return text.withUTF8 { count(validUTF8: $0) }
  }

  /// The number of tokens of `bytes`. tiktoken counts Python strings, so bytes that are not
  /// UTF-8 are first decoded as Python's `bytes.decode("utf-8", "replace")` does: each maximal
  /// invalid subsequence becomes U+FFFD (Swift's decoder follows the same Unicode practice).
  public func count(bytes: some Collection<UInt8>) -> TokenCount {
    let total = bytes.count
    let valid: Bool =
      bytes.withContiguousStorageIfAvailable { Self.isValidUTF8($0) }
      ?? Array(bytes).withUnsafeBufferPointer { Self.isValidUTF8($0) }
    if valid {
      let tokens =
        bytes.withContiguousStorageIfAvailable { count(validUTF8: $0) }
        ?? Array(bytes).withUnsafeBufferPointer {
          count(validUTF8: $0)
        }
      return TokenCount(tokens: tokens, bytes: total, replacements: 0)
    }
    var repaired = String(decoding: bytes, as: UTF8.self)
    let replacements = repaired.unicodeScalars.count { $0 == "\u{FFFD}" } - Self.replacementCharacters(in: bytes)
    let tokens = repaired.withUTF8 { count(validUTF8: $0) }
    return TokenCount(tokens: tokens, bytes: total, replacements: replacements)
  }

  /// The number of tokens of `text`, which must be valid UTF-8.
  func count(validUTF8 text: UnsafeBufferPointer<UInt8>) -> Int {
    guard let base = text.baseAddress, !text.isEmpty else { return 0 }
    let scanner = PreTokenizer(p: base, n: text.count)
    var tokens = 0
    var i = 0
    switch encoding {
    case .o200kBase:
      while i < text.count {
        let end = scanner.o200kEnd(i)
        tokens += pieceCount(base + i, end - i)
        i = end
      }
    case .cl100kBase:
      while i < text.count {
        let end = scanner.cl100kEnd(i)
        tokens += pieceCount(base + i, end - i)
        i = end
      }
    }
    return tokens
  }

  /// The pieces of `text` as the pre-tokeniser splits it (for tests).
  func pieces(_ text: String) -> [String] {
    var text = text
    return text.withUTF8 { text in
      guard let base = text.baseAddress else { return [] }
      let scanner = PreTokenizer(p: base, n: text.count)
      var out: [String] = []
      var i = 0
      while i < text.count {
        let end = encoding == .o200kBase ? scanner.o200kEnd(i) : scanner.cl100kEnd(i)
        out.append(String(decoding: UnsafeBufferPointer(rebasing: text[i..<end]), as: UTF8.self))
        i = end
      }
      return out
    }
  }

  @inline(__always)
  private func pieceCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    if n == 1 || ranks.rank(p, n) != RankTable.none { return 1 }
    return BytePairMerge.count(p, n, ranks)
  }

  private static func replacementCharacters(in bytes: some Collection<UInt8>) -> Int {
    var count = 0
    var state = 0
    for byte in bytes {
      switch (state, byte) {
      case (_, 0xEF): state = 1
      case (1, 0xBF): state = 2
      case (2, 0xBD):
        count += 1
        state = 0
      default: state = 0
      }
    }
    return count
  }

  /// Strict UTF-8 (no surrogates, no overlong forms, nothing past U+10FFFF), ASCII eight bytes
  /// at a time.
  static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = b.count
    guard let base = b.baseAddress else { return true }
    var i = 0
    while i < n {
      if i + 8 <= n, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
        i += 8
        continue
      }
      let b0 = b[i]
      if b0 < 0x80 {
        i += 1
        continue
      }
      @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
      switch b0 {
      case 0xC2...0xDF:
        guard cont(1) else { return false }
        i += 2
      case 0xE0...0xEF:
        guard cont(1), cont(2) else { return false }
        let b1 = b[i + 1]
        if b0 == 0xE0 && b1 < 0xA0 { return false }
        if b0 == 0xED && b1 >= 0xA0 { return false }
        i += 3
      case 0xF0...0xF4:
        guard cont(1), cont(2), cont(3) else { return false }
        let b1 = b[i + 1]
        if b0 == 0xF0 && b1 < 0x90 { return false }
        if b0 == 0xF4 && b1 >= 0x90 { return false }
        i += 4
      default:
        return false
      }
    }
    return true
  }
}

/// A count of bytes that may not have been UTF-8.
public struct TokenCount: Sendable, Equatable {
  /// tiktoken's count of the text, invalid sequences replaced.
  public let tokens: Int
  /// The input's length in bytes, as given.
  public let bytes: Int
  /// How many invalid UTF-8 sequences were counted as U+FFFD.
  public let replacements: Int
}
