#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Why a document could not be parsed, and where.
public struct YAMLError: Error, LocalizedError, Sendable, Equatable {
  /// The class of failure.
  public enum Kind: Sendable, Equatable {
    /// Malformed YAML (libyaml's scanner or parser), an unknown alias, or a value that does not fit its tag.
    case syntax
    /// A mapping key that occurs twice (reported at the second occurrence).
    case duplicateKey
    /// Alias expansion beyond `Limits.maxAliasExpansion`.
    case aliasBudget
    /// Nesting beyond `Limits.maxDepth`.
    case tooDeep
    /// Input beyond `Limits.maxDocumentBytes`, or more than `Limits.maxNodes` nodes.
    case tooLarge
    /// Input that is not UTF-8 (reported at the first bad byte).
    case invalidUTF8
    /// More than one document in the stream.
    case multipleDocuments
    /// Valid YAML outside what we accept: non-scalar keys, tags other than the core ones.
    case unsupported
  }

  /// The class of failure.
  public let kind: Kind
  /// A short lowercase description, e.g. "duplicate key 'gate_stage'".
  public let message: String
  /// 1-based line, if known.
  public let line: Int?
  /// 1-based column (in characters), if known.
  public let column: Int?
  /// The offending source line, if known.
  public let snippet: String?

  /// An error with the given fields.
  public init(
    kind: Kind, message: String, line: Int? = nil, column: Int? = nil, snippet: String? = nil
  ) {
    self.kind = kind
    self.message = message
    self.line = line
    self.column = column
    self.snippet = snippet
  }

  /// "line 3, column 5: duplicate key 'gate_stage'", then the snippet on the next line if any.
  public var errorDescription: String? {
    var text = ""
    if let line {
      text = "line \(line)"
      if let column { text += ", column \(column)" }
      text += ": "
    }
    text += message
    if let snippet { text += "\n" + snippet }
    return text
  }
}
