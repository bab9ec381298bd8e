import Foundation
import TestSupport
import Testing

/// Races between real `casebook` processes for the same new name: an approval number, the
/// first take of a section's lock. Exit 0 must mean the write exists, and exactly one process
/// may win each name. (Before create-only references, both racers were told they had won and
/// the second overwrote the first.)
@Suite("races for one name between processes", .serialized)
struct RaceTests {
  @Test("10 reviewers approving at once, 8 times over: every acknowledged approval is its own tag, and exists")
  func concurrentApprovals() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    _ = try cli.ok(
      ["section", "draft", "rationale", "--from", "-", "--session", session, "--repo", repo], stdin: "Why.\n")
    _ = try cli.ok(["section", "commit", "rationale", "--session", session, "--repo", repo])
    final class Printed: @unchecked Sendable {
      let lock = NSLock()
      var tags: [String] = []
      var failures: [String] = []
    }
    let printed = Printed()
    for trial in 0..<8 {
      ConcurrencyTests.parallel(10) { reviewer in
        let env = CLI.environment(home: cli.root, user: "alice")
        let result = try? ConcurrencyTests.casebook(
          ["approve", "rationale", "--reviewer", "r\(reviewer)", "--repo", repo], env: env)
        printed.lock.withLock {
          if let result, result.status == 0, let tag = result.json?["tag"] as? String {
            printed.tags.append(tag)
          } else {
            printed.failures.append("trial \(trial) reviewer \(reviewer): \(result?.output ?? "did not run")")
          }
        }
      }
    }
    let tags = printed.lock.withLock { printed.tags }
    let failures = printed.lock.withLock { printed.failures }
    #expect(failures.isEmpty, "\(failures)")
    #expect(Set(tags).count == tags.count, "one tag printed twice: \(tags.sorted())")
    let existing = Set(try cli.git(["tag", "--list", "approved/*"], in: repo).split(separator: "\n").map(String.init))
    #expect(existing == Set(tags), "acknowledged but missing: \(Set(tags).subtracting(existing).sorted())")
    #expect(existing.count == 80)
    #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
  }

  @Test("two sessions drafting one new section at the same moment, 30 times: exactly one takes its lock")
  func firstLockTake() throws {
    let cli = try CLI()
    let (repo, _) = try cli.project()
    var sessions: [String] = []
    for user in ["ann", "bob"] {
      let started = try ConcurrencyTests.casebook(
        ["session", "start", "--repo", repo], env: CLI.environment(home: cli.root, user: user))
      sessions.append(try #require(started.json?["session_id"] as? String))
    }
    let sessionList = sessions
    for round in 0..<30 {
      let section = "race-\(round)"
      final class Outcome: @unchecked Sendable {
        let lock = NSLock()
        var status: [Int: Int32] = [:]
      }
      let outcome = Outcome()
      ConcurrencyTests.parallel(2) { writer in
        let env = CLI.environment(home: cli.root, user: writer == 0 ? "ann" : "bob")
        let result = try? ConcurrencyTests.casebook(
          [
            "section", "draft", section, "--title", "Race \(round)", "--from", "-", "--session", sessionList[writer],
            "--repo", repo,
          ], stdin: "Draft by \(writer).\n", env: env)
        outcome.lock.withLock { outcome.status[writer] = result?.status ?? -1 }
      }
      let status = outcome.lock.withLock { outcome.status }
      let winners = status.filter { $0.value == 0 }.map(\.key)
      #expect(winners.count == 1, "round \(round): exits \(status)")
      #expect(status.values.allSatisfy { $0 == 0 || $0 == 3 }, "round \(round): exits \(status)")
      // The branches agree: only the winner's session holds a draft of the section.
      for (writer, session) in sessionList.enumerated() {
        let shown = try runGit(["cat-file", "-e", "refs/heads/sessions/\(session):sections/\(section).md"], in: repo)
        #expect((shown.status == 0) == winners.contains(writer), "round \(round): session of writer \(writer)")
      }
    }
  }
}
