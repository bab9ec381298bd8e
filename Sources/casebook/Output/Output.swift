import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Prints results: one JSON object with `--json`, readable text otherwise.
struct Output {
  let json: Bool

  func emit<T: Encodable>(_ value: T, human: () -> String) throws {
    if json {
      print(try Output.encode(value))
    } else {
      let text = human()
      if !text.isEmpty { print(text) }
    }
  }

  /// Prints a project's warnings on standard error (they never go in the JSON on stdout).
  func warnings(_ project: Project) {
    for warning in project.takeWarnings() { System.writeError("warning: \(warning)\n") }
  }

  static func encode<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    // Swift property names become the seed's snake_case; keys that came from YAML stay as written.
    encoder.keyEncodingStrategy = .custom { path in
      let key = path.last!
      if key is LiteralKey { return key }
      return SnakeKey(stringValue: snakeCase(key.stringValue))
    }
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}

/// The projects this process opened, so that `main.swift` prints whatever warnings a command
/// left unprinted (on standard error, as `Output.warnings` does), on success and on failure.
enum OpenedProjects {
  nonisolated(unsafe) static var all: [Project] = []

  static func flushWarnings() {
    for project in all { Output(json: false).warnings(project) }
  }
}

/// `{"key": [...]}` for list results, so that every command prints one JSON object.
struct Wrapped<T: Encodable>: Encodable {
  let key: String
  let value: T

  func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: LiteralKey.self)
    try container.encode(value, forKey: LiteralKey(stringValue: key))
  }
}

/// The JSON error object of the CLI contract.
struct ErrorObject: Encodable {
  struct Body: Encodable {
    let code: String
    let message: String
    let exitCode: Int32
    let conflicts: [ConflictRecord]?
  }
  let error: Body
}

/// A key written exactly as given (YAML keys, wrapper keys).
struct LiteralKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

private struct SnakeKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

/// `sessionId` → `session_id`.
func snakeCase(_ name: String) -> String {
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
