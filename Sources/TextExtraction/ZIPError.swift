#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why `ZIPReader` refused an archive or an entry. Each case names one check, so a caller can
/// tell "not a zip at all" from "a zip we will not read" from "an entry that is damaged", and a
/// message says which bytes were wrong without a hex dump.
enum ZIPError: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened or read (`errno`).
  case cannotRead(Int32)
  /// No end of central directory record: the file is not a zip archive.
  case notZip
  /// The file starts like a zip but its end is missing: it was cut short.
  case truncated
  /// The end record points the central directory outside the file, or not right before itself.
  case centralDirectoryOutOfBounds
  /// The central directory is larger than `ZIPReader.maxCentralDirectoryBytes`.
  case centralDirectoryTooLarge(UInt64)
  /// The central directory does not parse: a bad signature, a record running past its end, or
  /// a different number of records than the end record says.
  case badCentralDirectory(String)
  /// ZIP64 markers (a field saturated at 0xFFFF or 0xFFFFFFFF, or the ZIP64 end locator): only
  /// needed past 4 GiB or 65,535 entries, which no document input has.
  case zip64
  /// The archive is split across several disks (files).
  case multiDisk
  /// Two entries have the same name, so which one is "the" entry depends on the reader.
  case duplicateName(String)
  /// A name flagged as UTF-8 is not valid UTF-8.
  case badName
  /// An entry's data lies outside the file or overlaps the central directory.
  case entryOutOfBounds(String)
  /// The entry is encrypted (flag bit 0 or 6).
  case encrypted(String)
  /// The entry's compression method is neither 0 (stored) nor 8 (deflate).
  case unsupportedMethod(String, UInt16)
  /// The local header is missing or disagrees with the central directory about `field`.
  case localHeaderMismatch(String, field: String)
  /// The data descriptor after the entry's data disagrees with the central directory.
  case dataDescriptorMismatch(String)
  /// The entry inflates (or claims to) past the caller's cap.
  case tooLarge(String, limit: Int)
  /// The bytes read or inflated are not as many as the central directory says.
  case sizeMismatch(String, field: String, expected: UInt64, actual: UInt64)
  /// The CRC-32 of the inflated bytes is not the one the central directory records.
  case crcMismatch(String, expected: UInt32, actual: UInt32)
  /// zlib refused the deflate stream.
  case corruptData(String, String)
  /// No entry has this exact name.
  case entryNotFound(String)

  var description: String {
    switch self {
    case .cannotRead(let code): return "cannot read the file: \(POSIX.errorText(code))"
    case .notZip: return "no end of central directory record, so not a zip archive"
    case .truncated: return "no end of central directory record at the end of the file (was the archive cut short?)"
    case .centralDirectoryOutOfBounds: return "the central directory is not where the end record says"
    case .centralDirectoryTooLarge(let size):
      return "the central directory is \(size) bytes, over the \(ZIPReader.maxCentralDirectoryBytes)-byte limit"
    case .badCentralDirectory(let why): return "the central directory is damaged: \(why)"
    case .zip64: return "ZIP64 archives are not supported"
    case .multiDisk: return "archives split across several disks are not supported"
    case .duplicateName(let name): return "two entries are named '\(name)'"
    case .badName: return "an entry name flagged as UTF-8 is not valid UTF-8"
    case .entryOutOfBounds(let name): return "the data of '\(name)' lies outside the archive's entries"
    case .encrypted(let name): return "'\(name)' is encrypted"
    case .unsupportedMethod(let name, let method):
      return "'\(name)' uses compression method \(method); only 0 (stored) and 8 (deflate) are supported"
    case .localHeaderMismatch(let name, let field):
      return "the local header of '\(name)' disagrees with the central directory about its \(field)"
    case .dataDescriptorMismatch(let name):
      return "the data descriptor of '\(name)' disagrees with the central directory"
    case .tooLarge(let name, let limit): return "'\(name)' is larger than the \(limit)-byte limit"
    case .sizeMismatch(let name, let field, let expected, let actual):
      return "'\(name)' has \(actual) \(field) bytes where the central directory says \(expected)"
    case .crcMismatch(let name, let expected, let actual):
      return
        "the CRC-32 of '\(name)' is 0x\(actual.hexDigits(8)) where the central directory says 0x\(expected.hexDigits(8))"
    case .corruptData(let name, let why): return "the deflate data of '\(name)' is corrupt (\(why))"
    case .entryNotFound(let name): return "no entry is named '\(name)'"
    }
  }

}
