import Foundation
import TestSupport
import Testing
import ZIPFoundation

@testable import Casebook
@testable import TextExtraction

/// The zip reader behind DOCX inputs: archives made by real tools (python's `zipfile`, Info-ZIP,
/// ZIPFoundation) read byte for byte as those tools read them, every kind of damage refused with
/// its own error, and random damage never crashing it.
@Suite struct ZIPReaderTests {
  /// What python's `zipfile` reads from one entry.
  struct Expected: Decodable {
    var name: String
    var data: String
    var crc: UInt32
    var method: UInt16
    var flags: UInt16
    /// python's own answer (`ZipInfo.is_dir()`), not the rule the reader uses.
    var isDirectory: Bool
    var bytes: [UInt8] { [UInt8](Data(base64Encoded: data)!) }
  }

  /// Archives written once per run by python's `zipfile`, with what python reads back from each.
  final class Corpus: Sendable {
    let folder: TemporaryDirectory
    let manifest: [String: [Expected]]

    init() throws {
      folder = try TemporaryDirectory(prefix: "casebook-zip")
      let status = try runProcess("/usr/bin/env", ["python3", "-c", ZIPReaderTests.generator, folder.path])
      guard status == 0 else { throw CasebookError.repository("python3 could not write the test archives") }
      let json = try Data(contentsOf: URL(fileURLWithPath: folder.appending("manifest.json")))
      manifest = try JSONDecoder().decode([String: [Expected]].self, from: json)
    }

