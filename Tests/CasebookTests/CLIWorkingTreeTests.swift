import Foundation
import TestSupport
import Testing

@Suite("casebook CLI, working tree and concurrent processes")
struct CLIWorkingTreeTests {
  @Test("a working tree with local changes is left alone, and the command says so")
  func dirtyWorkingTreeIsLeftAlone() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let profile = repo + "/project_profile.yaml"
    let edited = try String(contentsOfFile: profile, encoding: .utf8) + "# my local note\n"
    try Data(edited.utf8).write(to: URL(fileURLWithPath: profile))
    let text = try cli.file("t.md", "# R\n\ntext\n")
    _ = try cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", repo])
    let commit = try cli.run(["section", "commit", "rationale", "--session", session, "--repo", repo])
    #expect(commit.status == 0)
    #expect(commit.stderr.contains("local changes"))
    // main moved, the tree did not: the local edit is intact and the new section is not checked out.
    #expect(try String(contentsOfFile: profile, encoding: .utf8) == edited)
    #expect(!FileManager.default.fileExists(atPath: repo + "/sections/rationale.md"))
    #expect(try cli.git(["show", "main:sections/rationale.md"], in: repo).contains("text"))
  }

  @Test("four processes writing to one session at once lose nothing")
  func concurrentProcesses() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let workers = 4
    let each = 8
    let statuses = Mutex<[Int32]>([])
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      for i in 0..<each {
        let status =
          (try? cli.run([
            "exchange", "record", "--session", session, "--tool", "w\(worker)", "--status", "\(i)", "--repo", repo,
          ]).status) ?? -1
        statuses.withLock { $0.append(status) }
      }
    }
    #expect(statuses.withLock { $0 } == Array(repeating: 0, count: workers * each))
    let listed = try cli.ok(["exchange", "list", "--session", session, "--limit", "100", "--repo", repo])
    let exchanges = try #require(listed["exchanges"] as? [[String: Any]])
    #expect(exchanges.count == workers * each)
    #expect(Set(exchanges.compactMap { $0["sequence"] as? Int }) == Set(1...(workers * each)))
    let logged = try cli.git(
      ["log", "--format=%(trailers:key=Casebook-Tool,valueonly)", "sessions/\(session)"], in: repo)
    for worker in 0..<workers {
      #expect(logged.split(separator: "\n").filter { $0 == "w\(worker)" }.count == each)
    }
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("read commands print what they should, in text and in JSON")
  func readCommands() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    _ = try cli.ok([
      "profile", "set", "stakeholders", "[{name: Finance, role: Reviewer}]", "--session", session, "--repo", repo,
    ])
    let name = try cli.run(["profile", "get", "stakeholders[0].name", "--session", session, "--repo", repo])
    #expect(name.stdout == "Finance\n")
    let role = try cli.ok(["profile", "get", "stakeholders.Finance.role", "--session", session, "--repo", repo])
    #expect(role["value"] as? String == "Reviewer")
    let shown = try cli.ok(["profile", "show", "--session", session, "--repo", repo])
    let profile = try #require(shown["profile"] as? [String: Any])
    #expect(profile["project_id"] as? String == "abc123")
    let sessions = try cli.ok(["session", "list", "--repo", repo])
    #expect((sessions["sessions"] as? [Any])?.count == 1)
    let one = try cli.ok(["session", "show", session, "--repo", repo])
    #expect((one["session"] as? [String: Any])?["user_id"] as? String == "alice")
    let sections = try cli.ok(["section", "list", "--repo", repo])
    let listed = try #require(sections["sections"] as? [[String: Any]])
    #expect(listed.first?["section_id"] as? String != nil)
    #expect(listed.allSatisfy { $0["status"] == nil }, "nothing drafted on main yet")
    let text = try cli.run(["section", "list", "--repo", repo])
    #expect(text.stdout.contains("not started"))
    let help = try cli.run(["--help"])
    #expect(help.status == 0 && help.stdout.contains("session"))
    // Global options before the command, as the README writes them.
    let front = try cli.run(["--json", "--repo", repo, "session", "list"])
    #expect(front.status == 0 && front.stdout.hasPrefix("{\"sessions\""))
  }

  @Test("text listings show an id longer than its column whole, so it can be copied")
  func longIdsAreNotCut() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let id = "a-section-id-of-forty-characters-exactly"
    #expect(id.count == 40)
    _ = try cli.ok(
      ["section", "draft", id, "--title", "Long", "--from", "-", "--session", session, "--repo", repo],
      stdin: "# Long\n")
    let listed = try cli.run(["section", "list", "--session", session, "--repo", repo])
    #expect(listed.status == 0)
    #expect(listed.stdout.split(separator: "\n").contains { $0.hasPrefix(id + " ") }, "\(listed.stdout)")
  }
}
