internal import CLibZ

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A strict, read-only reader of zip archives, for the one entry of a DOCX that Casebook reads.
///
/// Casebook's own because the zip package it replaced is built on swift-corelibs Foundation
/// (`FileManager` extensions, `NSTemporaryDirectory`, CoreFoundation strings), which links
/// libFoundation, CoreFoundation and ICU into the `casebook` binary and costs every process start
/// a few milliseconds. This reader needs nothing but POSIX `pread` and zlib. The tests check it
/// against that package and python's `zipfile` (Tests/CasebookTests/ZIPReaderTests.swift).
///
/// It reads the central directory once (found through the end record, after a comment if there
/// is one) and then one entry at a time, in 64 KiB chunks, never holding more of the file than
/// the central directory and one chunk. Whatever a document has no need of is refused rather
/// than half-supported: ZIP64, split archives, encryption, methods other than stored and
/// deflate, duplicate names. Every offset and length is checked against the file before it is
/// used, so no input can make it trap; a header that lies about sizes is caught by the caller's
/// cap while inflating and by the size and CRC-32 checks at the end.
final class ZIPReader {
  /// One record of the central directory. Its sizes and CRC-32 are the ones trusted: the local
  /// header and any data descriptor must agree with them.
  struct Entry: Equatable {
    enum Kind { case file, directory, symbolicLink }

    let name: String
    let kind: Kind
    /// 0 stored, 8 deflate; anything else is refused when read.
    let method: UInt16
    let flags: UInt16
    let crc32: UInt32
    let compressedSize: UInt64
    let uncompressedSize: UInt64
    /// The name as stored, which the local header must repeat byte for byte.
    fileprivate let nameBytes: [UInt8]
    fileprivate let localHeaderOffset: UInt64

    /// Traditional (bit 0) or strong (bit 6) encryption.
    var isEncrypted: Bool { flags & 0x41 != 0 }
    /// Bit 3: the sizes and CRC-32 follow the data, and the local header may hold zeros.
    var hasDataDescriptor: Bool { flags & 0x08 != 0 }
  }

  /// The largest central directory read: a DOCX's is a few KiB; 16 MiB is over 100,000 entries.
  static let maxCentralDirectoryBytes: UInt64 = 16 << 20
  /// How much is read from the file, and inflated, per step.
  static let chunkBytes = 64 << 10

  /// The entries in central-directory order.
  let entries: [Entry]
  private let byName: [[UInt8]: Int]
  private let fd: Int32
  /// Where the central directory starts: every entry's data must end before it.
  private let centralDirectoryOffset: UInt64

  /// Opens the archive at `path` and reads its central directory; nothing is inflated yet.
  init(path: String) throws(ZIPError) {
    let fd = POSIX.openForReading(path)
    guard fd >= 0 else { throw .cannotRead(errno) }
    let directory: (entries: [Entry], offset: UInt64)
    do { directory = try Self.centralDirectory(fd) } catch {
      close(fd)
      throw error
    }
    self.fd = fd
    entries = directory.entries
    centralDirectoryOffset = directory.offset
    var byName: [[UInt8]: Int] = [:]
    for (index, entry) in entries.enumerated() { byName[Array(entry.name.utf8)] = index }
    self.byName = byName
  }

  deinit { close(fd) }

  /// The entry whose name is exactly `name` (compared byte for byte as UTF-8, so a decomposed
  /// accent is a different name), or nil.
  func entry(named name: String) -> Entry? { byName[Array(name.utf8)].map { entries[$0] } }

  /// The bytes of the entry named `name`, at most `limit` of them.
  func contents(ofEntryNamed name: String, limit: Int) throws(ZIPError) -> [UInt8] {
    guard let entry = entry(named: name) else { throw .entryNotFound(name) }
    return try contents(of: entry, limit: limit)
  }

