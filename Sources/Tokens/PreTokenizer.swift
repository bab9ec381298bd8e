internal import CTokenData

/// The pre-tokenisers of tiktoken's two patterns, written out as scanners over valid UTF-8. Each
/// `…End` function returns where the regex's leftmost-first match starting at `i` ends, exactly
/// as fancy-regex finds it (possessive quantifiers, `\s+(?!\S)`, backtracking order), so pieces
/// tile the text as tiktoken's `find_iter` does. The regexes, from `tiktoken_ext/openai_public.py`:
///
///     cl100k_base: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+
///                  | ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
///     o200k_base:  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///                  |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///                  |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
///
/// Classes come from regex-syntax's Unicode tables (`unicode_classes.c`): the same version as
/// the regex engine tiktoken is built with.
struct PreTokenizer {
  let p: UnsafePointer<UInt8>
  let n: Int

  // Class numbers of unicode_classes.c and their bit masks.
  static let lu: UInt16 = 1 << 1
  static let ll: UInt16 = 1 << 2
  static let lt: UInt16 = 1 << 3
  static let lm: UInt16 = 1 << 4
  static let lo: UInt16 = 1 << 5
  static let mark: UInt16 = 1 << 6
  static let number: UInt16 = 1 << 7
  static let space: UInt16 = 1 << 8
  static let other: UInt16 = 1 << 0
  static let letter: UInt16 = lu | ll | lt | lm | lo
  /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` and `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
  static let upper: UInt16 = lu | lt | lm | lo | mark
  static let lower: UInt16 = ll | lm | lo | mark
  /// `[^\s\p{L}\p{N}]`.
  static let punctuation: UInt16 = other | mark

  /// The code point at `i` and its length; the text is valid UTF-8.
  @inline(__always)
  func scalar(_ i: Int) -> (UInt32, Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
      return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    return (
      (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F), 4
    )
  }

  /// The class bit of the code point at `i`, and its length.
  @inline(__always)
  func classAt(_ i: Int) -> (UInt16, Int) {
    let (cp, length) = scalar(i)
    return (1 << UInt16(casebook_unicode_class(cp)), length)
  }

  /// End of the run of code points in `mask` starting at `i`.
  @inline(__always)
  func run(_ i: Int, _ mask: UInt16) -> Int {
    var j = i
    while j < n {
      let (c, length) = classAt(j)
      if c & mask == 0 { break }
      j += length
    }
    return j
  }

  @inline(__always)
  func isCRLF(_ i: Int) -> Bool { p[i] == 0x0d || p[i] == 0x0a }

  /// `'(?i:s|d|m|t|ll|ve|re)` at `i` (both patterns have this set): case-insensitive with
  /// Unicode simple case folding, so `ſ` (U+017F) is an `s`.
  @inline(__always)
  func contractionEnd(_ i: Int) -> Int? {
    guard i + 1 < n, p[i] == 0x27 else { return nil }
    switch p[i + 1] {
    case 0x73, 0x53, 0x64, 0x44, 0x6d, 0x4d, 0x74, 0x54: return i + 2
    case 0xc5 where i + 2 < n && p[i + 2] == 0xbf: return i + 3
    case 0x6c, 0x4c: return i + 2 < n && p[i + 2] | 0x20 == 0x6c ? i + 3 : nil
    case 0x76, 0x56, 0x72, 0x52: return i + 2 < n && p[i + 2] | 0x20 == 0x65 ? i + 3 : nil
    default: return nil
    }
  }

  /// The three whitespace alternatives at a whitespace character `i` (length `length`).
  /// `endOfText`: cl100k's `\s++$`; then `\s*[\r\n]` (o200k's `\s*[\r\n]+` ends at the same
  /// place: the last CR or LF of the run), `\s+(?!\S)`, and a single character (`\s`, or
  /// o200k's `\s+` with a run of one).
  @inline(__always)
  func spaceEnd(_ i: Int, _ length: Int, endOfText: Bool) -> Int {
    var j = i
    var lastStart = i
    var afterLastNewline = -1
    while j < n {
      let (c, length) = classAt(j)
      if c != Self.space { break }
      if isCRLF(j) { afterLastNewline = j + 1 }
      lastStart = j
      j += length
    }
    if endOfText && j == n { return n }
    if afterLastNewline >= 0 { return afterLastNewline }
    if j == n { return n }
    if lastStart > i { return lastStart }
    return i + length
  }

