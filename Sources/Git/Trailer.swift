/// One "Key: value" trailer at the end of a commit message, as `git interpret-trailers` sees it.
public struct Trailer: Sendable, Equatable {
  /// The key, e.g. "Casebook-Session".
  public var key: String
  /// The value, trimmed.
  public var value: String

  /// Makes a trailer.
  public init(key: String, value: String) {
    self.key = key
    self.value = value
  }
}