  /// The bytes of `entry`, inflated if need be. Throws `.tooLarge` as soon as more than `limit`
  /// bytes come out, whatever the headers claim, so a lying header costs at most `limit` bytes
  /// of memory; then checks the sizes, the CRC-32 and any data descriptor against the central
  /// directory.
  func contents(of entry: Entry, limit: Int) throws(ZIPError) -> [UInt8] {
    let name = entry.name
    guard !entry.isEncrypted else { throw .encrypted(name) }
    guard entry.method == 0 || entry.method == 8 else { throw .unsupportedMethod(name, entry.method) }
    guard limit >= 0, entry.uncompressedSize <= UInt64(limit) else { throw .tooLarge(name, limit: limit) }
    let dataStart = try localHeader(of: entry)
    let dataEnd = dataStart + entry.compressedSize

    var out: [UInt8] = []
    var crc: UInt = 0
    if entry.method == 0 {
      guard entry.compressedSize == entry.uncompressedSize else {
        throw .sizeMismatch(name, field: "stored", expected: entry.uncompressedSize, actual: entry.compressedSize)
      }
      // Within `limit` (checked above), so read in one piece.
      out = try Self.read(fd, at: dataStart, count: Int(entry.compressedSize))
      crc = out.withUnsafeBufferPointer { CLibZ.crc32(0, $0.baseAddress, UInt32($0.count)) }
    } else {
      // What the header claims is not trusted past 64 MiB: the array grows if it is true.
      out.reserveCapacity(Int(min(entry.uncompressedSize, 64 << 20)))
      crc = try inflate(entry, from: dataStart, limit: limit, into: &out)
    }

    guard UInt64(out.count) == entry.uncompressedSize else {
      throw .sizeMismatch(name, field: "uncompressed", expected: entry.uncompressedSize, actual: UInt64(out.count))
    }
    guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else {
      throw .crcMismatch(name, expected: entry.crc32, actual: UInt32(truncatingIfNeeded: crc))
    }
    if entry.hasDataDescriptor { try checkDataDescriptor(of: entry, at: dataEnd) }
    return out
  }

  // MARK: - Central directory

  /// The entries and the offset of the central directory of the archive open as `fd`.
  private static func centralDirectory(_ fd: Int32) throws(ZIPError) -> ([Entry], UInt64) {
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw .cannotRead(errno) }
    let size = UInt64(max(status.st_size, 0))
    // A file that begins like a zip but has no end record was cut short; anything else that
    // has none is not a zip at all.
    let startsLikeZip = size >= 4 && (try? read(fd, at: 0, count: 4)) == [0x50, 0x4B, 0x03, 0x04]
    guard size >= 22 else { throw startsLikeZip ? .truncated : .notZip }

    // The end record is 22 bytes plus a comment of up to 65,535: search back from the end for
    // its signature where the comment length it gives ends exactly at the end of the file.
    let tailCount = Int(min(size, 22 + 0xFFFF))
    let tailStart = size - UInt64(tailCount)
    let tail = try read(fd, at: tailStart, count: tailCount)
    var found: Int?
    var i = tailCount - 22
    while i >= 0 {
      if u32(tail, i) == 0x0605_4B50, Int(u16(tail, i + 20)) == tailCount - i - 22 {
        found = i
        break
      }
      i -= 1
    }
    guard let at = found else { throw startsLikeZip ? .truncated : .notZip }
    let endOffset = tailStart + UInt64(at)

    // ZIP64 puts a locator right before the end record and saturates the fields it replaces.
    var locator: UInt32 = 0
    if at >= 20 {
      locator = u32(tail, at - 20)
    } else if endOffset >= 20 {
      locator = u32(try read(fd, at: endOffset - 20, count: 4), 0)
    }
    let disk = u16(tail, at + 4)
    let directoryDisk = u16(tail, at + 6)
    let entriesOnDisk = u16(tail, at + 8)
    let entryCount = u16(tail, at + 10)
    let directorySize = UInt64(u32(tail, at + 12))
    let directoryOffset = UInt64(u32(tail, at + 16))
    if locator == 0x0706_4B50 || [disk, directoryDisk, entriesOnDisk, entryCount].contains(0xFFFF)
      || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF
    {
      throw .zip64
    }
    guard disk == 0, directoryDisk == 0, entriesOnDisk == entryCount else { throw .multiDisk }
    // Right before the end record, as every writer puts it: bytes prepended to the archive (or
    // between directory and end record) shift every offset, and are refused, not guessed at.
    guard directoryOffset + directorySize == endOffset else { throw .centralDirectoryOutOfBounds }
    guard directorySize <= maxCentralDirectoryBytes else { throw .centralDirectoryTooLarge(directorySize) }

