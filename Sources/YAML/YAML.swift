#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Parsing and canonical emission of single YAML documents.
public enum YAML {
  /// Parses exactly one document; empty input or only comments give `.null`.
  ///
  /// Refuses more than one document (`.multipleDocuments`), duplicate keys at any level, alias
  /// expansions included (`.duplicateKey`, at the second occurrence), non-scalar mapping keys
  /// (`.unsupported`), nesting deeper than `limits.maxDepth` (`.tooDeep`), alias expansion beyond
  /// `limits.maxAliasExpansion` (`.aliasBudget`, counted without allocating the expansion), input
  /// over `limits.maxDocumentBytes` (`.tooLarge`, checked first), invalid UTF-8 (`.invalidUTF8`,
  /// checked before parsing), and tags other than `!!str`, `!!int`, `!!bool`, `!!null`, `!!float`,
  /// `!!seq`, `!!map` (`.unsupported`).
  ///
  /// Plain scalars are typed by the YAML 1.2 core schema: `null`, `Null`, `NULL`, `~` and empty are
  /// null; `true`/`True`/`TRUE`/`false`/`False`/`FALSE` are bools; `[-+]?[0-9]+`, `0o[0-7]+` and
  /// `0x[0-9a-fA-F]+` are ints (an integer that overflows `Int` stays a string); the core float
  /// forms and `.inf`/`-.inf`/`.nan` are floats; anything else is a string. Quoted and block
  /// scalars are always strings. Mapping keys are the raw text of their scalar (`1:` is key "1").
  /// Merge keys `<<` are ordinary keys.
  public static func parse(_ text: String, limits: Limits = .default) throws(YAMLError) -> Node {
    var parser = Parser(bytes: Array(text.utf8), limits: limits, utf8Checked: true)
    return try parser.parse()
  }

  /// Parses exactly one UTF-8 document; see `parse(_:limits:)` for a `String`.
  public static func parse(_ data: Data, limits: Limits = .default) throws(YAMLError) -> Node {
    if data.count > limits.maxDocumentBytes {
      throw YAMLError(
        kind: .tooLarge,
        message:
          "document is \(data.count) bytes, more than the limit of \(limits.maxDocumentBytes)")
    }
    var parser = Parser(bytes: [UInt8](data), limits: limits)
    return try parser.parse()
  }

  /// The canonical block-style text of `node`; see `Emitter` for the exact form.
  ///
  /// Mapping order is kept; 2-space indent; sequences indented under their key; "{}" and "[]" for
  /// empty collections; the text ends with exactly one "\n" and has no "---" header.
  /// `parse(emit(x)) == x` for every node, and `emit(parse(emit(x))) == emit(x)` byte for byte.
  public static func emit(_ node: Node) -> String {
    var emitter = Emitter()
    emitter.emitDocument(node)
    return emitter.output
  }
}
