import Foundation
import Testing

/// `casebook tokens` through the built binary: counts, JSON, standard input, invalid UTF-8, and
/// every bad input refused with its exit code (the command reads no project; the fixture has
/// one only to check that nothing in it changes).
@Suite("casebook tokens")
struct TokensCLITests {
  struct Fixture {
    var cli: CLI
    let repo: String
    let files: [String: String]

    init() throws {
      cli = try CLI()
      repo = try cli.project().path
      try FileManager.default.createDirectory(atPath: cli.root + "/a-folder", withIntermediateDirectories: true)
      files = [
        "folder": cli.root + "/a-folder",
        "missing": cli.root + "/no-such-file.txt",
        "huge": try cli.file("huge.txt", String(repeating: "a", count: 16 << 20 + 1)),
        "text": try cli.file("text.txt", "Hello world"),
      ]
    }
  }

  typealias Case = Refusal<Fixture>

  static let cases: [Case] = [
    Case(name: "missing file", status: 1, message: "no such file") { ["tokens", $0.files["missing"]!] },
    Case(name: "a folder", status: 1, message: "is a folder") { ["tokens", $0.files["folder"]!] },
    Case(name: "over 16 MiB", status: 1, message: "larger than the 16 MiB limit") { ["tokens", $0.files["huge"]!] },
    Case(name: "unknown encoding", status: 64, message: "--encoding") {
      ["tokens", $0.files["text"]!, "--encoding", "p50k_base"]
    },
    Case(name: "encoding without a value", status: 64, message: "--encoding") {
      ["tokens", $0.files["text"]!, "--encoding"]
    },
    Case(name: "two files", status: 64, message: "unexpected argument") {
      ["tokens", $0.files["text"]!, $0.files["text"]!]
    },
  ]

  @Test("refused, with its exit code and message, leaving the repository as it was", arguments: cases)
  func refused(_ c: Case) throws {
    let fixture = try Fixture()
    try fixture.cli.expectRefused(c.args(fixture), repo: fixture.repo, status: c.status, message: c.message)
  }

  @Test("a file, standard input and both encodings; --json prints tokens, encoding and bytes")
  func counts() throws {
    let cli = try CLI()
    let file = try cli.file("hello.txt", "Hello world, it's 2025!\n")
    let plain = try cli.run(["tokens", file])
    #expect(plain.status == 0)
    #expect(plain.stdout == "8\n")  // tiktoken 0.14: 8 (o200k_base), 9 (cl100k_base)
    let json = try cli.ok(["tokens", file, "--encoding", "cl100k_base"])
    #expect(json["tokens"] as? Int == 9)
    #expect(json["encoding"] as? String == "cl100k_base")
    #expect(json["bytes"] as? Int == 24)
    #expect(Set(json.keys) == ["tokens", "encoding", "bytes"])
    let stdin = try cli.run(["tokens", "-", "--json"], stdin: "Hello world")
    #expect(stdin.stdout == #"{"bytes":11,"encoding":"o200k_base","tokens":2}"# + "\n")
    #expect(try cli.run(["tokens"], stdin: "").stdout == "0\n")
  }

  @Test("invalid UTF-8 is counted as U+FFFD, as tiktoken counts bytes.decode('utf-8', 'replace'), with a warning")
  func invalidUTF8() throws {
    let cli = try CLI()
    let file = try cli.file("latin1.txt", bytes: [0x63, 0x61, 0x66, 0xe9, 0x0a])
    let result = try cli.run(["tokens", file, "--json"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("not UTF-8: 1 invalid sequence"))
    let replaced = try cli.file("replaced.txt", "caf\u{FFFD}\n")
    #expect(try cli.ok(["tokens", file])["tokens"] as? Int == cli.ok(["tokens", replaced])["tokens"] as? Int)
  }
}
