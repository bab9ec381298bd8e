/// Why a rank file could not be loaded. Both mean a damaged build or binary, not bad input.
public enum TokensError: Error, Sendable, CustomStringConvertible {
  /// The embedded rank file would not decompress, or a line of it did not parse.
  case unreadableRankFile(TokenEncoding, String)
  /// The decompressed rank file is not the published one.
  case rankFileChecksum(TokenEncoding, expected: String, actual: String)

  public var description: String {
    switch self {
    case .unreadableRankFile(let encoding, let why):
      return "the \(encoding.rawValue) rank file built into casebook is unreadable: \(why)"
    case .rankFileChecksum(let encoding, let expected, let actual):
      return
        "the \(encoding.rawValue) rank file built into casebook is damaged: its SHA-256 is \(actual), not \(expected)"
    }
  }
}
