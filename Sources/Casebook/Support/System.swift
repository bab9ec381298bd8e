#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few file and stream calls Casebook needs beyond FoundationEssentials, made on POSIX.
///
/// Casebook imports FoundationEssentials, not Foundation: one reference to swift-corelibs-
/// foundation (`FileHandle`, `NSString`, `Process`, `String(format:)`, `CharacterSet`…) links all
/// of it, with CoreFoundation and ICU, into the `casebook` binary, and that costs every CLI
/// process about 3 ms of start-up (relocations, and the Swift runtime scanning thousands more
/// protocol conformance records). `docs/DECISIONS.md` has the figures.
public enum System {
  /// What a path names, following symbolic links.
  public enum Kind: Sendable { case file, folder, other }

  /// What is at `path` (following symbolic links), or nil when nothing is.
  public static func kind(_ path: String) -> Kind? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .folder
    default: return .other
    }
  }

  /// Whether `path` is an existing folder (following symbolic links).
  public static func isFolder(_ path: String) -> Bool { kind(path) == .folder }

  /// `folder/name` with one slash between, as `NSString.appendingPathComponent` joins them.
  public static func join(_ folder: String, _ name: String) -> String {
    if folder.isEmpty { return name }
    return folder.hasSuffix("/") ? folder + name : folder + "/" + name
  }

  /// The last component of `path`, ignoring trailing slashes ("/" stays "/").
  public static func lastComponent(_ path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/"), trimmed != "/" else { return String(trimmed) }
    return String(trimmed[trimmed.index(after: slash)...])
  }

  /// `path` with every symbolic link and `.`/`..` resolved, or `path` itself when it does not
  /// exist (as `resolvingSymlinksInPath` leaves what it cannot resolve).
  public static func resolved(_ path: String) -> String {
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
  }

  /// `open(2)` for reading, close-on-exec; named apart from `Project.open`, which hides `open`
  /// inside `Project`.
  static func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

  /// The system's text for error number `code` ("No such file or directory").
  static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

  /// The text of the last failed system call.
  static var lastError: String { errorText(errno) }

  /// Writes all of `bytes` to `fd`, retrying on EINTR; the reason on failure.
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return lastError
      }
      offset += n
    }
    return nil
  }

  /// Writes `data` to standard output.
  public static func writeOutput(_ data: some DataProtocol) {
    _ = Data(data).withUnsafeBytes { writeAll(STDOUT_FILENO, $0) }
  }

  /// Writes `text` to standard error.
  public static func writeError(_ text: String) {
    var text = text
    _ = text.withUTF8 { writeAll(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
  }

  /// The file at `path`, or standard input for "-", read to its end but never past `limit`
  /// bytes: a larger one is refused (`badInput`, naming `what` and the limit) after reading
  /// `limit + 1` bytes, so a 2 GiB file or an endless pipe costs no more than the limit.
  public static func readBounded(_ path: String, limit: Int, what: String) throws -> Data {
    let shown = path == "-" ? "\(what) (standard input)" : "\(what) \(path)"
    let fd: Int32
    if path == "-" {
      fd = STDIN_FILENO
    } else {
      guard let kind = kind(path) else { throw CasebookError.badInput("no such file: \(path)") }
      guard kind != .folder else { throw CasebookError.badInput("cannot read \(path): it is a folder, not a file") }
      fd = openForReading(path)
      guard fd >= 0 else { throw CasebookError.badInput("cannot read \(path): \(errorText(errno).lowercased())") }
    }
    defer { if fd != STDIN_FILENO { close(fd) } }
    var out = Data()
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while out.count <= limit {
      let wanted = min(chunk.count, limit + 1 - out.count)
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, wanted) }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else { throw CasebookError.badInput("cannot read \(shown): \(errorText(errno).lowercased())") }
      if n == 0 { return out }
      out.append(contentsOf: chunk[..<n])
    }
    throw CasebookError.badInput("\(shown) is larger than the \(describe(bytes: limit)) limit; nothing was stored")
  }

  /// A small file's text (a key, an allowed-signers file), nil when it cannot be read; at most
  /// 1 MiB is read.
  static func readText(_ path: String) -> String? {
    guard kind(path) == .file, let data = try? readBounded(path, limit: 1 << 20, what: "file") else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  /// Writes `bytes` to a new file readable by this user only.
  static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw CasebookError.repository("cannot write \(path): \(errorText(errno).lowercased())") }
    defer { close(fd) }
    if let failure = bytes.withUnsafeBytes({ writeAll(fd, $0) }) {
      throw CasebookError.repository("cannot write \(path): \(failure)")
    }
  }

  /// A new private folder under TMPDIR (or /tmp).
  static func temporaryFolder(prefix: String) throws -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw CasebookError.repository("cannot make a temporary folder in \(base): \(errorText(errno).lowercased())")
    }
    return String(cString: made)
  }

  /// Removes a folder and what it holds, ignoring failures (for temporary folders).
  static func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// A size as messages show it: whole MiB or KiB as such ("4 MiB"), anything else in bytes.
  public static func describe(bytes: Int) -> String {
    if bytes > 0, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes > 0, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
  }
}

