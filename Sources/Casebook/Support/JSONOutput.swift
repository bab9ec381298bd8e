import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The JSON every front end prints: the CLI's `--json`, the HTTP API and the MCP server all
/// encode results through `encode`, so that one result reads the same everywhere.
public enum CasebookJSON {
  /// `value` as one JSON object: snake_case keys (keys that came from YAML stay as written),
  /// sorted, slashes unescaped.
  public static func encode<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try encodeData(value), as: UTF8.self)
  }

  /// `encode`'s bytes.
  public static func encodeData<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    // Swift property names become the seed's snake_case; keys that came from YAML stay as written.
    encoder.keyEncodingStrategy = .custom { path in
      let key = path.last!
      if key is LiteralKey { return key }
      return SnakeKey(stringValue: snakeCase(key.stringValue))
    }
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
  }
}

/// `{"key": [...]}` for list results, so that every result is one JSON object.
public struct Wrapped<T: Encodable>: Encodable {
  public let key: String
  public let value: T

  public init(key: String, value: T) {
    self.key = key
    self.value = value
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: LiteralKey.self)
    try container.encode(value, forKey: LiteralKey(stringValue: key))
  }
}

/// A key written exactly as given (YAML keys, wrapper keys).
public struct LiteralKey: CodingKey {
  public var stringValue: String
  public var intValue: Int? { nil }
  public init(stringValue: String) { self.stringValue = stringValue }
  public init?(intValue: Int) { nil }
}

private struct SnakeKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

/// `sessionId` → `session_id`.
public func snakeCase(_ name: String) -> String {
  var out = ""
  for c in name {
    if c.isUppercase {
      if !out.isEmpty { out.append("_") }
      out.append(contentsOf: c.lowercased())
    } else {
      out.append(c)
    }
  }
  return out
}

/// A YAML node as JSON.
public struct JSONNode: Encodable {
  public let node: Node
  public init(_ node: Node) { self.node = node }

  public func encode(to encoder: Encoder) throws {
    switch node {
    case .null:
      var c = encoder.singleValueContainer()
      try c.encodeNil()
    case .bool(let b):
      var c = encoder.singleValueContainer()
      try c.encode(b)
    case .int(let i):
      var c = encoder.singleValueContainer()
      try c.encode(i)
    case .float(let d):
      var c = encoder.singleValueContainer()
      if d.isFinite { try c.encode(d) } else { try c.encode(String(d)) }
    case .string(let s):
      var c = encoder.singleValueContainer()
      try c.encode(s)
    case .sequence(let items):
      var c = encoder.unkeyedContainer()
      for item in items { try c.encode(JSONNode(item)) }
    case .mapping(let map):
      var c = encoder.container(keyedBy: LiteralKey.self)
      for key in map.keys { try c.encode(JSONNode(map[key]!), forKey: LiteralKey(stringValue: key)) }
    }
  }
}

extension Wrapped: Sendable where T: Sendable {}
extension JSONNode: Sendable {}
