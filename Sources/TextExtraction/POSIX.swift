#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few POSIX calls extraction makes. Casebook has its own `System` with more; these are
/// repeated here rather than shared, so that this target depends on nothing of Casebook's.
enum POSIX {
  enum Kind { case file, folder, other }

  /// What is at `path` (following symbolic links), or nil when nothing is.
  static func kind(_ path: String) -> Kind? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .folder
    default: return .other
    }
  }

  /// `open(2)` for reading, close-on-exec.
  static func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

  /// The system's text for error number `code` ("No such file or directory").
  static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

extension StringProtocol {
  /// Whether the text is empty or all white space and newlines (Foundation's
  /// `CharacterSet.whitespacesAndNewlines`, as Casebook's `isBlank` has it).
  var isBlankText: Bool {
    unicodeScalars.allSatisfy { $0.isExtractionSpace || $0.isExtractionNewline }
  }

  /// Whether the text is empty or all spaces and tabs, newlines not counted as blank
  /// (Foundation's `CharacterSet.whitespaces`).
  var isOnlySpaces: Bool { unicodeScalars.allSatisfy(\.isExtractionSpace) }
}

extension Unicode.Scalar {
  /// In Foundation's `CharacterSet.whitespaces`: general category Zs, the tab, and (as
  /// CoreFoundation has it) the zero-width space.
  fileprivate var isExtractionSpace: Bool {
    switch value {
    case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
    default: false
    }
  }

  /// In Foundation's `CharacterSet.newlines`.
  fileprivate var isExtractionNewline: Bool {
    switch value {
    case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
    default: false
    }
  }
}

extension BinaryInteger {
  /// The number in lower-case hexadecimal, padded with zeros to `width` digits.
  func hexDigits(_ width: Int) -> String {
    let digits = String(self, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}

/// The text with control characters escaped, for messages (as Casebook's `Identifier.printable`).
func printable(_ text: String) -> String {
  var out = ""
  for scalar in text.unicodeScalars.prefix(80) {
    if scalar.value < 0x20 || scalar.value == 0x7f {
      out += "\\x" + scalar.value.hexDigits(2)
    } else {
      out.unicodeScalars.append(scalar)
    }
  }
  return text.unicodeScalars.count > 80 ? out + "…" : out
}