extension StringProtocol {
  /// The text without leading and trailing white space and newlines: what
  /// `trimmingCharacters(in: .whitespacesAndNewlines)` gives, scalar for scalar.
  public func trimmingWhitespace() -> String {
    trimming { $0.isFoundationSpace || $0.isFoundationNewline }
  }

  /// The text without leading and trailing spaces, newlines kept: what
  /// `trimmingCharacters(in: .whitespaces)` gives, scalar for scalar.
  public func trimmingSpaces() -> String {
    trimming { $0.isFoundationSpace }
  }

  /// Whether the text is empty or all white space and newlines (as `trimmingWhitespace()` sees
  /// them).
  public var isBlank: Bool {
    unicodeScalars.allSatisfy { $0.isFoundationSpace || $0.isFoundationNewline }
  }

  /// The text followed by spaces up to `width` characters; longer text is left whole (an id cut
  /// to fit a column could no longer be copied from it).
  public func padded(to width: Int) -> String {
    count >= width ? String(self) : String(self) + String(repeating: " ", count: width - count)
  }

  private func trimming(_ drop: (Unicode.Scalar) -> Bool) -> String {
    let scalars = String(self).unicodeScalars
    guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
    let last = scalars.lastIndex(where: { !drop($0) })!
    return String(scalars[first...last])
  }
}

extension Error {
  /// What went wrong, in words: the `errorDescription` of an error that gives one (Casebook's,
  /// libgit2's, YAML's all do), else the error as Swift prints it. It stands in for
  /// `localizedDescription`, which is swift-corelibs-foundation's.
  public var explanation: String {
    if let described = (self as? LocalizedError)?.errorDescription { return described }
    if let error = self as? CocoaError, error.code == .fileReadNoSuchFile {
      return error.filePath.map { "no such file: \($0)" } ?? "no such file"
    }
    return String(describing: self)
  }
}

extension String {
  /// Every occurrence of `target` replaced by `replacement`, matched literally, scalar for scalar
  /// (as `replacingOccurrences(of:with:options: .literal)`), not character by character as the
  /// standard library's `replacing(_:with:)` does, which would not find "\n" inside "\r\n".
  /// (Foundation's default match also skipped a target followed by a combining accent; the
  /// callers replace ASCII punctuation and line breaks, where that never mattered.)
  public func replacingEvery(_ target: String, with replacement: String) -> String {
    String(decoding: Array(utf8).replacing(Array(target.utf8), with: Array(replacement.utf8)), as: UTF8.self)
  }
}

extension Unicode.Scalar {
  /// In Foundation's `CharacterSet.whitespaces`: general category Zs, the tab, and (as
  /// CoreFoundation has it) the zero-width space.
  fileprivate var isFoundationSpace: Bool {
    switch value {
    case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
    default: false
    }
  }

  /// In Foundation's `CharacterSet.newlines`.
  fileprivate var isFoundationNewline: Bool {
    switch value {
    case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
    default: false
    }
  }
}

extension BinaryInteger {
  /// The number in decimal, padded with zeros to `width` digits (`String(format: "%0Nd")`).
  func zeroPadded(_ width: Int) -> String {
    let digits = String(self)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }

  /// The number in lower-case hexadecimal, padded with zeros to `width` digits.
  func hexPadded(_ width: Int) -> String {
    let digits = String(self, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