  /// cl100k_base's piece starting at `i`.
  @inline(__always)
  func cl100kEnd(_ i: Int) -> Int {
    if let end = contractionEnd(i) { return end }
    let (c, length) = classAt(i)
    if c & Self.letter != 0 { return run(i + length, Self.letter) }
    if c & (Self.number | Self.space) == 0 || (c == Self.space && !isCRLF(i)) {
      // [^\r\n\p{L}\p{N}]?+\p{L}++: the possessive prefix, then letters or no match.
      let j = i + length
      if j < n, classAt(j).0 & Self.letter != 0 { return run(j, Self.letter) }
    }
    if c == Self.number {
      var j = i + length
      for _ in 0..<2 where j < n {
        let (d, more) = classAt(j)
        if d != Self.number { break }
        j += more
      }
      return j
    }
    if let end = punctuationEnd(i, c, length, slash: false) { return end }
    return spaceEnd(i, length, endOfText: true)
  }

  /// ` ?[^\s\p{L}\p{N}]+` then `[\r\n]*` (`[\r\n/]*` for o200k).
  @inline(__always)
  func punctuationEnd(_ i: Int, _ c: UInt16, _ length: Int, slash: Bool) -> Int? {
    var start = i
    if p[i] == 0x20 {
      guard i + 1 < n, classAt(i + 1).0 & Self.punctuation != 0 else { return nil }
      start = i + 1
    } else if c & Self.punctuation == 0 {
      return nil
    }
    var j = run(start, Self.punctuation)
    while j < n && (isCRLF(j) || (slash && p[j] == 0x2f)) { j += 1 }
    return j
  }

  /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` at `i`, as a backtracking engine
  /// finds it: the greedy upper run gives back characters until one that can start the lower
  /// run; the lower run is then greedy.
  @inline(__always)
  func casedWordEnd(_ i: Int) -> Int? {
    var j = i
    var lastBoth = -1
    while j < n {
      let (c, length) = classAt(j)
      if c & Self.upper == 0 {
        if c & Self.lower != 0 { return run(j, Self.lower) }
        break
      }
      if c & Self.lower != 0 { lastBoth = j }
      j += length
    }
    // The lower run from the last Lm/Lo/M of the upper run is that one character: everything
    // after it in the run is Lu or Lt.
    if lastBoth >= 0 { return lastBoth + classAt(lastBoth).1 }
    return nil
  }

  /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` at `i`.
  @inline(__always)
  func upperWordEnd(_ i: Int) -> Int? {
    let j = run(i, Self.upper)
    return j == i ? nil : run(j, Self.lower)
  }

  /// o200k_base's piece starting at `i`.
  @inline(__always)
  func o200kEnd(_ i: Int) -> Int {
    let (c, length) = classAt(i)
    // [^\r\n\p{L}\p{N}]? : greedy, so first with the prefix, then without.
    let prefix = c & (Self.letter | Self.number) == 0 && !isCRLF(i)
    let wordish = c & (Self.upper | Self.lower) != 0
    if prefix, i + length < n, let end = casedWordEnd(i + length) { return contractionEnd(end) ?? end }
    if wordish, let end = casedWordEnd(i) { return contractionEnd(end) ?? end }
    if prefix, i + length < n, let end = upperWordEnd(i + length) { return contractionEnd(end) ?? end }
    if wordish, let end = upperWordEnd(i) { return contractionEnd(end) ?? end }
    if c == Self.number {
      var j = i + length
      for _ in 0..<2 where j < n {
        let (d, more) = classAt(j)
        if d != Self.number { break }
        j += more
      }
      return j
    }
    if let end = punctuationEnd(i, c, length, slash: true) { return end }
    return spaceEnd(i, length, endOfText: false)
  }
}