    func path(_ name: String) -> String { folder.appending(name) }
    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name)))) }
  }

  private static let corpusResult = Result { try Corpus() }
  static func corpus() throws -> Corpus { try corpusResult.get() }

  /// Writes the archives: every method and shape a DOCX or an uploaded zip may have, a few that
  /// must be refused (bzip2, forced ZIP64, a duplicate name), and `manifest.json` with python's
  /// reading of the readable ones.
  static let generator = #"""
    import base64, io, json, os, random, sys, warnings, zipfile
    out = sys.argv[1]
    rng = random.Random(7)
    text = "".join("<w:p>Paragraph %d of the policy, with some text.</w:p>\n" % i for i in range(200)).encode()
    noise = bytes(rng.getrandbits(8) for _ in range(40000))
    zeros = bytes(200000)

    class Unseekable(io.RawIOBase):
        """A stream zipfile cannot seek back in, so it writes data descriptors."""
        def __init__(self): self.buf = bytearray()
        def writable(self): return True
        def write(self, b): self.buf += b; return len(b)

    def entries(zf, method):
        zf.writestr("word/document.xml", text, compress_type=method)
        zf.writestr("noise.bin", noise, compress_type=method)
        zf.writestr("zeros.bin", zeros, compress_type=method)
        zf.writestr("empty.txt", b"", compress_type=method)
        zf.writestr("folder/", b"")
        zf.writestr("résumé/naïve €.txt", "unicode ✓".encode(), compress_type=method)
        zf.writestr("日本語.xml", "<x>日本</x>".encode(), compress_type=method)

    def write(name, method=zipfile.ZIP_DEFLATED, **options):
        return zipfile.ZipFile(os.path.join(out, name), "w", method, **options)

    with write("stored.zip", zipfile.ZIP_STORED) as zf:
        entries(zf, zipfile.ZIP_STORED)
    with write("deflated.zip") as zf:
        entries(zf, zipfile.ZIP_DEFLATED)
        zf.comment = b"a comment, as some writers leave at the end; " * 40
    for level in (0, 1, 9):
        with write("deflated-%d.zip" % level, compresslevel=level) as zf:
            entries(zf, zipfile.ZIP_DEFLATED)
    stream = Unseekable()
    with zipfile.ZipFile(stream, "w") as zf:
        entries(zf, zipfile.ZIP_DEFLATED)
        zf.writestr("stored-with-descriptor.txt", text, compress_type=zipfile.ZIP_STORED)
    open(os.path.join(out, "descriptor.zip"), "wb").write(stream.buf)
    with write("many.zip") as zf:
        for i in range(3000):
            zf.writestr("entries/%04d.txt" % i, ("entry %d\n" % i) * (i % 7))
    with write("empty.zip"):
        pass
    # A name in code page 437 without the UTF-8 flag, as old DOS and Windows tools write: 0x82 is é.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("cafX.txt", b"code page 437")
    open(os.path.join(out, "cp437.zip"), "wb").write(buf.getvalue().replace(b"cafX.txt", b"caf\x82.txt"))

    # One entry each, for the damage tests, which patch headers at known places.
    with write("one-deflated.zip") as zf:
        zf.writestr("word/document.xml", text)
    with write("one-stored.zip", zipfile.ZIP_STORED) as zf:
        zf.writestr("word/document.xml", text)
    with write("one-zeros.zip") as zf:
        zf.writestr("word/document.xml", bytes(1 << 20))
    stream = Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", text)
    open(os.path.join(out, "one-descriptor.zip"), "wb").write(stream.buf)
    with write("small.zip") as zf:
        zf.writestr("word/document.xml", text[:2000])
        zf.writestr("docProps/app.xml", b"<Properties/>", compress_type=zipfile.ZIP_STORED)
        zf.writestr("é.txt", "é".encode())

    # Refused: a method other than stored and deflate, ZIP64, two entries with one name.
    with write("bzip2.zip", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("word/document.xml", text)
    with write("lzma.zip", zipfile.ZIP_LZMA) as zf:
        zf.writestr("word/document.xml", text)
    with write("zip64.zip") as zf:
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(text)
    with write("duplicate.zip") as zf:
        warnings.simplefilter("ignore")
        zf.writestr("a.txt", b"one")
        zf.writestr("a.txt", b"two")

    manifest = {}
    for name in sorted(os.listdir(out)):
        if not name.endswith(".zip") or name in ("bzip2.zip", "lzma.zip", "zip64.zip", "duplicate.zip"):
            continue
        with zipfile.ZipFile(os.path.join(out, name)) as zf:
            manifest[name] = [
                {"name": i.filename, "data": base64.b64encode(zf.read(i)).decode(), "crc": i.CRC,
                 "method": i.compress_type, "flags": i.flag_bits, "isDirectory": i.is_dir()}
                for i in zf.infolist()]
    json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"))
    """#

  static let readable = [
    "stored.zip", "deflated.zip", "deflated-0.zip", "deflated-1.zip", "deflated-9.zip", "descriptor.zip", "many.zip",
    "empty.zip", "cp437.zip", "one-deflated.zip", "one-stored.zip", "one-zeros.zip", "one-descriptor.zip",
    "small.zip",
  ]

  // MARK: - Real archives

  @Test("reads every entry as python's zipfile does", arguments: readable)
  func agreesWithPython(_ archive: String) throws {
    let corpus = try Self.corpus()
    let expected = try #require(corpus.manifest[archive])
    let reader = try ZIPReader(path: corpus.path(archive))
    #expect(reader.entries.map(\.name) == expected.map(\.name))
    for want in expected {
      let entry = try #require(reader.entry(named: want.name))
      #expect(entry.crc32 == want.crc && entry.method == want.method && entry.flags == want.flags)
      #expect(entry.kind == (want.isDirectory ? .directory : .file))
      #expect(try reader.contents(of: entry, limit: 1 << 20) == want.bytes, "\(archive): \(want.name)")
    }
  }

  @Test("reads every entry as ZIPFoundation does", arguments: readable)
  func agreesWithZIPFoundation(_ archive: String) throws {
    let corpus = try Self.corpus()
    let reader = try ZIPReader(path: corpus.path(archive))
    let oracle = try Archive(url: URL(fileURLWithPath: corpus.path(archive)), accessMode: .read, pathEncoding: nil)
    var count = 0
    for theirs in oracle {
      count += 1
      let ours = try #require(reader.entry(named: theirs.path), "\(archive): \(theirs.path)")
      #expect(ours.uncompressedSize == UInt64(theirs.uncompressedSize))
      #expect(ours.compressedSize == UInt64(theirs.compressedSize))
      guard theirs.type == .file else {
        #expect(ours.kind == .directory)
        continue
      }
      var bytes = Data()
      _ = try oracle.extract(theirs, skipCRC32: false) { bytes.append($0) }
      #expect(try reader.contents(of: ours, limit: 1 << 20) == [UInt8](bytes), "\(archive): \(theirs.path)")
    }
    #expect(count == reader.entries.count)
  }

  @Test("reads what ZIPFoundation writes, deflated and stored")
  func readsZIPFoundation() throws {
    let folder = try TemporaryDirectory(prefix: "casebook-zip")
    let paragraphs: [DocumentFixtures.Paragraph] = [.h(1, "Findings"), .p("The doors are too narrow.")]
    try DocumentFixtures.docx(at: folder.appending("a.docx"), paragraphs)
    let docx = try ZIPReader(path: folder.appending("a.docx"))
    #expect(docx.entries.map(\.name) == ["[Content_Types].xml", "word/document.xml"])
    #expect(
      try docx.contents(ofEntryNamed: "word/document.xml", limit: 1 << 20)
        == Array(DocumentFixtures.documentXML(paragraphs).utf8))

    let stored = folder.appending("stored.zip")
    let archive = try Archive(url: URL(fileURLWithPath: stored), accessMode: .create, pathEncoding: nil)
    let payload = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    try archive.addEntry(
      with: "payload.bin", type: .file, uncompressedSize: Int64(payload.count), compressionMethod: .none,
      provider: { position, size in payload.subdata(in: Int(position)..<Int(position) + size) })
    try archive.addEntry(
      with: "empty", type: .file, uncompressedSize: Int64(0), compressionMethod: .deflate,
      provider: { (_: Int64, _: Int) in Data() })
    let reader = try ZIPReader(path: stored)
    #expect(try reader.contents(ofEntryNamed: "payload.bin", limit: 1 << 20) == [UInt8](payload))
    #expect(try reader.contents(ofEntryNamed: "empty", limit: 0) == [])
  }

  static let infoZIP = FileManager.default.isExecutableFile(atPath: "/usr/bin/zip")

  @Test(
    "reads what Info-ZIP writes, to a file and streamed with data descriptors",
    .enabled(if: infoZIP, "Info-ZIP's zip is not installed"))
  func readsInfoZIP() throws {
    let folder = try TemporaryDirectory(prefix: "casebook-zip")
    let files: [String: [UInt8]] = [
      "a.txt": Array("hello\n".utf8),
      "numbers.txt": Array((1...5000).map { "\($0)\n" }.joined().utf8),
      "noise.bin": (0..<20_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) },
      "empty.txt": [],
    ]
    for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: folder.appending(name))) }
    let names = files.keys.sorted()
    let script = """
      cd "$1" && zip -q -X plain.zip \(names.joined(separator: " ")) \
        && echo 'a comment' | zip -q -z plain.zip \
        && zip -q -X - \(names.joined(separator: " ")) | cat > streamed.zip \
        && zip -q -X -e -P secret encrypted.zip a.txt
      """
    #expect(try runProcess("/bin/sh", ["-c", script, "sh", folder.path]) == 0)
    for archive in ["plain.zip", "streamed.zip"] {
      let reader = try ZIPReader(path: folder.appending(archive))
      #expect(Set(reader.entries.map(\.name)) == Set(names))
      for (name, bytes) in files {
        #expect(try reader.contents(ofEntryNamed: name, limit: 1 << 20) == bytes, "\(archive): \(name)")
      }
    }
    #expect(try ZIPReader(path: folder.appending("streamed.zip")).entries.allSatisfy(\.hasDataDescriptor))
    let encrypted = try ZIPReader(path: folder.appending("encrypted.zip"))
    #expect(throws: ZIPError.encrypted("a.txt")) { try encrypted.contents(ofEntryNamed: "a.txt", limit: 1 << 20) }
  }

  @Test("names are matched exactly, byte for byte")
  func exactNames() throws {
    let corpus = try Self.corpus()
    let reader = try ZIPReader(path: corpus.path("deflated.zip"))
    #expect(reader.entry(named: "word/document.xml") != nil)
    #expect(reader.entry(named: "Word/document.xml") == nil)
    #expect(reader.entry(named: "/word/document.xml") == nil)
    #expect(reader.entry(named: "word/document.xml ") == nil)
    // The archive holds the composed é; the decomposed spelling is canonically equal in Swift,
    // but a different name in a zip.
    #expect(reader.entry(named: "résumé/naïve €.txt") != nil)
    #expect(reader.entry(named: "re\u{301}sume\u{301}/naïve €.txt") == nil)
    #expect(throws: ZIPError.entryNotFound("missing.xml")) {
      try reader.contents(ofEntryNamed: "missing.xml", limit: 1 << 20)
    }
  }

  // MARK: - Damage

  /// The error a damaged archive must be refused with: exactly this one, or any error of these
  /// cases (where the values depend on the archive), or a size mismatch about this field.
  enum Refusal: Sendable {
    case exactly(ZIPError)
    case oneOf([String])
    case sizeMismatch(field: String)

    func matches(_ error: ZIPError) -> Bool {
      switch self {
      case .exactly(let expected): return error == expected
      case .oneOf(let cases): return cases.contains(Refusal.name(of: error))
      case .sizeMismatch(let field):
        if case .sizeMismatch(_, field, _, _) = error { return true }
        return false
      }
    }

    /// The name of the case, as written in `ZIPError`.
    static func name(of error: ZIPError) -> String {
      Mirror(reflecting: error).children.first?.label ?? error.description
    }
  }

  /// One kind of damage: an archive of the corpus, what is done to its bytes, and the error.
  struct Damage: CustomTestStringConvertible, Sendable {
    var name: String
    var archive: String
    var entry: String
    var limit: Int
    var refusal: Refusal
    var damage: @Sendable (inout Bytes) -> Void
    var testDescription: String { name }

    init(
      _ name: String, in archive: String = "one-deflated.zip", entry: String = "word/document.xml",
      limit: Int = 1 << 20, _ refusal: Refusal, damage: @escaping @Sendable (inout Bytes) -> Void = { _ in }
    ) {
      self.name = name
      self.archive = archive
      self.entry = entry
      self.limit = limit
      self.refusal = refusal
      self.damage = damage
    }
  }

  /// An archive's bytes with the places of its first local header, its first central record
  /// and its end record, for patching.
  struct Bytes {
    var b: [UInt8]
    var local: Int { 0 }
    var central: Int { find([0x50, 0x4B, 0x01, 0x02]) }
    var end: Int { find([0x50, 0x4B, 0x05, 0x06], last: true) }
    var dataStart: Int { 30 + u16(26) + u16(28) }
    var compressedSize: Int { u32(central + 20) }

    func find(_ signature: [UInt8], last: Bool = false) -> Int {
      let hits = (0...b.count - 4).filter { Array(b[$0..<$0 + 4]) == signature }
      return (last ? hits.last : hits.first)!
    }
    func u16(_ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
    mutating func put16(_ at: Int, _ value: Int) {
      b[at] = UInt8(value & 0xFF)
      b[at + 1] = UInt8(value >> 8 & 0xFF)
    }
    mutating func put32(_ at: Int, _ value: Int) {
      put16(at, value & 0xFFFF)
      put16(at + 2, value >> 16 & 0xFFFF)
    }
    /// Sets a field of the entry in both its local header and its central record.
    mutating func both16(local: Int, central: Int, _ value: Int) {
      let c = self.central
      put16(self.local + local, value)
      put16(c + central, value)
    }
    mutating func both32(local: Int, central: Int, _ value: Int) {
      let c = self.central
      put32(self.local + local, value)
      put32(c + central, value)
    }
    /// Inserts `bytes` at `at`, before the central directory, and moves the directory's offset.
    mutating func insert(_ bytes: [UInt8], at: Int) {
      b.insert(contentsOf: bytes, at: at)
      put32(end + 16, u32(end + 16) + bytes.count)
    }
  }

  static func exactly(_ error: ZIPError) -> Refusal { .exactly(error) }
  static let document = "word/document.xml"

  static let damages: [Damage] = [
    // Not zips at all, or cut short.
    Damage("an empty file", exactly(.notZip)) { $0.b = [] },
    Damage("plain text", exactly(.notZip)) { $0.b = Array("plain text, not a zip\n".utf8) },
    Damage("random bytes", exactly(.notZip)) { $0.b = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) } },
    Damage("a local header signature and garbage", exactly(.truncated)) {
      $0.b = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0x41, count: 100)
    },
    Damage("bytes after the end record", exactly(.truncated)) { $0.b += [0, 0] },
    Damage("a comment length longer than the comment", exactly(.truncated)) { $0.put16($0.end + 20, 5) },
    // The end record.
    Damage("ZIP64: the entry count saturated", exactly(.zip64)) {
      $0.put16($0.end + 8, 0xFFFF)
      $0.put16($0.end + 10, 0xFFFF)
    },
    Damage("ZIP64: the directory offset saturated", exactly(.zip64)) { $0.put32($0.end + 16, 0xFFFF_FFFF) },
    Damage("ZIP64: an end locator before the end record", exactly(.zip64)) {
      $0.b.insert(contentsOf: [0x50, 0x4B, 0x06, 0x07] + [UInt8](repeating: 0, count: 16), at: $0.end)
    },
    Damage("a second disk", exactly(.multiDisk)) { $0.put16($0.end + 4, 1) },
    Damage("entries on this disk fewer than in all", exactly(.multiDisk)) { $0.put16($0.end + 8, 0) },
    Damage("the directory offset one byte late", exactly(.centralDirectoryOutOfBounds)) {
      $0.put32($0.end + 16, $0.u32($0.end + 16) + 1)
    },
    Damage("the directory size past the end record", exactly(.centralDirectoryOutOfBounds)) {
      $0.put32($0.end + 12, $0.u32($0.end + 12) + 1)
    },
    Damage("the directory offset past the file", exactly(.centralDirectoryOutOfBounds)) {
      $0.put32($0.end + 16, 0x7FFF_0000)
    },
    Damage("bytes prepended to the archive", exactly(.centralDirectoryOutOfBounds)) {
      $0.b.insert(contentsOf: Array("#!/bin/sh\n".utf8), at: 0)
    },
    // The central directory.
    Damage("a damaged central signature", .oneOf(["badCentralDirectory"])) {
      $0.b[$0.central + 1] = 0x4C
    },
    Damage("one entry more than there are", .oneOf(["badCentralDirectory"])) {
      $0.put16($0.end + 8, 2)
      $0.put16($0.end + 10, 2)
    },
    Damage("no entries, with a record", .oneOf(["badCentralDirectory"])) {
      $0.put16($0.end + 8, 0)
      $0.put16($0.end + 10, 0)
    },
    Damage("a name running past the directory", .oneOf(["badCentralDirectory"])) {
      $0.put16($0.central + 28, 0xFFFF)
    },
    Damage("ZIP64: a central size saturated", exactly(.zip64)) { $0.put32($0.central + 24, 0xFFFF_FFFF) },
    Damage("ZIP64: a local header offset saturated", exactly(.zip64)) { $0.put32($0.central + 42, 0xFFFF_FFFF) },
    Damage("an entry on another disk", exactly(.multiDisk)) { $0.put16($0.central + 34, 1) },
    Damage("a local header offset inside the directory", exactly(.entryOutOfBounds(document))) {
      $0.put32($0.central + 42, $0.central)
    },
    Damage("a compressed size past the directory", exactly(.entryOutOfBounds(document))) {
      $0.both32(local: 18, central: 20, $0.compressedSize + 1)
    },
    Damage("duplicate names (python)", in: "duplicate.zip", exactly(.duplicateName("a.txt"))),
    Damage("a code page 437 name flagged as UTF-8", in: "cp437.zip", exactly(.badName)) {
      $0.both16(local: 6, central: 8, 0x0800)
    },
    // The entry.
    Damage("a missing entry", entry: "word/missing.xml", exactly(.entryNotFound("word/missing.xml"))),
    Damage("the encryption flag", exactly(.encrypted(document))) { $0.both16(local: 6, central: 8, 0x0001) },
    Damage("the strong encryption flag", exactly(.encrypted(document))) { $0.both16(local: 6, central: 8, 0x0041) },
    Damage("method 12 written by python (bzip2)", in: "bzip2.zip", exactly(.unsupportedMethod(document, 12))),
    Damage("method 14 written by python (LZMA)", in: "lzma.zip", exactly(.unsupportedMethod(document, 14))),
    Damage("an unknown method", exactly(.unsupportedMethod(document, 99))) { $0.both16(local: 8, central: 10, 99) },
    Damage("ZIP64 written by python (force_zip64)", in: "zip64.zip", exactly(.zip64)),
    Damage("a damaged local signature", exactly(.localHeaderMismatch(document, field: "signature"))) {
      $0.b[2] = 0x07
    },
    Damage("a local descriptor bit the directory lacks", exactly(.localHeaderMismatch(document, field: "flags"))) {
      $0.put16(6, 0x0008)
    },
    Damage("a local method that differs", exactly(.localHeaderMismatch(document, field: "compression method"))) {
      $0.put16(8, 0)
    },
    Damage("a local name that differs", exactly(.localHeaderMismatch(document, field: "name"))) { $0.b[30] = 0x57 },
    Damage("a CRC-32 flipped in the directory only", exactly(.localHeaderMismatch(document, field: "CRC-32"))) {
      $0.b[$0.central + 16] ^= 0x01
    },
    Damage("a local size that differs", exactly(.localHeaderMismatch(document, field: "uncompressed size"))) {
      $0.put32(22, $0.u32(22) + 1)
    },
    Damage("ZIP64: local sizes saturated", exactly(.zip64)) { $0.put32(18, 0xFFFF_FFFF) },
    Damage("a CRC-32 flipped in both headers", .oneOf(["crcMismatch"])) {
      $0.b[14] ^= 0x01
      $0.b[$0.central + 16] ^= 0x01
    },
    Damage("a stored entry's data flipped", in: "one-stored.zip", .oneOf(["crcMismatch"])) {
      $0.b[$0.dataStart + 100] ^= 0x20
    },
    Damage("deflate data flipped", .oneOf(["corruptData", "crcMismatch", "sizeMismatch"])) {
      $0.b[$0.dataStart + 40] ^= 0xFF
    },
    Damage("not deflate data at all", .oneOf(["corruptData"])) {
      for i in 0..<8 { $0.b[$0.dataStart + i] = 0xFF }
    },
    Damage("a compressed size that stops inside the stream", .oneOf(["corruptData"])) {
      $0.both32(local: 18, central: 20, $0.compressedSize - 10)
    },
    Damage(
      "bytes left after the deflate stream",
      .sizeMismatch(field: "compressed")
    ) {
      let size = $0.compressedSize
      $0.insert([1, 2, 3, 4], at: $0.dataStart + size)
      $0.both32(local: 18, central: 20, size + 4)
    },
    Damage(
      "an uncompressed size that says less", .sizeMismatch(field: "uncompressed")
    ) { $0.both32(local: 22, central: 24, $0.u32(22) - 1) },
    Damage(
      "an uncompressed size that says more", .sizeMismatch(field: "uncompressed")
    ) { $0.both32(local: 22, central: 24, $0.u32(22) + 1) },
    Damage(
      "a stored entry whose sizes differ", in: "one-stored.zip",
      .sizeMismatch(field: "stored")
    ) { $0.both32(local: 22, central: 24, $0.u32(22) - 1) },
    Damage("a size over the caller's cap", limit: 1000, exactly(.tooLarge(document, limit: 1000))),
    Damage(
      "a header that says small over zeros that inflate big", in: "one-zeros.zip", limit: 100_000,
      exactly(.tooLarge(document, limit: 100_000))
    ) { $0.both32(local: 22, central: 24, 1000) },
    Damage("a data descriptor CRC-32 flipped", in: "one-descriptor.zip", exactly(.dataDescriptorMismatch(document))) {
      $0.b[$0.find([0x50, 0x4B, 0x07, 0x08]) + 4] ^= 0x01
    },
    Damage(
      "a data descriptor size that differs", in: "one-descriptor.zip", exactly(.dataDescriptorMismatch(document))
    ) { $0.b[$0.find([0x50, 0x4B, 0x07, 0x08]) + 12] ^= 0x01 },
  ]

  @Test("refused with its own error", arguments: damages)
  func refused(_ damage: Damage) throws {
    let corpus = try Self.corpus()
    var bytes = Bytes(b: try corpus.bytes(damage.archive))
    damage.damage(&bytes)
    let folder = try TemporaryDirectory(prefix: "casebook-zip")
    let path = folder.appending("damaged.zip")
    try Data(bytes.b).write(to: URL(fileURLWithPath: path))
    do {
      let reader = try ZIPReader(path: path)
      let got = try reader.contents(ofEntryNamed: damage.entry, limit: damage.limit)
      Issue.record("read \(got.count) bytes")
    } catch {
      #expect(damage.refusal.matches(error), "\(error)")
    }
  }

  @Test("a file that cannot be opened")
  func unopenable() {
    #expect(throws: ZIPError.cannotRead(ENOENT)) { try ZIPReader(path: "/nonexistent/a.zip") }
  }

  @Test(
    "cut short at every length, refused as cut short",
    arguments: ["one-deflated.zip", "one-descriptor.zip", "small.zip"])
  func truncated(_ archive: String) throws {
    let corpus = try Self.corpus()
    let whole = try corpus.bytes(archive)
    let folder = try TemporaryDirectory(prefix: "casebook-zip")
    let path = folder.appending("cut.zip")
    for length in 0..<whole.count {
      try Data(whole[..<length]).write(to: URL(fileURLWithPath: path))
      #expect(throws: length < 4 ? ZIPError.notZip : ZIPError.truncated, "cut at \(length)") {
        try ZIPReader(path: path)
      }
    }
  }

  // MARK: - DOCX

  @Test("DOCX: headers that claim too much are refused before inflating")
  func docxClaims() throws {
    let corpus = try Self.corpus()
    let folder = try TemporaryDirectory(prefix: "casebook-zip")
    func refusal(_ damage: (inout Bytes) -> Void) throws -> String {
      var bytes = Bytes(b: try corpus.bytes("one-deflated.zip"))
      damage(&bytes)
      let path = folder.appending("claims.docx")
      try Data(bytes.b).write(to: URL(fileURLWithPath: path))
      do {
        _ = try DOCXText.documentXML(path: path, name: "claims.docx")
        return "accepted"
      } catch { return (error as? ExtractionError)?.message ?? "\(error)" }
    }
    #expect(try refusal { $0.both32(local: 22, central: 24, 60 << 20) }.contains("would inflate to 62914560 bytes"))
    #expect(
      try refusal { $0.both32(local: 22, central: 24, $0.compressedSize * 250) }.contains("compressed more than 200×"))
    let flipped = try refusal {
      $0.b[14] ^= 1
      $0.b[$0.central + 16] ^= 1
    }
    #expect(flipped.contains("cannot be read from the zip (the CRC-32"))
    #expect(
      try refusal { $0.put32($0.end + 16, 1) }.contains("is not a DOCX: its zip archive cannot be read (the central"))
    #expect(try refusal { $0.b = Array("plain text".utf8) }.contains("is not a DOCX: it is not a zip archive; nothing"))
    #expect(try refusal { $0.b[$0.central + 46] = 0x57 }.contains("is not a DOCX: it has no word/document.xml"))
  }

  // MARK: - Fuzzing

  @Test("2,000 randomly damaged archives: each throws or reads, none crashes")
  func fuzz() throws {
    let corpus = try Self.corpus()
    let folder = try TemporaryDirectory(prefix: "casebook-zip")
    try DocumentFixtures.docx(at: folder.appending("fixture.docx"), [.h(1, "Scope"), .p("Everything.")])
    let sources =
      try ["one-deflated.zip", "one-stored.zip", "one-descriptor.zip", "small.zip", "cp437.zip"].map {
        try corpus.bytes($0)
      } + [[UInt8](try Data(contentsOf: URL(fileURLWithPath: folder.appending("fixture.docx"))))]
    let signatures: [[UInt8]] = [[0x50, 0x4B, 3, 4], [0x50, 0x4B, 1, 2], [0x50, 0x4B, 5, 6], [0x50, 0x4B, 7, 8]]
    var random = SplitMix64(seed: 2024)  // seeded: a failure names an iteration to replay
    let path = folder.appending("fuzzed.zip")
    var read = 0
    var refused: [String: Int] = [:]
    func refuse(_ error: ZIPError) {
      refused[Refusal.name(of: error), default: 0] += 1
    }
    for iteration in 0..<2000 {
      var bytes = sources[Int(random.next() % UInt64(sources.count))]
      switch random.next() % 10 {
      case 0:  // cut anywhere
        bytes.removeLast(Int(random.next() % UInt64(bytes.count)))
      case 1:  // a run inserted or removed inside
        let at = Int(random.next() % UInt64(bytes.count))
        if random.next() % 2 == 0 {
          bytes.insert(
            contentsOf: (0..<Int(random.next() % 9)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: at)
        } else {
          bytes.removeSubrange(at..<min(bytes.count, at + Int(random.next() % 9)))
        }
      case 2, 3, 4:  // bytes set anywhere
        for _ in 0...(random.next() % 4) {
          bytes[Int(random.next() % UInt64(bytes.count))] = UInt8.random(in: 0...255, using: &random)
        }
      default:  // bytes set in a header, where the checks are
        let signature = signatures[Int(random.next() % UInt64(signatures.count))]
        let starts = (0..<bytes.count - 3).filter {
          bytes[$0] == 0x50 && bytes[$0 + 1] == 0x4B && bytes[$0 + 2] == signature[2] && bytes[$0 + 3] == signature[3]
        }
        guard let start = starts.randomElement(using: &random) else { continue }
        for _ in 0...(random.next() % 3) {
          let at = start + Int(random.next() % 46)
          guard at < bytes.count else { continue }
          let value = random.next()
          bytes[at] = value % 4 == 0 ? 0xFF : value % 4 == 1 ? 0 : bytes[at] ^ UInt8(1 << ((value >> 8) % 8))
        }
      }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      do {
        let reader = try ZIPReader(path: path)
        for entry in reader.entries {
          do {
            // What comes back has passed the size and CRC-32 checks against the (damaged)
            // central directory; the point here is that nothing traps and every refusal is a
            // ZIPError.
            _ = try reader.contents(of: entry, limit: 1 << 20)
            read += 1
          } catch { refuse(error) }
        }
      } catch { refuse(error) }
      do { _ = try DOCXText.documentXML(path: path, name: "fuzzed.docx") } catch let error as ExtractionError {
        #expect(error == .badInput(error.message), "iteration \(iteration)")
      }
    }
    // Entries are read and refused for many different reasons, so the damage reaches past the
    // end record into the central directory, the local headers and the data.
    #expect(read > 100 && refused.count >= 12, "read \(read), refused \(refused)")
  }
}
