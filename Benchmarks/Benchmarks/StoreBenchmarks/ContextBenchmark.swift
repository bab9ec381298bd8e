import Benchmark
import Casebook
import Foundation

/// A project for `casebook context`: `sections` drafted sections with `revisions` revisions
/// spread over them, `inputs` uploaded inputs (three of them cited by the section worked on),
/// and `exchanges` recorded exchanges, all in one session.
final class ContextFixture {
  let base: Fixture
  let request: ContextRequest

  init(sections: Int, inputs: Int, revisions: Int, exchanges: Int) throws {
    base = try Fixture(sections: sections, revisions: revisions)
    let project = base.project
    var ids: [String] = []
    for i in 0..<inputs {
      let file = base.folder + ".input-\(i).md"
      try Data("# Notes \(i)\n\nFinding \(i): the lifts fail twice a month.\n\n## Costs\n\nCost \(i).\n".utf8)
        .write(to: URL(fileURLWithPath: file))
      ids.append(try project.addInput(file: file, session: base.session, by: base.user).inputId)
    }
    _ = try project.reviseSection(
      "section-0", session: base.session,
      edit: SectionEdit(
        content: "# Section 0\n\nThe lifts fail twice a month.\n",
        sources: try ids.prefix(3).map { try SourceReference(parsing: "\($0):L3") }, feedback: "cite the notes"),
      by: base.user)
    for i in 0..<exchanges {
      _ = try project.recordExchange(
        ExchangeInput(tool: "draft_section", prompt: "prompt \(i)", response: "{\"ok\": true}", statusCode: 200),
        session: base.session, by: base.user)
    }
    request = ContextRequest(session: base.session, section: "section-0", budget: 8_000)
  }
}

nonisolated(unsafe) var contextFixtures: [String: ContextFixture] = [:]

/// Registered from `benchmarks` in StoreBenchmarks.swift.
func contextBenchmarks() {
  // Issue target: assembly in process <= 20 ms on 30 sections, 200 inputs, 1,000 revisions and
  // 10,000 exchanges, flat as exchanges and revisions grow: measured interleaved against a
  // project with a tenth of the history, one assembly of each per round.
  let small = BenchmarkMetric.custom("context, 100 revisions and 1,000 exchanges (ns)")
  let large = BenchmarkMetric.custom("context, 1,000 revisions and 10,000 exchanges (ns)")
  Benchmark(
    "context: 30 sections, 200 inputs, budget 8,000 tokens (o200k_base)",
    configuration: .init(metrics: [small, large], warmupIterations: 3, maxIterations: 200),
    closure: { benchmark in
      let little = contextFixtures["small"]!
      let big = contextFixtures["large"]!
      for _ in benchmark.scaledIterations {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try little.base.project.context(little.request)
        let middle = DispatchTime.now().uptimeNanoseconds
        _ = try big.base.project.context(big.request)
        let end = DispatchTime.now().uptimeNanoseconds
        benchmark.measurement(small, Int(middle - start))
        benchmark.measurement(large, Int(end - middle))
      }
    },
    setup: {
      contextFixtures["small"] = try ContextFixture(sections: 30, inputs: 200, revisions: 100, exchanges: 1_000)
      contextFixtures["large"] = try ContextFixture(sections: 30, inputs: 200, revisions: 1_000, exchanges: 10_000)
    },
    teardown: { contextFixtures = [:] }
  )
}

/// Issue target: recording the 10,000th exchange costs at most 1.2x recording the 10th,
/// measured interleaved, one record of each per round (as the revise benchmark does).
func exchangeBenchmarks() {
  let early = BenchmarkMetric.custom("record near exchange 10 (ns)")
  let late = BenchmarkMetric.custom("record near exchange 10,000 (ns)")
  Benchmark(
    "exchange record: exchange 10,000 against exchange 10, interleaved",
    configuration: .init(metrics: [early, late], maxIterations: 400),
    closure: { benchmark in
      let first = fixtures["exchanges-9"]!
      let later = fixtures["exchanges-9999"]!
      for _ in benchmark.scaledIterations {
        let start = DispatchTime.now().uptimeNanoseconds
        try first.recordExchange()
        let middle = DispatchTime.now().uptimeNanoseconds
        try later.recordExchange()
        let end = DispatchTime.now().uptimeNanoseconds
        benchmark.measurement(early, Int(middle - start))
        benchmark.measurement(late, Int(end - middle))
      }
    },
    setup: {
      for count in [9, 9_999] {
        let fixture = try Fixture(sections: 1, revisions: 0)
        for _ in 0..<count { try fixture.recordExchange() }
        fixtures["exchanges-\(count)"] = fixture
      }
    },
    teardown: {
      fixtures["exchanges-9"] = nil
      fixtures["exchanges-9999"] = nil
    }
  )
}

extension Fixture {
  /// Records one exchange in the fixture's session.
  func recordExchange() throws {
    _ = try project.recordExchange(
      ExchangeInput(tool: "draft_section", prompt: "prompt", response: "{\"ok\": true}", statusCode: 200),
      session: session, by: user)
  }
}
