import Benchmark
import Casebook
import Foundation

/// Issue target: looking a request id up stays fast at 10,000 writes. Recording an exchange with
/// a new request id near write 10 and near write 10,000, interleaved; and a retry (the lookup
/// and the first result, nothing written) of the newest request and of the oldest of 10,000.
func requestBenchmarks() {
  let early = BenchmarkMetric.custom("record with a request id near write 10 (ns)")
  let late = BenchmarkMetric.custom("record with a request id near write 10,000 (ns)")
  Benchmark(
    "exchange record --request-id: write 10,000 against write 10, interleaved",
    configuration: .init(metrics: [early, late], maxIterations: 400),
    closure: { benchmark in
      let first = fixtures["requests-9"]!
      let later = fixtures["requests-9999"]!
      for _ in benchmark.scaledIterations {
        let start = DispatchTime.now().uptimeNanoseconds
        try first.recordExchange(request: nil)
        let middle = DispatchTime.now().uptimeNanoseconds
        try later.recordExchange(request: nil)
        let end = DispatchTime.now().uptimeNanoseconds
        benchmark.measurement(early, Int(middle - start))
        benchmark.measurement(late, Int(end - middle))
      }
    },
    setup: requestSetup,
    teardown: requestTeardown
  )

  let newest = BenchmarkMetric.custom("retry of the newest request (ns)")
  let oldest = BenchmarkMetric.custom("retry of the oldest of 10,000 requests (ns)")
  Benchmark(
    "exchange record --request-id: a retry, newest and oldest of 10,000",
    configuration: .init(metrics: [newest, oldest], maxIterations: 200),
    closure: { benchmark in
      let fixture = fixtures["requests-9999"]!
      for _ in benchmark.scaledIterations {
        let start = DispatchTime.now().uptimeNanoseconds
        try fixture.recordExchange(request: "key-\(fixture.requests)")
        let middle = DispatchTime.now().uptimeNanoseconds
        try fixture.recordExchange(request: "key-1")
        let end = DispatchTime.now().uptimeNanoseconds
        benchmark.measurement(newest, Int(middle - start))
        benchmark.measurement(oldest, Int(end - middle))
      }
    },
    setup: requestSetup,
    teardown: requestTeardown
  )
}

private func requestSetup() throws {
  for count in [9, 9_999] {
    let fixture = try Fixture(sections: 1, revisions: 0)
    for _ in 0..<count { try fixture.recordExchange(request: nil) }
    fixtures["requests-\(count)"] = fixture
  }
}

private func requestTeardown() {
  fixtures["requests-9"] = nil
  fixtures["requests-9999"] = nil
}

extension Fixture {
  /// Records one exchange with a request id: a new one (`key-<n>`) when `request` is nil.
  func recordExchange(request: String?) throws {
    let key: String
    if let request {
      key = request
    } else {
      requests += 1
      key = "key-\(requests)"
    }
    _ = try project.recordExchange(
      ExchangeInput(tool: "draft_section", prompt: "prompt", response: "{\"ok\": true}", statusCode: 200),
      session: session, request: RequestID(key), by: user)
    _ = project.takeWarnings()
  }
}
