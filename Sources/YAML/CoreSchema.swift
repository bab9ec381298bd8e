/// Typing of plain scalars by the YAML 1.2 core schema, shared by the parser and the emitter
/// (the emitter quotes any string that would not come back as the same string).
enum CoreSchema {
  /// The typed value of a plain scalar.
  ///
  /// Integers that overflow `Int` stay strings, so no digits are lost; the emitter quotes them.
  static func resolvePlain(_ text: String) -> Node {
    // Ints and floats start with a digit, a sign or a dot, nulls and bools with n, t or f (or
    // "~"): any other word needs no more checks. Most scalars in a profile are words and
    // sentences; this keeps large documents fast.
    if let first = text.utf8.first, (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z") {
      switch first | 0x20 {
      case UInt8(ascii: "n"): return isNull(text) ? .null : .string(text)
      case UInt8(ascii: "t"), UInt8(ascii: "f"): return bool(text).map(Node.bool) ?? .string(text)
      default: return .string(text)
      }
    }
    if isNull(text) { return .null }
    if let value = bool(text) { return .bool(value) }
    if let value = int(text) { return .int(value) }
    if looksLikeInt(text) { return .string(text) }
    if let value = float(text) { return .float(value) }
    return .string(text)
  }

  static func isNull(_ text: String) -> Bool {
    switch text {
    case "", "~", "null", "Null", "NULL": return true
    default: return false
    }
  }

  static func bool(_ text: String) -> Bool? {
    switch text {
    case "true", "True", "TRUE": return true
    case "false", "False", "FALSE": return false
    default: return nil
    }
  }

  /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; nil if malformed or out of range.
  static func int(_ text: String) -> Int? {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return nil }
    if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
      if bytes[1] == UInt8(ascii: "o"), bytes.dropFirst(2).allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
        return Int(text.dropFirst(2), radix: 8)
      }
      if bytes[1] == UInt8(ascii: "x"), bytes.dropFirst(2).allSatisfy(isHexDigit) {
        return Int(text.dropFirst(2), radix: 16)
      }
    }
    return isDecimalInteger(bytes) ? Int(text) : nil
  }

  /// Whether `text` has an integer form, whether or not it fits in `Int`.
  static func looksLikeInt(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
      if bytes[1] == UInt8(ascii: "o"), bytes.dropFirst(2).allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
        return true
      }
      if bytes[1] == UInt8(ascii: "x"), bytes.dropFirst(2).allSatisfy(isHexDigit) { return true }
    }
    return isDecimalInteger(bytes)
  }

  /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`.
  static func float(_ text: String) -> Double? {
    switch text {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
    case "-.inf", "-.Inf", "-.INF": return -.infinity
    case ".nan", ".NaN", ".NAN": return .nan
    default: break
    }
    guard matchesFloat(Array(text.utf8)) else { return nil }
    return Double(text)
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
  }

  private static func isDecimalInteger(_ bytes: [UInt8]) -> Bool {
    var index = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
      index += 1
    }
    return index < bytes.count && bytes[index...].allSatisfy(isDigit)
  }

  private static func matchesFloat(_ bytes: [UInt8]) -> Bool {
    var index = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
      index += 1
    }
    var intDigits = 0
    while index < bytes.count, isDigit(bytes[index]) {
      index += 1
      intDigits += 1
    }
    var fractionDigits = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      while index < bytes.count, isDigit(bytes[index]) {
        index += 1
        fractionDigits += 1
      }
      // "[0-9]+\.[0-9]*" or "\.[0-9]+"
      if intDigits == 0 && fractionDigits == 0 { return false }
    } else if intDigits == 0 {
      return false
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
        index += 1
      }
      var exponentDigits = 0
      while index < bytes.count, isDigit(bytes[index]) {
        index += 1
        exponentDigits += 1
      }
      if exponentDigits == 0 { return false }
    }
    return index == bytes.count
  }
}
