import CGit2
import Foundation
import TestSupport
import Testing

@testable import Git

/// The store's own write path: loose objects written without libgit2's writer, served back from
/// memory by the handle that wrote them, and trees serialized without a tree builder. Each is
/// checked against git itself.
@Suite("Object writer")
struct ObjectWriterTests {
  @Test(
    "objects small (stored) and large (deflated) read back the same through the writing handle, a new handle and git",
    // 47, 48, 55 and 56 bytes put the object (with its 8-byte header) at 55, 56, 63 and 64
    // bytes: each side of SHA-1's one-or-two padding blocks.
    // 16,373 bytes make 16 KiB with the 11-byte header, the largest object stored directly.
    arguments: [0, 1, 47, 48, 55, 56, 300, (16 << 10) - 11, (16 << 10) - 10, 16 << 10, (16 << 10) + 1, 300_000])
  func roundTrip(size: Int) throws {
    let fixture = try Fixture()
    var generator = SystemRandomNumberGenerator()
    // Text-like bytes, so that the deflated form is really compressed.
    let alphabet = Array("abcdefghij klmnop\n".utf8)
    let data = Data((0..<size).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    let id = try fixture.repository.createBlob(data)
    #expect(try fixture.repository.blob(id) == data)
    #expect(try Repository.open(at: fixture.path).blob(id) == data)
    let file = fixture.directory.appending("copy.bin")
    try data.write(to: URL(fileURLWithPath: file))
    #expect(try fixture.git("hash-object", file).trimmingCharacters(in: .whitespacesAndNewlines) == id.hex)
    #expect(try fixture.git("cat-file", "-s", id.hex).trimmingCharacters(in: .whitespacesAndNewlines) == String(size))
    // No temporary file is left beside the object.
    let folder = fixture.path + "/.git/objects/" + id.hex.prefix(2)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.hasPrefix("tmp_") })
    try fixture.expectFsckClean()
  }

  @Test(
    "a stored stream is byte for byte what zlib writes at level 0, and inflates back",
    arguments: [0, 1, 100, 4_180, LooseWriter.storedLimit - 11])
  func storedStreamIsZlibs(size: Int) throws {
    let header = Array("blob \(size)\0".utf8)
    let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let ours = bytes.withUnsafeBytes { LooseWriter.stored(header, $0) }
    let input = header + bytes
    var zlibs = [UInt8](repeating: 0, count: Int(compressBound(UInt(input.count))) + 64)
    var zlibCount = UInt(zlibs.count)
    #expect(compress2(&zlibs, &zlibCount, input, UInt(input.count), 0) == Z_OK)
    #expect(ours == Array(zlibs.prefix(Int(zlibCount))))
    var back = [UInt8](repeating: 0, count: input.count + 1)
    var backCount = UInt(back.count)
    #expect(uncompress(&back, &backCount, ours, UInt(ours.count)) == Z_OK)
    #expect(Array(back.prefix(Int(backCount))) == input)
  }

  @Test("writing a blob that exists already leaves its file alone, also from another handle")
  func idempotent() throws {
    let fixture = try Fixture()
    let first = try fixture.blob("same\n")
    let file = fixture.path + "/.git/objects/" + first.hex.prefix(2) + "/" + first.hex.dropFirst(2)
    func inode() throws -> Int? { try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? Int }
    let written = try #require(try inode())
    let other = try Repository.open(at: fixture.path)
    #expect(try other.createBlob(Data("same\n".utf8)) == first)
    #expect(try fixture.blob("same\n") == first)
    // A rewrite would have renamed a new file into place.
    #expect(try inode() == written)
    try fixture.expectFsckClean()
  }

  @Test("objects pushed out of the handle's memory are read from disk")
  func evicted() throws {
    let fixture = try Fixture()
    // Forty 250 KB blobs: well past what the handle keeps in memory (8 MiB).
    var ids: [(ObjectID, Data)] = []
    for i in 0..<40 {
      let data = Data(repeating: UInt8(65 + i % 26), count: 250_000) + Data("\(i)".utf8)
      ids.append((try fixture.repository.createBlob(data), data))
    }
    // The oldest are out of memory, the newest still in; all read back the same.
    #expect(!fixture.repository.recentObjects.contains(ids[0].0))
    #expect(fixture.repository.recentObjects.contains(ids[39].0))
    for (id, data) in ids { #expect(try fixture.repository.blob(id) == data) }
    try fixture.expectFsckClean()
  }

  @Test("trees built by successive random edits equal the trees git writes from the same files")
  func treesMatchGit() throws {
    let fixture = try Fixture()
    var generator = SystemRandomNumberGenerator()
    // Names chosen to collide in git's order: prefixes, ".", "-", "0" and "/" neighbours.
    let names = ["a", "a.b", "a-b", "a0", "ab", "b", "a.b.c", "z", "A", "é"]
    let blobs = try (0..<4).map { try fixture.blob("content \($0)\n") }
    var files: [String: ObjectID] = [:]
    var tree: ObjectID? = nil
    for _ in 0..<60 {
      var changes: [String: TreeChange] = [:]
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        let depth = Int.random(in: 1...3, using: &generator)
        let path = (0..<depth).map { _ in names.randomElement(using: &generator)! }.joined(separator: "/")
        // A path that is (or is under) a file already there, or over a folder, is left for
        // another round: one call may not make a name both a file and a folder.
        let clash =
          files.keys.contains { $0.hasPrefix(path + "/") || path.hasPrefix($0 + "/") }
          || changes.keys.contains { $0.hasPrefix(path + "/") || path.hasPrefix($0 + "/") || $0 == path }
        if clash { continue }
        if files[path] != nil, Bool.random(using: &generator) {
          changes[path] = .remove
          files[path] = nil
        } else {
          let blob = blobs.randomElement(using: &generator)!
          changes[path] = .blob(blob)
          files[path] = blob
        }
      }
      if changes.isEmpty { continue }
      tree = try fixture.repository.buildTree(base: tree, changes: changes)
      #expect(tree!.hex == (try Self.gitWriteTree(files, in: fixture)), "after \(changes.keys.sorted())")
      // Path lookups agree with the files: every file is found with its blob, its folders as
      // trees, other paths absent.
      for (path, blob) in files {
        #expect(
          try fixture.repository.entry(at: path, inTree: tree!)
            == TreeEntry(
              name: String(path.split(separator: "/").last!), id: blob, kind: .blob))
        if let slash = path.lastIndex(of: "/") {
          #expect(try fixture.repository.entry(at: String(path[..<slash]), inTree: tree!)?.kind == .tree)
        }
        #expect(try fixture.repository.entry(at: path + "/below", inTree: tree!) == nil)
      }
      for name in names where files[name] == nil && !files.keys.contains(where: { $0.hasPrefix(name + "/") }) {
        #expect(try fixture.repository.entry(at: name, inTree: tree!) == nil)
      }
    }
    // And a new handle, which reads the trees from disk, reads the same.
    let fresh = try Repository.open(at: fixture.path)
    for (path, blob) in files {
      #expect(try fresh.entry(at: path, inTree: tree!)?.id == blob)
    }
    try fixture.expectFsckClean()
  }

  /// The tree git's own index writes for `files`.
  private static func gitWriteTree(_ files: [String: ObjectID], in fixture: Fixture) throws -> String {
    let list = fixture.directory.appending("index-info-\(UUID().uuidString)")
    let index = fixture.directory.appending("index-\(UUID().uuidString)")
    try files.map { "100644 \($0.value.hex)\t\($0.key)\n" }.joined().write(
      toFile: list, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "git update-index --add --index-info < \"$1\" && git write-tree", "sh", list]
    process.currentDirectoryURL = URL(fileURLWithPath: fixture.path)
    process.environment = ProcessInfo.processInfo.environment.merging(["GIT_INDEX_FILE": index]) { $1 }
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
