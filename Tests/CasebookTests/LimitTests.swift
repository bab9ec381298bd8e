import Foundation
import TestSupport
import Testing

/// Limits are enforced before the work: a file or a stream larger than its command's limit is
/// refused having read only the limit and one byte more. Each command runs under a 600 MB
/// address-space limit (`ulimit -v`) with a 2 GiB sparse file, or an endless `yes` on standard
/// input; reading either whole would abort the process instead of refusing it with exit 1.
@Suite("limits before work")
struct LimitTests {
  struct Fixture {
    var cli: CLI
    let repo: String
    let session: String
    let big: String

    init() throws {
      cli = try CLI()
      (repo, session) = try cli.project()
      big = cli.root + "/big.md"
      FileManager.default.createFile(atPath: big, contents: nil)
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
      try handle.truncate(atOffset: 2 << 30)
      try handle.close()
      // A template folder whose template.yaml is the same 2 GiB file.
      try FileManager.default.createDirectory(atPath: cli.root + "/huge-template", withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(
        atPath: cli.root + "/huge-template/template.yaml", withDestinationPath: big)
    }

    /// `casebook ARGS --repo REPO` under the address-space limit, standard input from `feed`
    /// (a shell command) or empty.
    func run(_ args: [String], feed: String? = nil) throws -> CLI.Result {
      let quoted = ([CLI.binary] + args + ["--repo", repo]).map {
        "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
      }
      let command =
        "ulimit -v 600000; " + (feed.map { $0 + " | " } ?? "") + quoted.joined(separator: " ")
        + (feed == nil ? " </dev/null" : "")
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/bash")
      process.arguments = ["-c", command]
      process.environment = CLI.environment(home: cli.root, user: "alice")
      let out = Pipe()
      let err = Pipe()
      process.standardOutput = out
      process.standardError = err
      try process.run()
      let outData = out.fileHandleForReading.readDataToEndOfFile()
      let errData = err.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return CLI.Result(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
    }
  }

  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let limit: String
    var feed: String?
    let args: @Sendable (Fixture) -> [String]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(name: "section draft --from a 2 GiB file", limit: "4 MiB") {
      ["section", "draft", "rationale", "--session", $0.session, "--from", $0.big]
    },
    Case(name: "section draft --from an endless standard input", limit: "4 MiB", feed: "yes") {
      ["section", "draft", "rationale", "--session", $0.session, "--from", "-"]
    },
    Case(name: "section revise --from a 2 GiB file", limit: "4 MiB") {
      ["section", "revise", "rationale", "--session", $0.session, "--from", $0.big]
    },
    Case(name: "compose --from an endless standard input", limit: "4 MiB", feed: "yes") {
      ["compose", "rationale", "--session", $0.session, "--from", "-"]
    },
    Case(name: "exchange record --prompt a 2 GiB file", limit: "8 MiB") {
      ["exchange", "record", "--tool", "t", "--session", $0.session, "--prompt", $0.big]
    },
    Case(name: "exchange record --response an endless standard input", limit: "8 MiB", feed: "yes") {
      ["exchange", "record", "--tool", "t", "--session", $0.session, "--response", "-"]
    },
    Case(name: "profile apply a 2 GiB file", limit: "8 MiB") {
      ["profile", "apply", $0.big, "--session", $0.session]
    },
    Case(name: "template show a folder whose template.yaml is 2 GiB", limit: "8 MiB") {
      ["template", "show", $0.cli.root + "/huge-template"]
    },
    Case(name: "resolve --file a 2 GiB file", limit: "8 MiB") {
      ["resolve", "--session", $0.session, "project_profile.yaml", "--file", $0.big]
    },
  ]

  @Test("a file or stream over its command's limit: exit 1, the limit named, nothing stored", arguments: cases)
  func overLimit(_ given: Case) throws {
    let fixture = try Fixture()
    let before = try fixture.cli.state(of: fixture.repo)
    let result = try fixture.run(given.args(fixture), feed: given.feed)
    #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
    #expect(result.stderr.contains("larger than the \(given.limit) limit"), "stderr: \(result.stderr)")
    #expect(try fixture.cli.state(of: fixture.repo) == before, "the repository changed")
  }
}
