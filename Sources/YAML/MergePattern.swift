/// A pattern naming places in a document, for merge policies and identity keys.
///
/// Syntax: map keys joined with "."; "[]" after a segment stands for every item of that
/// sequence; "*" stands for any one map key; a key containing ".", "[", "]", "=", "*" or a double
/// quote (or an empty key) is written double-quoted, with "\" escaping "\" and the quote. The
/// empty pattern is the document itself; a pattern may start with "[]" when the document is a
/// sequence. Examples: `gate_stage`, `stakeholders[].role`, `budget.*.amount`, `"a.b"[]`.
public struct MergePattern: Sendable, Hashable, CustomStringConvertible {
  enum Segment: Hashable, Sendable {
    case key(String)
    case anyKey
    case item
  }

  /// Why a pattern does not parse.
  public struct Invalid: Error, Sendable, Equatable {
    /// A short lowercase description, e.g. "empty key after '.'".
    public let message: String
  }

  let segments: [Segment]
  /// The pattern as written.
  public let description: String
  /// How many "*" it has; a pattern with fewer wins when several match one place.
  var wildcards: Int { segments.count { $0 == .anyKey } }

  /// Parses `text`; throws `Invalid` for an empty key, an unterminated quote, a "[" not followed
  /// by "]", or a stray character after a quoted key.
  public init(_ text: String) throws(Invalid) {
    description = text
    var segments: [Segment] = []
    let characters = Array(text)
    var index = 0
    var expectKey = !characters.isEmpty && characters[0] != "["
    while index < characters.count {
      let character = characters[index]
      if character == "[" {
        guard index + 1 < characters.count, characters[index + 1] == "]" else {
          throw Invalid(message: "'[' must be followed by ']' (sequence items are written '[]')")
        }
        segments.append(.item)
        index += 2
        expectKey = false
        continue
      }
      if character == "." {
        guard !segments.isEmpty, !expectKey else { throw Invalid(message: "empty key before '.'") }
        index += 1
        expectKey = true
        guard index < characters.count else { throw Invalid(message: "empty key after '.'") }
        continue
      }
      guard expectKey else { throw Invalid(message: "expected '.' or '[]' after a key, found '\(character)'") }
      if character == "\"" {
        var key = ""
        index += 1
        var closed = false
        while index < characters.count {
          let next = characters[index]
          index += 1
          if next == "\\", index < characters.count {
            key.append(characters[index])
            index += 1
          } else if next == "\"" {
            closed = true
            break
          } else {
            key.append(next)
          }
        }
        guard closed else { throw Invalid(message: "unterminated quoted key") }
        segments.append(.key(key))
      } else {
        var key = ""
        while index < characters.count, !".[]\"".contains(characters[index]) {
          key.append(characters[index])
          index += 1
        }
        guard !key.contains("="), !(key.contains("*") && key != "*") else {
          throw Invalid(message: "key '\(key)' must be quoted ('=' and '*' inside a key need double quotes)")
        }
        segments.append(key == "*" ? .anyKey : .key(key))
      }
      expectKey = false
    }
    self.segments = segments
  }

  /// Whether the pattern names the place at `path`.
  func matches(_ path: MergePath) -> Bool {
    guard path.segments.count == segments.count else { return false }
    for (pattern, segment) in zip(segments, path.segments) {
      switch (pattern, segment) {
      case (.key(let a), .key(let b)) where a == b: continue
      case (.anyKey, .key): continue
      case (.item, .identity), (.item, .index): continue
      default: return false
      }
    }
    return true
  }

  /// Equal when written the same way.
  public static func == (lhs: MergePattern, rhs: MergePattern) -> Bool { lhs.description == rhs.description }

  /// Hashes the written form.
  public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}
