import Git
import Testing

@Suite("ObjectID")
struct ObjectIDTests {
  @Test("parses and prints 40 hex digits, lowercasing")
  func roundTrip() throws {
    let id = try #require(ObjectID(hex: "4B825DC642CB6EB9A060E54BF8D69288FBEE4904"))
    #expect(id.hex == "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
    #expect(id.description == id.hex)
    #expect(!id.isZero)
    #expect(ObjectID.zero.isZero)
    #expect(ObjectID.zero.hex == String(repeating: "0", count: 40))
    #expect(ObjectID.zero < id)
  }

  @Test(
    "rejects anything but 40 hex digits",
    arguments: [
      "", "4b825dc", "4b825dc642cb6eb9a060e54bf8d69288fbee490",
      "4b825dc642cb6eb9a060e54bf8d69288fbee49041",
      "4b825dc642cb6eb9a060e54bf8d69288fbee490g", " b825dc642cb6eb9a060e54bf8d69288fbee4904",
    ])
  func rejects(_ text: String) {
    #expect(ObjectID(hex: text) == nil)
  }

  @Test("orders by bytes")
  func ordering() throws {
    let a = try #require(ObjectID(hex: "00000000000000000000000000000000000000ff"))
    let b = try #require(ObjectID(hex: "0000000000000000000000000000000000000100"))
    let c = try #require(ObjectID(hex: "1000000000000000000000000000000000000000"))
    #expect([c, b, a].sorted() == [a, b, c])
  }
}
