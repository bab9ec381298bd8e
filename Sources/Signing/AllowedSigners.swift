#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An allowed-signers file, as `ssh-keygen -Y verify` and git's `gpg.ssh.allowedSignersFile`
/// read it (ssh-keygen(1), "ALLOWED SIGNERS"): one key per line, with the principals (names or
/// addresses, `*` and `?` patterns, comma-separated) it may sign as and options —
/// `namespaces="git"`, `valid-after=`, `valid-before=` (YYYYMMDD[HHMM[SS]], UTC with a `Z`,
/// local time without). `cert-authority` lines are kept but sign nothing here: Casebook does not
/// check SSH certificates.
public struct AllowedSigners: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public var principals: [String]
    public var key: SSHPublicKey
    public var namespaces: [String]?
    public var validAfter: Date?
    public var validBefore: Date?
    public var certificateAuthority: Bool
    /// The line as read, without its end.
    public var line: String

    /// Whether this entry lets its key sign in `namespace` at `time`.
    public func allows(namespace: String, at time: Date) -> Bool {
      !certificateAuthority && (namespaces.map { $0.contains(namespace) } ?? true)
        && (validAfter.map { time >= $0 } ?? true) && (validBefore.map { time <= $0 } ?? true)
    }

    /// Whether `name` matches one of the principals (`*` and `?` patterns; a `!` pattern that
    /// matches excludes).
    public func names(_ name: String) -> Bool {
      var matched = false
      for pattern in principals {
        if pattern.hasPrefix("!") {
          if Self.matches(Array(name.utf8), Array(pattern.utf8.dropFirst())) { return false }
        } else if Self.matches(Array(name.utf8), Array(pattern.utf8)) {
          matched = true
        }
      }
      return matched
    }

    static func matches(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
      var t = 0
      var p = 0
      var star: Int?
      var resume = 0
      while t < text.count {
        if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
          t += 1
          p += 1
        } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
          star = p
          resume = t
          p += 1
        } else if let at = star {
          p = at + 1
          resume += 1
          t = resume
        } else {
          return false
        }
      }
      while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
      return p == pattern.count
    }
  }

  public var entries: [Entry]

  public init(entries: [Entry] = []) { self.entries = entries }

  /// Reads the file's text; a line that does not read throws with its number.
  public init(text: String) throws(SigningError) {
    var entries = [Entry]()
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      do {
        entries.append(try Self.entry(String(trimmed)))
      } catch {
        throw SigningError("allowed signers line \(index + 1): \(error.message)")
      }
    }
    self.entries = entries
  }

  /// The entries that let `key` sign in `namespace` at `time`.
  public func entries(for key: SSHPublicKey, namespace: String = "git", at time: Date) -> [Entry] {
    entries.filter { $0.key == key && $0.allows(namespace: namespace, at: time) }
  }

  /// The file's text: each entry's line.
  public var text: String { entries.map { $0.line + "\n" }.joined() }

  /// Splits off fields separated by blanks; a double-quoted run keeps its blanks.
  private static func fields(_ line: String) -> [String] {
    var fields = [String]()
    var current = ""
    var quoted = false
    for character in line {
      if character == "\"" { quoted.toggle() }
      if !quoted, character == " " || character == "\t" {
        if !current.isEmpty { fields.append(current) }
        current = ""
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { fields.append(current) }
    return fields
  }

  private static func entry(_ line: String) throws(SigningError) -> Entry {
    let fields = fields(line)
    guard fields.count >= 3 else { throw SigningError("expected principals, [options,] key type and key") }
    let principals = fields[0].split(separator: ",").map(String.init)
    guard !principals.isEmpty, !principals.contains(where: \.isEmpty) else {
      throw SigningError("the principals list is empty")
    }
    // The options field is there when the third field, not the second, starts the key.
    let hasOptions = (try? SSHPublicKey(text: fields[1...].joined(separator: " "))) == nil
    let key = try SSHPublicKey(text: fields[(hasOptions ? 2 : 1)...].joined(separator: " "))
    var entry = Entry(
      principals: principals, key: key, namespaces: nil, validAfter: nil, validBefore: nil,
      certificateAuthority: false, line: line)
    guard hasOptions else { return entry }
    for option in splitOptions(fields[1]) {
      let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
      let name = parts[0].lowercased()
      let value = parts.count > 1 ? unquoted(parts[1]) : nil
      switch (name, value) {
      case ("cert-authority", nil): entry.certificateAuthority = true
      case ("namespaces", let value?): entry.namespaces = value.split(separator: ",").map(String.init)
      case ("valid-after", let value?): entry.validAfter = try time(value)
      case ("valid-before", let value?): entry.validBefore = try time(value)
      default: throw SigningError("unknown option '\(option)'")
      }
    }
    return entry
  }

  private static func splitOptions(_ field: String) -> [String] {
    var options = [String]()
    var current = ""
    var quoted = false
    for character in field {
      if character == "\"" { quoted.toggle() }
      if character == ",", !quoted {
        options.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    options.append(current)
    return options.filter { !$0.isEmpty }
  }

  private static func unquoted(_ value: String) -> String {
    value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
  }

  /// YYYYMMDD[HHMM[SS]][Z]: UTC with the Z, this machine's local time without (as ssh-keygen).
  static func time(_ text: String) throws(SigningError) -> Date {
    let utc = text.hasSuffix("Z") || text.hasSuffix("z")
    let digits = Array((utc ? text.dropLast() : Substring(text)).utf8)
    guard [8, 12, 14].contains(digits.count), digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
      throw SigningError("'\(text)' is not a time (YYYYMMDD[HHMM[SS]][Z])")
    }
    func number(_ from: Int, _ count: Int) -> Int32 {
      digits[from..<(from + count)].reduce(0) { $0 * 10 + Int32($1 - 48) }
    }
    var parts = tm()
    parts.tm_year = number(0, 4) - 1900
    parts.tm_mon = number(4, 2) - 1
    parts.tm_mday = number(6, 2)
    parts.tm_hour = digits.count >= 12 ? number(8, 2) : 0
    parts.tm_min = digits.count >= 12 ? number(10, 2) : 0
    parts.tm_sec = digits.count == 14 ? number(12, 2) : 0
    parts.tm_isdst = -1
    let seconds = utc ? timegm(&parts) : mktime(&parts)
    return Date(timeIntervalSince1970: TimeInterval(seconds))
  }
}
