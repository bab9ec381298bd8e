import Foundation
import Git
import TestSupport
import Testing

@Suite("Blobs")
struct BlobTests {
  @Test("createBlob from memory round-trips and matches git hash-object")
  func fromMemory() throws {
    let fixture = try Fixture()
    let data = Data("hello\nworld\n".utf8)
    let id = try fixture.repository.createBlob(data)
    #expect(try fixture.repository.blob(id) == data)
    #expect(try fixture.repository.blobSize(id) == data.count)
    #expect(try fixture.git("cat-file", "-p", id.hex) == "hello\nworld\n")
    let empty = try fixture.repository.createBlob(Data())
    #expect(empty.hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
    #expect(try fixture.repository.blob(empty).isEmpty)
    try fixture.expectFsckClean()
  }

  @Test("a blob streamed from a 20 MB file equals the file")
  func fromLargeFile() throws {
    let fixture = try Fixture()
    let file = fixture.directory.appending("big.bin")
    var generator = SystemRandomNumberGenerator()
    var data = Data(count: 20 * 1024 * 1024 + 123)
    data.withUnsafeMutableBytes { raw in
      let words = raw.bindMemory(to: UInt8.self)
      for index in stride(from: 0, to: words.count, by: 1) where index % 4096 == 0 {
        words[index] = UInt8.random(in: 0...255, using: &generator)
      }
    }
    try data.write(to: URL(fileURLWithPath: file))
    let id = try fixture.repository.createBlob(fromFile: file)
    #expect(try fixture.repository.blobSize(id) == data.count)
    #expect(try fixture.repository.blob(id) == data)
    #expect(try fixture.git("hash-object", file) == id.hex + "\n")
    #expect(try fixture.git("cat-file", "-s", id.hex) == "\(data.count)\n")
    try fixture.expectFsckClean()
  }

  @Test("createBlob(fromFile:) of a missing file is not found")
  func missingFile() throws {
    let fixture = try Fixture()
    let error = try #require(throws: GitError.self) {
      try fixture.repository.createBlob(fromFile: fixture.directory.appending("nope"))
    }
    #expect(error.isNotFound)
  }

  @Test("reading an unknown blob is not found")
  func unknownBlob() throws {
    let fixture = try Fixture()
    let id = try #require(ObjectID(hex: "1111111111111111111111111111111111111111"))
    #expect(throws: GitError.self) { try fixture.repository.blob(id) }
    let error = try #require(throws: GitError.self) { try fixture.repository.blobSize(id) }
    #expect(error.isNotFound)
  }
}
