extension Node: ExpressibleByStringLiteral {
  /// A `.string`.
  public init(stringLiteral value: String) { self = .string(value) }
}

extension Node: ExpressibleByIntegerLiteral {
  /// An `.int`.
  public init(integerLiteral value: Int) { self = .int(value) }
}

extension Node: ExpressibleByFloatLiteral {
  /// A `.float`.
  public init(floatLiteral value: Double) { self = .float(value) }
}

extension Node: ExpressibleByBooleanLiteral {
  /// A `.bool`.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension Node: ExpressibleByArrayLiteral {
  /// A `.sequence`.
  public init(arrayLiteral elements: Node...) { self = .sequence(elements) }
}

extension Node: ExpressibleByDictionaryLiteral {
  /// A `.mapping` in literal order; a later duplicate key replaces the earlier value in place.
  public init(dictionaryLiteral elements: (String, Node)...) { self = .mapping(Mapping(elements)) }
}

extension Node: ExpressibleByNilLiteral {
  /// `.null`.
  public init(nilLiteral: ()) { self = .null }
}
