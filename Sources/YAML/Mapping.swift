/// An ordered, string-keyed map with unique keys: the value of a YAML mapping node.
///
/// It is a random-access collection of `(key: String, value: Node)` pairs in insertion order.
/// Equality is order-sensitive.
public struct Mapping: Sendable {
  /// The keys, in order.
  public private(set) var keys: [String]
  /// The values, in the order of `keys`.
  public private(set) var values: [Node]
  /// Key positions, kept only above `indexedFrom` keys: most mappings in a document are small
  /// records, where a linear scan is faster than building and hashing into a dictionary.
  private var positions: [String: Int]
  private static let indexedFrom = 9

  /// An empty mapping.
  public init() {
    keys = []
    values = []
    positions = [:]
  }

  /// A mapping of `pairs` in order; a later duplicate key replaces the earlier value (at the earlier position).
  public init(_ pairs: [(String, Node)]) {
    self.init()
    for (key, value) in pairs { self[key] = value }
  }

  /// The value for `key`. Setting nil removes the key; setting a new key appends it at the end.
  public subscript(key: String) -> Node? {
    get {
      guard let index = index(forKey: key) else { return nil }
      return values[index]
    }
    set {
      if let newValue {
        if let index = index(forKey: key) {
          values[index] = newValue
        } else {
          keys.append(key)
          values.append(newValue)
          if keys.count == Self.indexedFrom {
            for (position, key) in keys.enumerated() { positions[key] = position }
          } else if keys.count > Self.indexedFrom {
            positions[key] = keys.count - 1
          }
        }
      } else {
        removeValue(forKey: key)
      }
    }
  }

  /// The position of `key`, if present.
  public func index(forKey key: String) -> Int? {
    keys.count < Self.indexedFrom ? keys.firstIndex(of: key) : positions[key]
  }

  /// Whether `key` is present.
  public func contains(key: String) -> Bool {
    index(forKey: key) != nil
  }

  /// Removes `key` and returns its value, keeping the order of the other keys.
  @discardableResult
  public mutating func removeValue(forKey key: String) -> Node? {
    guard let index = index(forKey: key) else { return nil }
    keys.remove(at: index)
    let value = values.remove(at: index)
    if keys.count < Self.indexedFrom {
      positions = [:]
    } else {
      positions.removeValue(forKey: key)
      for position in index..<keys.count { positions[keys[position]] = position }
    }
    return value
  }
}

extension Mapping: RandomAccessCollection {
  /// A key and its value.
  public typealias Element = (key: String, value: Node)

  /// Always 0.
  public var startIndex: Int { 0 }
  /// The number of pairs.
  public var endIndex: Int { keys.count }
  /// The pair at `position`.
  public subscript(position: Int) -> Element { (keys[position], values[position]) }
}

extension Mapping: Hashable {
  /// Same keys with equal values, in the same order.
  public static func == (lhs: Mapping, rhs: Mapping) -> Bool {
    lhs.keys == rhs.keys && lhs.values == rhs.values
  }

  /// Hashes keys and values in order.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(keys)
    hasher.combine(values)
  }
}

extension Mapping: ExpressibleByDictionaryLiteral {
  /// A mapping in literal order; a later duplicate key replaces the earlier value.
  public init(dictionaryLiteral elements: (String, Node)...) { self.init(elements) }
}
