import Foundation
import Git
import Testing

/// Creating a reference (or a tag) is create-only even when several writers race for one name:
/// exactly one wins, the others are told, and nothing is overwritten. libgit2's plain create
/// checks for the name before it takes the reference's lock, so two creates can both succeed.
@Suite("create-only references under races")
struct CreateRaceTests {
  /// Runs `body(i)` for i in 0..<count on threads of their own, started together.
  static func race(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    for index in 0..<count {
      group.enter()
      Thread {
        start.wait()
        body(index)
        group.leave()
      }.start()
    }
    for _ in 0..<count { start.signal() }
    group.wait()
  }

  final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var wins: [Int: ObjectID] = [:]
    private var losses = 0
    private var errors: [String] = []
    func won(_ writer: Int, _ id: ObjectID) { lock.withLock { wins[writer] = id } }
    func lost() { lock.withLock { losses += 1 } }
    func failed(_ text: String) { lock.withLock { errors.append(text) } }
    var result: (wins: [Int: ObjectID], losses: Int, errors: [String]) { lock.withLock { (wins, losses, errors) } }
  }

  @Test("200 rounds of 4 writers creating one reference: exactly one wins each round, and it stays")
  func referenceCreate() throws {
    let fixture = try Fixture()
    let path = fixture.path
    var targets: [ObjectID] = []
    for i in 0..<4 { targets.append(try fixture.commit(["f": "\(i)"])) }
    let commits = targets
    for round in 0..<200 {
      let name = "refs/casebook/locks/race-\(round)"
      let outcomes = Outcomes()
      Self.race(4) { writer in
        do {
          // A repository handle of its own per writer, as separate processes have.
          let repository = try Repository.open(at: path)
          try repository.updateReference(name, to: commits[writer], expected: nil, message: "take")
          outcomes.won(writer, commits[writer])
        } catch let error as GitError where error.isConflict {  // exists, or locked by the winner
          outcomes.lost()
        } catch {
          outcomes.failed("\(error)")
        }
      }
      let (wins, losses, errors) = outcomes.result
      #expect(errors.isEmpty, "round \(round): \(errors)")
      #expect(wins.count == 1 && losses == 3, "round \(round): \(wins.count) writers were told they created \(name)")
      if let (_, id) = wins.first {
        #expect(
          try fixture.repository.referenceTarget(name) == id, "round \(round): the winner's value was overwritten")
      }
    }
  }

  @Test("100 rounds of 4 taggers of one name: exactly one tag is acknowledged, and it is the one that exists")
  func tagCreate() throws {
    let fixture = try Fixture()
    let path = fixture.path
    let target = try fixture.commit(["f": "x"])
    for round in 0..<100 {
      let name = "approved/race/v\(round)"
      let outcomes = Outcomes()
      Self.race(4) { writer in
        do {
          let repository = try Repository.open(at: path)
          let tagger = Signature(name: "r\(writer)", email: "r\(writer)@example.com", time: Date())
          let tag = try repository.createAnnotatedTag(
            name: name, target: target, tagger: tagger, message: "writer \(writer)\n")
          outcomes.won(writer, tag)
        } catch let error as GitError where error.isConflict {  // exists, or locked by the winner
          outcomes.lost()
        } catch {
          outcomes.failed("\(error)")
        }
      }
      let (wins, losses, errors) = outcomes.result
      #expect(errors.isEmpty, "round \(round): \(errors)")
      #expect(wins.count == 1 && losses == 3, "round \(round): \(wins.count) taggers were told they made \(name)")
      if let (writer, id) = wins.first {
        let tag = try #require(try fixture.repository.annotatedTag(named: name))
        #expect(
          tag.id == id && tag.message == "writer \(writer)\n", "round \(round): the acknowledged tag was overwritten")
      }
    }
    try fixture.expectFsckClean()
  }
}
