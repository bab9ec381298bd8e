/// A JSON Schema (2020-12, the dialect OpenAPI 3.1 uses) for an operation's input or output,
/// small enough to write by hand. It checks requests too (`validate`), so the schema a client
/// reads is the one the server enforces.
public struct JSONSchema: Sendable {
  public enum Kind: String, Sendable { case object, string, integer, boolean, array, any }

  public var kind: Kind
  public var description: String?
  /// Objects: the properties in order, which are required, and whether others are allowed.
  public var properties: [(name: String, schema: JSONSchema)] = []
  public var required: [String] = []
  public var additionalProperties = false
  /// Arrays: the items' schema.
  public var items: [JSONSchema] = []
  /// Integers: the range.
  public var minimum: Int?
  public var maximum: Int?
  /// Strings: the longest, in characters, and the allowed values.
  public var maxLength: Int?
  public var allowed: [String]?

  public init(kind: Kind, description: String? = nil) {
    self.kind = kind
    self.description = description
  }

  public static func string(_ description: String? = nil, maxLength: Int? = nil, allowed: [String]? = nil)
    -> JSONSchema
  {
    var s = JSONSchema(kind: .string, description: description)
    s.maxLength = maxLength
    s.allowed = allowed
    return s
  }

  public static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> JSONSchema {
    var s = JSONSchema(kind: .integer, description: description)
    s.minimum = minimum
    s.maximum = maximum
    return s
  }

  public static func boolean(_ description: String? = nil) -> JSONSchema {
    JSONSchema(kind: .boolean, description: description)
  }

  public static func any(_ description: String? = nil) -> JSONSchema {
    JSONSchema(kind: .any, description: description)
  }

  public static func array(_ items: JSONSchema, _ description: String? = nil) -> JSONSchema {
    var s = JSONSchema(kind: .array, description: description)
    s.items = [items]
    return s
  }

  /// An object; `required` names the properties that must be present. `open` allows other
  /// properties (results, which may grow); inputs are closed.
  public static func object(
    _ properties: [(String, JSONSchema)], required: [String] = [], open: Bool = false, _ description: String? = nil
  ) -> JSONSchema {
    var s = JSONSchema(kind: .object, description: description)
    s.properties = properties.map { (name: $0.0, schema: $0.1) }
    s.required = required
    s.additionalProperties = open
    return s
  }

  /// The schema as a JSON Schema document.
  public var json: JSONValue {
    var out: [String: JSONValue] = [:]
    if kind != .any { out["type"] = .string(kind.rawValue) }
    if let description { out["description"] = .string(description) }
    switch kind {
    case .object:
      out["properties"] = .object(Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0.schema.json) }))
      if !required.isEmpty { out["required"] = .array(required.map(JSONValue.string)) }
      out["additionalProperties"] = .bool(additionalProperties)
    case .array:
      if let item = items.first { out["items"] = item.json }
    case .integer:
      if let minimum { out["minimum"] = .int(minimum) }
      if let maximum { out["maximum"] = .int(maximum) }
    case .string:
      if let maxLength { out["maxLength"] = .int(maxLength) }
      if let allowed { out["enum"] = .array(allowed.map(JSONValue.string)) }
    case .boolean, .any: break
    }
    return .object(out)
  }

  /// Checks `value` against the schema; the error names the field and what was wrong.
  public func validate(_ value: JSONValue, at path: String = "") throws(ServiceError) {
    let here = path.isEmpty ? "the request" : "field '\(path)'"
    func wrong(_ expected: String) -> ServiceError {
      ServiceError.badInput("\(here) must be \(expected), not \(value.typeName)")
    }
    switch kind {
    case .any: return
    case .string:
      guard case .string(let s) = value else { throw wrong("a string") }
      if let maxLength, s.count > maxLength {
        throw ServiceError.badInput("\(here) is longer than \(maxLength) characters")
      }
      if let allowed, !allowed.contains(s) {
        throw ServiceError.badInput("\(here) must be one of \(allowed.joined(separator: ", "))")
      }
    case .integer:
      guard case .int(let i) = value else { throw wrong("an integer") }
      if let minimum, i < minimum { throw ServiceError.badInput("\(here) must be at least \(minimum)") }
      if let maximum, i > maximum { throw ServiceError.badInput("\(here) must be at most \(maximum)") }
    case .boolean:
      guard case .bool = value else { throw wrong("a boolean") }
    case .array:
      guard case .array(let a) = value else { throw wrong("an array") }
      if let item = items.first {
        for (i, element) in a.enumerated() { try item.validate(element, at: "\(path)[\(i)]") }
      }
    case .object:
      guard case .object(let o) = value else { throw wrong("an object") }
      for name in required where o[name] == nil || o[name] == .null {
        throw ServiceError.badInput("field '\(path.isEmpty ? name : "\(path).\(name)")' is required")
      }
      for key in o.keys.sorted() {
        let child = path.isEmpty ? quoted(key) : "\(path).\(quoted(key))"
        guard let property = properties.first(where: { $0.name == key }) else {
          if additionalProperties { continue }
          let known = properties.map(\.name).joined(separator: ", ")
          throw ServiceError.badInput(
            "field '\(child)' is not allowed here (known fields: \(known.isEmpty ? "none" : known))")
        }
        if o[key] == .null, !required.contains(key) { continue }
        try property.schema.validate(o[key]!, at: child)
      }
    }
  }
}
