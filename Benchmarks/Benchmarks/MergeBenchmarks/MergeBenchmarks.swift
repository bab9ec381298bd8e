import Benchmark
import Casebook
import YAML

/// Three versions of a profile with `count` stakeholders and `risks` key risks: ours changes 100
/// roles and appends 50 stakeholders and 50 risks; theirs changes 100 other roles, inserts 50
/// stakeholders in the middle and rewords 20 risks. The merge is clean.
struct ProfileVersions {
  let base: String
  let ours: String
  let theirs: String

  init(count: Int, risks riskCount: Int) {
    func stakeholder(_ i: Int, role: String = "Consultee") -> Node {
      ["name": .string("Stakeholder \(i)"), "role": .string(role), "organisation": .string("Directorate \(i % 40)")]
    }
    func profile(_ stakeholders: [Node], _ risks: [String]) -> String {
      YAML.emit([
        "project_id": "abc123", "project_title": "Building Accessibility Upgrade", "gate_stage": "Gate 1",
        "stakeholders": .sequence(stakeholders), "key_risks": .sequence(risks.map(Node.string)),
      ])
    }
    let stakeholders = (0..<count).map { stakeholder($0) }
    let risks = (0..<riskCount).map { "Risk \($0): a delivery risk described in one line" }
    base = profile(stakeholders, risks)

    var ourPeople = stakeholders
    for i in stride(from: 0, to: count, by: count / 100) { ourPeople[i] = stakeholder(i, role: "Approver") }
    ourPeople += (0..<50).map { stakeholder(count + $0) }
    ours = profile(ourPeople, risks + (0..<50).map { "New risk from ours \($0)" })

    var theirPeople = stakeholders
    for i in stride(from: count / 200, to: count, by: count / 100) { theirPeople[i] = stakeholder(i, role: "Reviewer") }
    theirPeople.insert(contentsOf: (0..<50).map { stakeholder(2 * count + $0) }, at: count / 2)
    var theirRisks = risks
    for i in stride(from: 7, to: riskCount, by: max(1, riskCount / 20)) { theirRisks[i] += " (reworded)" }
    theirs = profile(theirPeople, theirRisks)
  }
}

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], warmupIterations: 3,
    maxDuration: .seconds(5), maxIterations: 200)

  let versions = ProfileVersions(count: 10_000, risks: 0)
  let options = MergeSettings.defaults.options(forFile: "project_profile.yaml")
  func parsed(_ versions: ProfileVersions) -> (Node, Node, Node) {
    (try! YAML.parse(versions.base), try! YAML.parse(versions.ours), try! YAML.parse(versions.theirs))
  }
  func mergeAll(_ versions: ProfileVersions) -> String {
    let (base, ours, theirs) = parsed(versions)
    let result = YAMLMerge.merge(base: base, ours: ours, theirs: theirs, options: options)
    precondition(result.isClean)
    return YAML.emit(result.merged)
  }

  // Issue target: merging two versions of a 10,000-entry profile in under 100 ms. Measured whole
  // (parse the three versions, merge, emit) and in parts, since libyaml's parse dominates the whole.
  Benchmark("merge 10,000 stakeholders: parse + merge + emit") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(mergeAll(versions)) }
  }

  Benchmark("merge 10,000 stakeholders: parse three versions") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(parsed(versions)) }
  }

  Benchmark("merge 10,000 stakeholders: merge only") { benchmark, input in
    for _ in benchmark.scaledIterations {
      blackHole(YAMLMerge.merge(base: input.0, ours: input.1, theirs: input.2, options: options))
    }
  } setup: {
    parsed(versions)
  }

  Benchmark("merge 10,000 stakeholders: emit only") { benchmark, merged in
    for _ in benchmark.scaledIterations { blackHole(YAML.emit(merged)) }
  } setup: {
    try! YAML.parse(mergeAll(versions))
  }

  // Twice the size: 10,000 stakeholders and 10,000 key risks (a scalar ordered set).
  let larger = ProfileVersions(count: 10_000, risks: 10_000)
  Benchmark("merge 10,000 stakeholders + 10,000 risks: parse + merge + emit") { benchmark in
    for _ in benchmark.scaledIterations { blackHole(mergeAll(larger)) }
  }
}
