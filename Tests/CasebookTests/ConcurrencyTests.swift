import Foundation
import Git
import TestSupport
import Testing

/// Many real `casebook` processes writing to one repository at once, and writers killed with
/// SIGKILL at random moments: nothing acknowledged is lost or duplicated, and the repository
/// stays sound (`git fsck --strict`, `casebook doctor`).
///
/// Sizes: `CASEBOOK_STRESS_WRITERS` × `CASEBOOK_STRESS_WRITES` (default 8 × 200) and
/// `CASEBOOK_CRASH_KILLS` (default 500), so a developer can push them up locally.
@Suite("concurrent writers and crashes", .serialized)
struct ConcurrencyTests {
  /// One write a process reported as done: the commit it printed and what must be in it.
  struct Ack: Sendable {
    let writer: Int
    let action: String
    let commit: String
    /// A file the commit must hold, and (when known) text that file must contain.
    let path: String?
    let contains: String?
  }

  /// Collects acknowledgements from many threads.
  final class Acks: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Ack] = []
    private var notes: [String] = []
    func add(_ ack: Ack) { lock.withLock { items.append(ack) } }
    func note(_ text: String) { lock.withLock { notes.append(text) } }
    var all: [Ack] { lock.withLock { items } }
    var noted: [String] { lock.withLock { notes } }
  }

  static func env(_ name: String, default value: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? value
  }

  /// Runs `body(i)` for i in 0..<count on `count` threads of its own (GCD would cap the
  /// parallelism at the core count, and the point is more writers than cores).
  static func parallel(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
      group.enter()
      let thread = Thread {
        body(index)
        group.leave()
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
    group.wait()
  }

  /// The environment every writer gets.
  static func environment(home: String, user: String) -> [String: String] {
    CLI.environment(home: home, user: user)
  }

  /// Runs `casebook ARGS --json`, text on stdin, and returns the exit status and the JSON object.
  static func casebook(_ args: [String], stdin: String? = nil, env: [String: String]) throws -> (
    status: Int32, json: [String: Any]?, output: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = args + ["--json"]
    process.environment = env
    let out = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    return (process.terminationStatus, json, String(decoding: data, as: UTF8.self))
  }

  /// Checks every acknowledged write against the repository: its commit is reachable from a
  /// branch, holds what was written, and each write appears exactly once.
  static func verify(_ acks: [Ack], repo: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let repository = try Repository.open(at: repo)
    let heads = try repository.references(glob: "refs/heads/*").map(\.target)
    let history = try repository.log(fromAll: heads)
    let reachable = Set(history.map(\.id.hex))
    for ack in acks {
      #expect(
        reachable.contains(ack.commit), "\(ack.action) \(ack.commit) is not on any branch",
        sourceLocation: sourceLocation)
      guard let path = ack.path, let id = ObjectID(hex: ack.commit) else { continue }
      let data = try repository.blob(at: path, inCommit: id)
      #expect(data != nil, "\(ack.action) \(ack.commit) lacks \(path)", sourceLocation: sourceLocation)
      if let contains = ack.contains, let data {
        #expect(
          String(decoding: data, as: UTF8.self).contains(contains), "\(ack.action) \(ack.commit): \(path)",
          sourceLocation: sourceLocation)
      }
    }
    // Exactly once: each write carries a unique marker, and the branches hold one commit per
    // acknowledged write of each kind (a retried write that landed twice would show up here).
    var landed: [String: Int] = [:]
    for commit in history {
      if let action = commit.trailers.first(where: { $0.key == "Casebook-Action" })?.value {
        landed[action, default: 0] += 1
      }
    }
    var acked: [String: Int] = [:]
    for ack in acks { acked[ack.action, default: 0] += 1 }
    for action in ["draft-section", "revise-section", "record-exchange", "add-input"] {
      #expect(
        landed[action, default: 0] == acked[action, default: 0],
        "\(action): \(landed[action, default: 0]) commits on branches, \(acked[action, default: 0]) acknowledged",
        sourceLocation: sourceLocation)
    }
    let fsck = try runGit(["fsck", "--strict", "--no-progress"], in: repo)
    #expect(fsck.status == 0, "git fsck --strict: \(fsck.stderr)", sourceLocation: sourceLocation)
  }

  @Test("8 processes × 200 mixed writes: every acknowledged write lands exactly once")
  func serializedWritesUnderLoad() throws {
    let writers = Self.env("CASEBOOK_STRESS_WRITERS", default: 8)
    let writes = Self.env("CASEBOOK_STRESS_WRITES", default: 200)
    let cli = try CLI()
    let (repo, _) = try cli.project()
    let acks = Acks()
    let done = Acks()  // one note per write that exited 0
    let home = cli.root
    let started = Date()

    Self.parallel(writers) { w in
      let env = Self.environment(home: home, user: "writer\(w)")
      var session = ""
      var current: String?  // the section this writer is drafting in its current session
      var sections = 0
      func record(_ action: String, _ json: [String: Any]?, key: String = "commit", path: String?, contains: String?) {
        guard let commit = json?[key] as? String else { return }
        acks.add(Ack(writer: w, action: action, commit: commit, path: path, contains: contains))
      }
      for i in 0..<writes {
        let token = "w\(w)-op\(i)-\(UUID().uuidString.prefix(8))"
        var args: [String]
        var stdin: String?
        var kind: String
        if i % 50 == 0 {
          kind = "session-start"
          args = ["session", "start"]
        } else if i % 25 == 12 {
          kind = "session-merge"
          args = ["session", "merge", session]
        } else if i % 25 == 24, let section = current {
          kind = "commit-section"
          args = ["section", "commit", section, "--session", session]
        } else {
          switch i % 5 {
          case 1 where current == nil, 2 where current == nil, 3 where current == nil:
            sections += 1
            current = "w\(w)-s\(sections)"
            kind = "draft-section"
            args = ["section", "draft", current!, "--title", "Section \(token)", "--from", "-", "--session", session]
            stdin = "# \(current!)\n\n\(token)\n"
          case 1, 2, 3:
            kind = "revise-section"
            args = ["section", "revise", current!, "--from", "-", "--feedback", "again", "--session", session]
            stdin = "# \(current!)\n\nRevised: \(token)\n"
          case 4:
            kind = "record-exchange"
            args = ["exchange", "record", "--tool", "drafter", "--prompt", "-", "--session", session]
            stdin = "prompt \(token)"
          default:
            kind = "add-input"
            let file = "\(home)/inputs-\(w)/\(token).md"
            try? FileManager.default.createDirectory(
              atPath: "\(home)/inputs-\(w)", withIntermediateDirectories: true)
            try? Data("# Notes \(token)\n".utf8).write(to: URL(fileURLWithPath: file))
            args = ["input", "add", file, "--session", session]
          }
        }
        let result: (status: Int32, json: [String: Any]?, output: String)
        do {
          result = try Self.casebook(args + ["--repo", repo], stdin: stdin, env: env)
        } catch {
          acks.note("writer \(w) op \(i): \(error)")
          continue
        }
        guard result.status == 0 else {
          acks.note("writer \(w) op \(i) \(kind) exited \(result.status): \(result.output)")
          continue
        }
        done.note(kind)
        switch kind {
        case "session-start":
          session = result.json?["session_id"] as? String ?? ""
          current = nil
          record(kind, result.json, path: "sessions/\(session).yaml", contains: nil)
        case "session-merge":
          record(kind, result.json, path: nil, contains: nil)
        case "commit-section":
          record(kind, result.json, path: "sections/\(current!).yaml", contains: "committed")
          record("merge-for-commit", result.json, key: "main_commit", path: "sections/\(current!).yaml", contains: nil)
          current = nil
        case "draft-section", "revise-section":
          record(kind, result.json, path: "sections/\(current!).md", contains: token)
        case "record-exchange":
          record(kind, result.json, path: result.json?["path"] as? String, contains: token)
        default:
          let id = result.json?["input_id"] as? String ?? "?"
          record(kind, result.json, path: "inputs/\(id)/meta.yaml", contains: nil)
        }
      }
    }
    let elapsed = Date().timeIntervalSince(started)
    print(
      "stress: \(writers) writers × \(writes) writes in \(String(format: "%.1f", elapsed)) s, \(acks.all.count) acknowledged"
    )
    // Under this load no write may give up: every one of them must have been acknowledged.
    #expect(acks.noted.isEmpty, "\(acks.noted.prefix(5))")
    #expect(done.noted.count == writers * writes)
    try Self.verify(acks.all, repo: repo)
    let doctor = try Self.casebook(["doctor", "--repo", repo], env: Self.environment(home: home, user: "alice"))
    #expect(doctor.status == 0, "doctor: \(doctor.output)")
  }

  @Test("writers killed with SIGKILL at random moments lose nothing acknowledged; doctor --fix heals the rest")
  func killedWriters() throws {
    let kills = Self.env("CASEBOOK_CRASH_KILLS", default: 500)
    let loops = 3
    let cli = try CLI()
    let (repo, _) = try cli.project()
    let home = cli.root
    let acks = Acks()
    // One session per loop, started before the killing begins.
    var sessions: [String] = []
    for loop in 0..<loops {
      let started = try Self.casebook(
        ["session", "start", "--repo", repo], env: Self.environment(home: home, user: "crash\(loop)"))
      sessions.append(try #require(started.json?["session_id"] as? String))
    }
    // Kill at a random moment of a writer's life: from before it has loaded to just after it
    // would have finished. A fixed 0–15 ms window would only ever hit the process start-up (a
    // debug binary takes longer to start), so each loop adapts its window: wider after a kill,
    // narrower after a writer that finished first, settling where about two in three writers
    // are killed, at every point of their work, and one in three acknowledges its write.
    var durations: [TimeInterval] = []
    for i in 0..<5 {
      let begin = Date()
      let probe = try Self.casebook(
        ["exchange", "record", "--tool", "probe", "--session", sessions[0], "--repo", repo], stdin: nil,
        env: Self.environment(home: home, user: "crash0"))
      #expect(probe.status == 0, "probe \(i): \(probe.output)")
      if let commit = probe.json?["commit"] as? String {
        acks.add(Ack(writer: 0, action: "record-exchange", commit: commit, path: nil, contains: nil))
      }
      durations.append(Date().timeIntervalSince(begin))
    }
    let initialWindow = min(max(durations.sorted()[2] * 1.5, 0.015), 1.0) * 1_000_000
    let windows = Acks()  // the final window of each loop, for the report
    let killed = Acks()  // one note per delivered SIGKILL
    let started = Date()
    let sessionList = sessions
    Self.parallel(loops) { loop in
      let env = Self.environment(home: home, user: "crash\(loop)")
      let session = sessionList[loop]
      let section = "crash\(loop)"
      var drafted = false
      var committed = false
      // Bounded: at most four times the kills asked of this loop.
      let quota = (kills + loops - 1) / loops
      var mine = 0
      var window = initialWindow  // microseconds
      for i in 0..<(quota * 4) where mine < quota {
        let token = "c\(loop)-\(i)-\(UUID().uuidString.prefix(8))"
        var args: [String]
        var stdin: String?
        let kind: String
        switch i % 6 {
        case 0 where !drafted, 1 where !drafted:
          kind = "draft-section"
          args = ["section", "draft", section, "--title", "Crash \(loop)", "--from", "-"]
          stdin = "# \(section)\n\n\(token)\n"
        case 0, 1:
          kind = committed ? "record-exchange" : "revise-section"
          args =
            committed
            ? ["exchange", "record", "--tool", "t", "--prompt", "-"]
            : ["section", "revise", section, "--from", "-"]
          stdin = committed ? "prompt \(token)" : "# \(section)\n\n\(token)\n"
        case 2 where drafted && !committed && i > 60:
          kind = "commit-section"
          args = ["section", "commit", section]
        default:
          kind = "record-exchange"
          args = ["exchange", "record", "--tool", "t", "--prompt", "-"]
          stdin = "prompt \(token)"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = args + ["--session", session, "--repo", repo, "--json"]
        process.environment = env
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = input
        do { try process.run() } catch {
          acks.note("spawn: \(error)")
          continue
        }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        usleep(UInt32.random(in: 0...UInt32(window)))
        kill(process.processIdentifier, SIGKILL)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
          killed.note(kind)
          mine += 1
          // Capped: a loop whose ref a killed writer left locked only sees slow, failing writers.
          window = min(window * 1.02, initialWindow * 3)
        } else {
          window = max(window * 0.96, 5_000)
        }
        // A draft that landed but whose acknowledgement was cut off still counts as drafted.
        if kind == "draft-section", !drafted {
          let probe = try? Self.casebook(["section", "show", section, "--session", session, "--repo", repo], env: env)
          drafted = probe?.status == 0
        }
        // An acknowledgement is a whole JSON object printed before the kill.
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let commit = json["commit"] as? String
        else { continue }
        switch kind {
        case "draft-section", "revise-section":
          drafted = true
          acks.add(Ack(writer: loop, action: kind, commit: commit, path: "sections/\(section).md", contains: token))
        case "commit-section":
          committed = true
          acks.add(
            Ack(writer: loop, action: kind, commit: commit, path: "sections/\(section).yaml", contains: "committed"))
          if let main = json["main_commit"] as? String {
            acks.add(Ack(writer: loop, action: "merge-for-commit", commit: main, path: nil, contains: nil))
          }
        default:
          acks.add(
            Ack(writer: loop, action: kind, commit: commit, path: json["path"] as? String, contains: token))
        }
      }
      windows.note("\(Int(window / 1000)) ms")
    }
    let elapsed = Date().timeIntervalSince(started)
    let delivered = killed.noted.count
    print(
      "crash: \(delivered) writers killed (windows \(windows.noted)), \(acks.all.count) acknowledged, in \(String(format: "%.1f", elapsed)) s"
    )
    let actions = Dictionary(grouping: acks.all, by: \.action).mapValues(\.count)
    print("crash: acknowledged by kind \(actions.sorted { $0.key < $1.key })")
    #expect(delivered >= kills)
    #expect(acks.noted.isEmpty, "\(acks.noted.prefix(5))")

    let env = Self.environment(home: home, user: "alice")
    // The repository opens, doctor repairs what the kills left, and then finds nothing.
    let opened = try Self.casebook(["session", "list", "--repo", repo], env: env)
    #expect(opened.status == 0, "\(opened.output)")
    let fixed = try Self.casebook(["doctor", "--fix", "--stale-after", "0", "--repo", repo], env: env)
    #expect(fixed.status == 0, "doctor --fix: \(fixed.output)")
    let repaired = (fixed.json?["findings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    print("crash: doctor --fix repaired \(Dictionary(grouping: repaired, by: { $0 }).mapValues(\.count))")
    let doctor = try Self.casebook(["doctor", "--stale-after", "0", "--repo", repo], env: env)
    #expect(doctor.status == 0, "doctor: \(doctor.output)")
    #expect(doctor.json?["healthy"] as? Bool == true)
    // Acknowledged writes are all there (the exact-once count does not apply: a write whose
    // acknowledgement was cut off by the kill landed without being acknowledged).
    let repository = try Repository.open(at: repo)
    let heads = try repository.references(glob: "refs/heads/*").map(\.target)
    let reachable = Set(try repository.log(fromAll: heads).map(\.id.hex))
    for ack in acks.all {
      #expect(reachable.contains(ack.commit), "\(ack.action) \(ack.commit) was acknowledged but is lost")
      if let path = ack.path, let id = ObjectID(hex: ack.commit), let contains = ack.contains {
        let data = try repository.blob(at: path, inCommit: id)
        #expect(data.map { String(decoding: $0, as: UTF8.self).contains(contains) } == true, "\(ack.action) \(path)")
      }
    }
    let fsck = try runGit(["fsck", "--strict", "--no-progress"], in: repo)
    #expect(fsck.status == 0, "git fsck --strict: \(fsck.stderr)")
  }
}
