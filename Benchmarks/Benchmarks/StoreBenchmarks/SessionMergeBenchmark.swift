import Benchmark
import Casebook
import Foundation

/// A project whose main holds many other sessions' history (5,000 exchange records from five
/// sessions, 100 drafted sections) and one session that revises 50 sections between merges,
/// while another session keeps moving main, so that every merge is a true three-way merge.
final class MergeFixture {
  let project: Project
  let user: User
  let session: String
  let other: String
  let sections: [String]
  let folder: String
  private var counter = 0

  init(exchanges: Int, sessions: Int, sections count: Int, bare: Bool) throws {
    folder = NSTemporaryDirectory() + "casebook-bench-merge-\(UUID().uuidString)"
    let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../../templates"
    )
    .standardized.path
    let template = try TemplateLibrary(searchPaths: [templates]).template("gate-0")
    user = try User("bench")
    (project, _) = try Project.initialize(
      InitOptions(path: folder, template: template, projectID: "bench", title: "Benchmark", user: user, bare: bare))
    // Other sessions' history on main: exchanges and drafted sections, merged one by one.
    for s in 0..<sessions {
      let id = try project.startSession(by: user).sessionId
      for i in 0..<(exchanges / sessions) {
        _ = try project.recordExchange(
          ExchangeInput(tool: "draft_section", prompt: "prompt \(s)-\(i)", response: "{\"ok\": true}", statusCode: 200),
          session: id, by: user)
      }
      for i in 0..<20 {
        _ = try project.draftSection(
          "other-\(s)-\(i)", session: id, edit: SectionEdit(content: "# Other \(s) \(i)\n\nText.\n", title: "Other"),
          by: user)
      }
      _ = try project.mergeSession(id, by: user)
    }
    sections = (0..<count).map { "section-\($0)" }
    session = try project.startSession(by: user).sessionId
    for id in sections {
      _ = try project.draftSection(
        id, session: session, edit: SectionEdit(content: "# \(id)\n\nFirst.\n", title: id), by: user)
    }
    _ = try project.mergeSession(session, by: user)
    other = try project.startSession(by: user).sessionId
  }

  /// The session revises every section, and another session moves main meanwhile.
  func prepareRound() throws {
    counter += 1
    for id in sections {
      _ = try project.reviseSection(
        id, session: session, edit: SectionEdit(content: "# \(id)\n\nRevision \(counter).\n", feedback: "tighten"),
        by: user)
    }
    _ = try project.recordExchange(ExchangeInput(tool: "elsewhere", prompt: "p \(counter)"), session: other, by: user)
    _ = try project.mergeSession(other, by: user)
  }

  func merge() throws {
    _ = try project.mergeSession(session, by: user)
  }

  deinit { try? FileManager.default.removeItem(atPath: folder) }
}

nonisolated(unsafe) var mergeFixtures: [Bool: MergeFixture] = [:]

/// Registered from `benchmarks` in StoreBenchmarks.swift.
func sessionMergeBenchmarks() {
  // A session merge must not cost more as main accumulates exchanges and inputs. Measured on
  // the default project (a working tree, which a merge into main brings up to date) and bare.
  for bare in [false, true] {
    Benchmark(
      "session merge: 50 revised sections into a main with 5,000 exchanges (\(bare ? "bare" : "default") project)",
      configuration: .init(
        metrics: [.wallClock, .mallocCountTotal], warmupIterations: 2, maxDuration: .seconds(20), maxIterations: 60),
      closure: { benchmark in
        let fixture = mergeFixtures[bare]!
        try fixture.prepareRound()
        benchmark.startMeasurement()
        try fixture.merge()
        benchmark.stopMeasurement()
      },
      setup: { mergeFixtures[bare] = try MergeFixture(exchanges: 5_000, sessions: 5, sections: 50, bare: bare) },
      teardown: { mergeFixtures[bare] = nil }
    )
  }
}
