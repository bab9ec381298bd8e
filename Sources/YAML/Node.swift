/// A parsed YAML value, typed by the YAML 1.2 core schema.
///
/// Mapping keys are strings and their order is kept. Equality is structural and order-sensitive
/// (two mappings with the same pairs in another order are different nodes); floats compare with
/// `==` except that NaN equals NaN, so every node equals itself and `parse(emit(x)) == x` holds.
public indirect enum Node: Sendable {
  /// `null`, `~`, or an empty plain scalar.
  case null
  /// `true` / `false` (and their `True`, `TRUE` spellings).
  case bool(Bool)
  /// A decimal, `0o` octal or `0x` hexadecimal integer that fits in `Int`.
  case int(Int)
  /// A core-schema float, including `.inf`, `-.inf` and `.nan`.
  case float(Double)
  /// Any other scalar; quoted and block scalars are always strings.
  case string(String)
  /// A sequence, in order.
  case sequence([Node])
  /// A string-keyed mapping, in order.
  case mapping(Mapping)
}

extension Node {
  /// The string, if this is a `.string`.
  public var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// The integer, if this is an `.int`.
  public var int: Int? {
    if case .int(let value) = self { return value }
    return nil
  }

  /// The boolean, if this is a `.bool`.
  public var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// The number as a `Double`, if this is an `.int` or a `.float`.
  public var double: Double? {
    switch self {
    case .int(let value): return Double(value)
    case .float(let value): return value
    default: return nil
    }
  }

  /// The items, if this is a `.sequence`.
  public var sequence: [Node]? {
    if case .sequence(let value) = self { return value }
    return nil
  }

  /// The mapping, if this is a `.mapping`.
  public var mapping: Mapping? {
    if case .mapping(let value) = self { return value }
    return nil
  }

  /// Whether this is `.null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// How deeply sequences and mappings nest here: 0 for a scalar, 1 for a collection of scalars.
  /// `YAML.parse` accepts a document up to `Limits.maxDepth`.
  public var depth: Int {
    switch self {
    case .sequence(let items): return 1 + (items.lazy.map(\.depth).max() ?? 0)
    case .mapping(let map): return 1 + (map.lazy.map { $0.1.depth }.max() ?? 0)
    default: return 0
    }
  }

  /// Whether this is a scalar (not a sequence or a mapping).
  public var isScalar: Bool {
    switch self {
    case .sequence, .mapping: return false
    default: return true
    }
  }

  /// The name of the case, for error messages: "null", "bool", "int", "float", "string", "sequence", "mapping".
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "bool"
    case .int: return "int"
    case .float: return "float"
    case .string: return "string"
    case .sequence: return "sequence"
    case .mapping: return "mapping"
    }
  }

  /// The value for `key`; nil unless this is a mapping containing `key`.
  public subscript(key: String) -> Node? {
    mapping?[key]
  }
}

extension Node: Hashable {
  /// Structural equality; NaN equals NaN so that equality is reflexive.
  public static func == (lhs: Node, rhs: Node) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
    case (.string(let a), .string(let b)): return a == b
    case (.sequence(let a), .sequence(let b)): return a == b
    case (.mapping(let a), .mapping(let b)): return a == b
    default: return false
    }
  }

  /// Hashes consistently with `==` (all NaNs hash alike).
  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null: hasher.combine(0)
    case .bool(let value):
      hasher.combine(1)
      hasher.combine(value)
    case .int(let value):
      hasher.combine(2)
      hasher.combine(value)
    case .float(let value):
      hasher.combine(3)
      if value.isNaN { hasher.combine(Double.nan.bitPattern) } else { hasher.combine(value) }
    case .string(let value):
      hasher.combine(4)
      hasher.combine(value)
    case .sequence(let value):
      hasher.combine(5)
      hasher.combine(value)
    case .mapping(let value):
      hasher.combine(6)
      hasher.combine(value)
    }
  }
}
