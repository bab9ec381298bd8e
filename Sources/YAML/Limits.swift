/// Resource limits applied while parsing one document.
public struct Limits: Sendable, Equatable {
  /// Largest accepted input, in bytes; checked before parsing.
  public var maxDocumentBytes: Int = 8 << 20
  /// Deepest accepted nesting of sequences and mappings (the root collection is depth 1).
  public var maxDepth: Int = 64
  /// Total nodes that expanding aliases may create in one document.
  public var maxAliasExpansion: Int = 10_000
  /// Total nodes in one document, alias expansions included.
  public var maxNodes: Int = 1_000_000

  /// The defaults: 8 MiB, depth 64, 10,000 alias-expanded nodes, 1,000,000 nodes.
  public static let `default` = Limits()

  /// Limits with the given values; omitted ones take the defaults.
  public init(
    maxDocumentBytes: Int = 8 << 20, maxDepth: Int = 64, maxAliasExpansion: Int = 10_000,
    maxNodes: Int = 1_000_000
  ) {
    self.maxDocumentBytes = maxDocumentBytes
    self.maxDepth = maxDepth
    self.maxAliasExpansion = maxAliasExpansion
    self.maxNodes = maxNodes
  }
}
