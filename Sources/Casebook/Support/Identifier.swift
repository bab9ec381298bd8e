#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Validation of every id that reaches a path or a ref name. No path is ever built from user
/// text that has not passed through here.
public enum Identifier {
  /// Section ids and other slugs: `[a-z0-9][a-z0-9-]{0,63}`.
  public static func slug(_ text: String, what: String) throws -> String {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { throw CasebookError.badInput("\(what) id is empty") }
    guard bytes.count <= 64 else {
      throw CasebookError.badInput("\(what) id '\(text)' is longer than 64 characters")
    }
    func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
    guard isAlnum(bytes[0]), bytes.allSatisfy({ isAlnum($0) || $0 == 0x2d }) else {
      throw CasebookError.badInput(
        "\(what) id '\(printable(text))' is not valid: use lowercase letters, digits and '-', starting with a letter or digit"
      )
    }
    return text
  }

  /// A section id.
  public static func section(_ text: String) throws -> String { try slug(text, what: "section") }

  /// An input id (content-addressed: 16 lowercase hex characters, but any slug is accepted so
  /// that ids from other tools still resolve).
  public static func input(_ text: String) throws -> String { try slug(text, what: "input") }

  /// A session id: 32 lowercase hex characters, as the seed's `uuid4().hex`.
  public static func session(_ text: String) throws -> String {
    let ok = text.utf8.count == 32 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    guard ok else {
      throw CasebookError.badInput("session id '\(printable(text))' is not valid: expected 32 lowercase hex characters")
    }
    return text
  }

  /// A user id: letters, digits and `._@+-`, 1 to 64 characters. It lands in commit signatures
  /// and trailers, so no spaces, angle brackets or newlines.
  public static func user(_ text: String) throws -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-")
    guard !text.isEmpty, text.count <= 64, text.allSatisfy({ allowed.contains($0) }) else {
      throw CasebookError.badInput(
        "user '\(printable(text))' is not valid: use 1 to 64 letters, digits or ._@+- (set --user or CASEBOOK_USER)")
    }
    return text
  }

  /// A project id: a slug, but upper case is tolerated (the seed's ids look like `abc123`).
  public static func project(_ text: String) throws -> String {
    _ = try slug(text.lowercased(), what: "project")
    return text
  }

  /// The text with control characters escaped, for error messages.
  static func printable(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars.prefix(80) {
      if scalar.value < 0x20 || scalar.value == 0x7f {
        out += "\\x" + scalar.value.hexPadded(2)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return text.unicodeScalars.count > 80 ? out + "…" : out
  }
}

/// A section id that passed `Identifier.section`: made once where text enters (a command's
/// argument, a record read back), carried as this type after that, so that every path and ref
/// built from one (`Layout`) is built from a checked id.
public struct SectionID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let text: String
  public init(_ text: String) throws { self.text = try Identifier.section(text) }
  public var description: String { text }
  public static func < (a: Self, b: Self) -> Bool { a.text < b.text }
}

/// A session id that passed `Identifier.session` (see `SectionID`).
public struct SessionID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let text: String
  public init(_ text: String) throws { self.text = try Identifier.session(text) }
  public var description: String { text }
  public static func < (a: Self, b: Self) -> Bool { a.text < b.text }
}

/// An input id that passed `Identifier.input` (see `SectionID`).
public struct InputID: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let text: String
  public init(_ text: String) throws { self.text = try Identifier.input(text) }
  public var description: String { text }
  public static func < (a: Self, b: Self) -> Bool { a.text < b.text }
}

/// A record's stored id against a checked one: records keep ids as the text they were written.
protocol CheckedID: Equatable { var text: String { get } }
extension SectionID: CheckedID {}
extension SessionID: CheckedID {}
extension InputID: CheckedID {}

func == <ID: CheckedID>(stored: String, id: ID) -> Bool { stored == id.text }
func != <ID: CheckedID>(stored: String, id: ID) -> Bool { stored != id.text }
