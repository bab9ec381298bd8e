import Foundation
import TestSupport
import Testing

/// `casebook blame` and `--exchange`: each line of a section traced to the revision, commit,
/// prompt, feedback and exchange that produced it, and the same answer from plain `git blame`.
@Suite("casebook blame")
struct BlameTests {
  struct Fixture {
    var cli: CLI
    let repo: String
    let session: String
    let first: String
    let second: String

    init() throws {
      cli = try CLI()
      (repo, session) = try cli.project()
      first = try #require(
        try cli.ok(
          [
            "exchange", "record", "--tool", "draft_section", "--prompt", "-", "--response",
            cli.file("r1.json", "{\"ok\":1}"),
            "--session", session, "--repo", repo,
          ], stdin: "Draft the rationale.")["exchange_id"] as? String)
      let v1 = try cli.file("v1.md", "# Rationale\n\nLifts fail.\n\nCosts are high.\n")
      _ = try cli.ok([
        "section", "draft", "rationale", "--from", v1, "--prompt", "draft it", "--exchange", first,
        "--session", session, "--repo", repo,
      ])
      second = try #require(
        try cli.ok(
          [
            "exchange", "record", "--tool", "revise_section", "--prompt", "-", "--session", session, "--repo", repo,
          ], stdin: "Quantify the costs.")["exchange_id"] as? String)
      let v2 = try cli.file("v2.md", "# Rationale\n\nLifts fail.\n\nCosts are £13.2m.\n")
      _ = try cli.ok([
        "section", "revise", "rationale", "--from", v2, "--feedback", "quantify", "--exchange", second,
        "--session", session, "--repo", repo,
      ])
    }
  }

  @Test("each line names its revision, prompt or feedback, and the exchange that wrote it; plain git agrees")
  func lines() throws {
    let f = try Fixture()
    let json = try f.cli.ok(["blame", "rationale", "--session", f.session, "--repo", f.repo])
    let lines = try #require(json["lines"] as? [[String: Any]])
    #expect(lines.count == 5)
    let heading = lines[0]
    #expect(heading["text"] as? String == "# Rationale" && heading["revision"] as? Int == 1)
    #expect(heading["prompts"] as? [String] == ["draft it"])
    let firstExchange = try #require(heading["exchange"] as? [String: Any])
    #expect(firstExchange["id"] as? String == f.first && firstExchange["tool"] as? String == "draft_section")
    #expect(firstExchange["prompt"] as? String == "Draft the rationale.")
    let costs = lines[4]
    #expect(costs["text"] as? String == "Costs are £13.2m." && costs["revision"] as? Int == 2)
    #expect(costs["feedback"] as? String == "quantify" && costs["action"] as? String == "revise-section")
    let secondExchange = try #require(costs["exchange"] as? [String: Any])
    #expect(secondExchange["id"] as? String == f.second && secondExchange["prompt"] as? String == "Quantify the costs.")
    // Plain git: the same commit for every line, and the exchange in that commit's trailers.
    let porcelain = try f.cli.git(
      ["blame", "--line-porcelain", "sessions/\(f.session)", "--", "sections/rationale.md"], in: f.repo)
    let porcelainLines: [Substring] = porcelain.split(separator: "\n")
    let commits: [String] = porcelainLines.filter { line in
      line.count > 40 && line.prefix(40).allSatisfy(\.isHexDigit)
    }.map { String($0.prefix(40)) }
    #expect(commits == lines.compactMap { $0["commit"] as? String })
    let trailers = try f.cli.git(["show", "-s", "--format=%(trailers)", commits[4]], in: f.repo)
    #expect(trailers.contains("Casebook-Exchange: \(f.second)"))
    // The record keeps the exchange too, and blame at revision 1 sees only the first.
    let record = try f.cli.git(["show", "sessions/\(f.session):sections/rationale.yaml"], in: f.repo)
    #expect(record.contains("exchange: \(f.second)\n") || record.contains("exchange: \"\(f.second)\""), "\(record)")
    let old = try f.cli.ok(["blame", "rationale", "--session", f.session, "--at", "1", "--repo", f.repo])
    let oldLines = try #require(old["lines"] as? [[String: Any]])
    #expect(oldLines.allSatisfy { $0["revision"] as? Int == 1 })
  }

  typealias Case = Refusal<Fixture>

  static let cases: [Case] = [
    Case(name: "--exchange of another session", status: 1, message: "is not one of session") {
      [
        "section", "revise", "rationale", "--from", $0.cli.root + "/v1.md", "--exchange",
        "\(String(repeating: "a", count: 32))-1", "--session", $0.session,
      ]
    },
    Case(name: "--exchange not recorded", status: 2, message: "not recorded") {
      [
        "section", "revise", "rationale", "--from", $0.cli.root + "/v1.md", "--exchange", "\($0.session)-99",
        "--session", $0.session,
      ]
    },
    Case(name: "--exchange malformed", status: 1, message: "is not one of session") {
      [
        "section", "revise", "rationale", "--from", $0.cli.root + "/v1.md", "--exchange", "\($0.session)-01",
        "--session", $0.session,
      ]
    },
    Case(name: "blame an unknown section", status: 2, message: "not found") {
      ["blame", "economic-case", "--session", $0.session]
    },
    Case(name: "blame a malformed section id", status: 1, message: "section id") { _ in ["blame", "Rationale!"] },
    Case(name: "blame at a revision the section never had", status: 2, message: "no revision") {
      ["blame", "rationale", "--session", $0.session, "--at", "9"]
    },
  ]

  @Test("refused with its exit code and message, the repository as it was", arguments: cases)
  func refused(_ c: Case) throws {
    let f = try Fixture()
    try f.cli.expectRefused(c.args(f), repo: f.repo, status: c.status, message: c.message)
  }
}