    let directory = try read(fd, at: directoryOffset, count: Int(directorySize))
    var entries: [Entry] = []
    entries.reserveCapacity(Int(entryCount))
    var names = Set<[UInt8]>()
    var p = 0
    for index in 0..<Int(entryCount) {
      let number = index + 1
      guard directory.count - p >= 46 else {
        throw .badCentralDirectory("record \(number) of \(entryCount) runs past its end")
      }
      guard u32(directory, p) == 0x0201_4B50 else {
        throw .badCentralDirectory("record \(number) of \(entryCount) has no central header signature")
      }
      let nameLength = Int(u16(directory, p + 28))
      let extraLength = Int(u16(directory, p + 30))
      let commentLength = Int(u16(directory, p + 32))
      let end = p + 46 + nameLength + extraLength + commentLength
      guard end <= directory.count else {
        throw .badCentralDirectory("record \(number) of \(entryCount) runs past its end")
      }
      let flags = u16(directory, p + 8)
      let nameBytes = Array(directory[p + 46..<p + 46 + nameLength])
      let name = try decodeName(nameBytes, utf8: flags & 0x0800 != 0)
      let compressedSize = UInt64(u32(directory, p + 20))
      let uncompressedSize = UInt64(u32(directory, p + 24))
      let startDisk = u16(directory, p + 34)
      let localHeaderOffset = UInt64(u32(directory, p + 42))
      if compressedSize == 0xFFFF_FFFF || uncompressedSize == 0xFFFF_FFFF || localHeaderOffset == 0xFFFF_FFFF
        || startDisk == 0xFFFF
      {
        throw .zip64
      }
      guard startDisk == 0 else { throw .multiDisk }
      guard localHeaderOffset + 30 + compressedSize <= directoryOffset else { throw .entryOutOfBounds(name) }
      let utf8Name = Array(name.utf8)
      guard names.insert(utf8Name).inserted else { throw .duplicateName(name) }

      let host = u16(directory, p + 4) >> 8
      let mode = u32(directory, p + 38) >> 16
      let kind: Entry.Kind
      if name.hasSuffix("/") {
        kind = .directory
      } else if host == 3 || host == 19 {  // Unix or OS X: the mode is in the high half
        kind = mode & 0o170000 == 0o040000 ? .directory : mode & 0o170000 == 0o120000 ? .symbolicLink : .file
      } else {
        kind = u32(directory, p + 38) & 0x10 != 0 ? .directory : .file  // the MS-DOS directory bit
      }
      entries.append(
        Entry(
          name: name, kind: kind, method: u16(directory, p + 10), flags: flags, crc32: u32(directory, p + 16),
          compressedSize: compressedSize, uncompressedSize: uncompressedSize, nameBytes: nameBytes,
          localHeaderOffset: localHeaderOffset))
      p = end
    }
    guard p == directory.count else {
      throw .badCentralDirectory("\(directory.count - p) bytes follow the last of its \(entryCount) records")
    }
    return (entries, directoryOffset)
  }

  /// A name as UTF-8 when flagged so (strictly), else as code page 437, the zip default, which
  /// is ASCII below 0x80.
  private static func decodeName(_ bytes: [UInt8], utf8: Bool) throws(ZIPError) -> String {
    if utf8 {
      guard let name = String(validating: bytes, as: UTF8.self) else { throw .badName }
      return name
    }
    var name = ""
    name.unicodeScalars.append(contentsOf: bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : cp437High[Int($0 - 0x80)] })
    return name
  }

  /// Code page 437 from 0x80 to 0xFF.
  private static let cp437High: [Unicode.Scalar] = Array(
    ("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐"
      + "└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}").unicodeScalars)

  // MARK: - One entry

  /// Checks the local header of `entry` against the central directory and returns where its
  /// data starts.
  private func localHeader(of entry: Entry) throws(ZIPError) -> UInt64 {
    let name = entry.name
    // The central directory parse checked that these 30 bytes lie before the directory.
    let header = try Self.read(fd, at: entry.localHeaderOffset, count: 30)
    guard Self.u32(header, 0) == 0x0403_4B50 else { throw .localHeaderMismatch(name, field: "signature") }
    // Encryption and data-descriptor bits decide how the data is read: they must agree.
    guard Self.u16(header, 6) & 0x49 == entry.flags & 0x49 else { throw .localHeaderMismatch(name, field: "flags") }
    guard Self.u16(header, 8) == entry.method else {
      throw .localHeaderMismatch(name, field: "compression method")
    }
    let crc = Self.u32(header, 14)
    let compressedSize = UInt64(Self.u32(header, 18))
    let uncompressedSize = UInt64(Self.u32(header, 22))
    if compressedSize == 0xFFFF_FFFF || uncompressedSize == 0xFFFF_FFFF { throw .zip64 }
    // With a data descriptor the local header may hold zeros instead of the values.
    let blank = entry.hasDataDescriptor
    guard crc == entry.crc32 || (blank && crc == 0) else { throw .localHeaderMismatch(name, field: "CRC-32") }
    guard compressedSize == entry.compressedSize || (blank && compressedSize == 0) else {
      throw .localHeaderMismatch(name, field: "compressed size")
    }
    guard uncompressedSize == entry.uncompressedSize || (blank && uncompressedSize == 0) else {
      throw .localHeaderMismatch(name, field: "uncompressed size")
    }
    let nameLength = UInt64(Self.u16(header, 26))
    let extraLength = UInt64(Self.u16(header, 28))
    let dataStart = entry.localHeaderOffset + 30 + nameLength + extraLength
    // A data descriptor is at least 12 bytes (16 with its optional signature).
    let descriptor: UInt64 = entry.hasDataDescriptor ? 12 : 0
    guard dataStart + entry.compressedSize + descriptor <= centralDirectoryOffset else {
      throw .entryOutOfBounds(name)
    }
    let localName = try Self.read(fd, at: entry.localHeaderOffset + 30, count: Int(nameLength))
    guard localName == entry.nameBytes else { throw .localHeaderMismatch(name, field: "name") }
    return dataStart
  }

  /// Inflates the raw deflate data of `entry` at `dataStart` into `out`, at most `limit` bytes,
  /// and returns the CRC-32 of what came out. The compressed data must hold exactly one deflate
  /// stream: ending early or leaving bytes over are both refused.
  private func inflate(_ entry: Entry, from dataStart: UInt64, limit: Int, into out: inout [UInt8]) throws(ZIPError)
    -> UInt
  {
    let name = entry.name
    // zlib keeps a pointer back to its stream and to the buffers it was handed, so all three
    // live at a fixed address for the whole inflate.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    guard casebook_inflate_init_raw(stream) == Z_OK else { throw .corruptData(name, "zlib could not start") }
    defer { inflateEnd(stream) }
    let input = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.chunkBytes)
    defer { input.deallocate() }
    let output = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.chunkBytes)
    defer { output.deallocate() }

    var crc: UInt = 0
    var position = dataStart
    var unread = entry.compressedSize
    while true {
      if stream.pointee.avail_in == 0 {
        guard unread > 0 else { throw .corruptData(name, "the compressed data ends before the deflate stream does") }
        let count = Int(min(unread, UInt64(Self.chunkBytes)))
        try Self.read(fd, at: position, into: UnsafeMutableRawBufferPointer(start: input, count: count))
        position += UInt64(count)
        unread -= UInt64(count)
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(count)
      }
      // Room for one byte past the cap at most, so a bomb is caught having made no more.
      let room = limit - out.count < Self.chunkBytes ? limit - out.count + 1 : Self.chunkBytes
      stream.pointee.next_out = output
      stream.pointee.avail_out = UInt32(room)
      let status = CLibZ.inflate(stream, Z_NO_FLUSH)
      let produced = room - Int(stream.pointee.avail_out)
      if produced > 0 {
        crc = CLibZ.crc32(crc, output, UInt32(produced))
        out.append(contentsOf: UnsafeBufferPointer(start: output, count: produced))
        guard out.count <= limit else { throw .tooLarge(name, limit: limit) }
      }
      switch status {
      case Z_STREAM_END:
        let left = unread + UInt64(stream.pointee.avail_in)
        guard left == 0 else {
          throw .sizeMismatch(
            name, field: "compressed", expected: entry.compressedSize, actual: entry.compressedSize - left)
        }
        return crc
      case Z_OK:
        continue
      case Z_BUF_ERROR where stream.pointee.avail_in == 0:
        continue  // it needs more input: read next time round, or refused when there is none
      default:
        let why = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        throw .corruptData(name, why)
      }
    }
  }

  /// Checks the data descriptor at `offset` (right after the data) against the central
  /// directory. Its signature is optional, so it is read both with and without one.
  private func checkDataDescriptor(of entry: Entry, at offset: UInt64) throws(ZIPError) {
    // `localHeader(of:)` checked that at least 12 bytes lie before the central directory.
    let count = Int(min(16, centralDirectoryOffset - offset))
    let bytes = try Self.read(fd, at: offset, count: count)
    func matches(at i: Int) -> Bool {
      i + 12 <= bytes.count && Self.u32(bytes, i) == entry.crc32
        && UInt64(Self.u32(bytes, i + 4)) == entry.compressedSize
        && UInt64(Self.u32(bytes, i + 8)) == entry.uncompressedSize
    }
    guard (Self.u32(bytes, 0) == 0x0807_4B50 && matches(at: 4)) || matches(at: 0) else {
      throw .dataDescriptorMismatch(entry.name)
    }
  }

  // MARK: - Bytes

  /// `count` bytes at `offset`; the file ending first is `.truncated`.
  private static func read(_ fd: Int32, at offset: UInt64, count: Int) throws(ZIPError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    // withUnsafeMutableBytes rethrows untyped, so the error is carried out by hand.
    var failure: ZIPError?
    bytes.withUnsafeMutableBytes { buffer in
      do throws(ZIPError) { try read(fd, at: offset, into: buffer) } catch { failure = error }
    }
    if let failure { throw failure }
    return bytes
  }

  /// Fills `buffer` from `offset`, retrying short reads and interruptions.
  private static func read(_ fd: Int32, at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer)
    throws(ZIPError)
  {
    var done = 0
    while done < buffer.count {
      let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
      if n < 0 {
        if errno == EINTR { continue }
        throw .cannotRead(errno)
      }
      guard n > 0 else { throw .truncated }
      done += n
    }
  }

  /// Little-endian integers; callers check the bounds first.
  private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
    UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
  }

  private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
    UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
  }
}
