import CGit2
import Foundation
import Git
import TestSupport
import Testing

/// Loose references read and moved directly (Repository+LooseReference.swift), and the cases
/// left to libgit2: checked with the git CLI.
@Suite("Loose reference compare-and-swap")
struct LooseReferenceTests {
  static let session = "refs/heads/sessions/s1"

  static func read(_ fixture: Fixture, _ name: String) throws -> String {
    try String(contentsOfFile: fixture.path + "/" + name, encoding: .utf8)
  }

  static func exists(_ fixture: Fixture, _ name: String) -> Bool {
    FileManager.default.fileExists(atPath: fixture.path + "/" + name)
  }

  @Test("an update rewrites the loose file as git writes it and leaves no lock file")
  func update() throws {
    let fixture = try Fixture(bare: true)
    let one = try fixture.commit(["a": "1\n"], branch: Self.session)
    let two = try fixture.commit(["a": "2\n"], parents: [one])
    try fixture.repository.updateReference(Self.session, to: two, expected: one, message: "m")
    #expect(try Self.read(fixture, Self.session) == two.hex + "\n")
    #expect(try fixture.git("rev-parse", Self.session) == two.hex + "\n")
    #expect(!Self.exists(fixture, Self.session + ".lock"))
    #expect(!Self.exists(fixture, "logs/" + Self.session), "a bare repository keeps no reflog")
    try fixture.expectFsckClean()
  }

  @Test("a stale expected value is a conflict that changes nothing")
  func stale() throws {
    let fixture = try Fixture(bare: true)
    let one = try fixture.commit(["a": "1\n"], branch: Self.session)
    let two = try fixture.commit(["a": "2\n"], parents: [one])
    let three = try fixture.commit(["a": "3\n"], parents: [one])
    try fixture.git("update-ref", Self.session, two.hex)
    let error = try #require(throws: GitError.self) {
      try fixture.repository.updateReference(Self.session, to: three, expected: one, message: "m")
    }
    #expect(error.isConflict)
    #expect(error.code == .modified)
    #expect(try Self.read(fixture, Self.session) == two.hex + "\n")
    #expect(!Self.exists(fixture, Self.session + ".lock"))
  }

  @Test("another writer's lock file is a conflict, and is left as it was")
  func locked() throws {
    let fixture = try Fixture(bare: true)
    let one = try fixture.commit(["a": "1\n"], branch: Self.session)
    let two = try fixture.commit(["a": "2\n"], parents: [one])
    let lock = fixture.path + "/" + Self.session + ".lock"
    try Data("someone else's\n".utf8).write(to: URL(fileURLWithPath: lock))
    let error = try #require(throws: GitError.self) {
      try fixture.repository.updateReference(Self.session, to: two, expected: one, message: "m")
    }
    #expect(error.isConflict)
    #expect(error.code == .locked)
    #expect(error.message.contains("locked by another writer"), "\(error)")
    #expect(try String(contentsOfFile: lock, encoding: .utf8) == "someone else's\n")
    #expect(try Self.read(fixture, Self.session) == one.hex + "\n")
    try FileManager.default.removeItem(atPath: lock)
    try fixture.repository.updateReference(Self.session, to: two, expected: one, message: "m")
    #expect(try fixture.git("rev-parse", Self.session) == two.hex + "\n")
  }

  @Test("a reference only in packed-refs is updated through libgit2")
  func packed() throws {
    let fixture = try Fixture(bare: true)
    let one = try fixture.commit(["a": "1\n"], branch: Self.session)
    let two = try fixture.commit(["a": "2\n"], parents: [one])
    try fixture.git("pack-refs", "--all")
    #expect(!Self.exists(fixture, Self.session))
    try fixture.repository.updateReference(Self.session, to: two, expected: one, message: "m")
    #expect(try fixture.git("rev-parse", Self.session) == two.hex + "\n")
    let stale = try #require(throws: GitError.self) {
      try fixture.repository.updateReference(Self.session, to: one, expected: one, message: "m")
    }
    #expect(stale.isConflict)
    try fixture.expectFsckClean()
  }

  @Test("loose, packed, symbolic and absent references read as git reads them; a damaged one is an error")
  func reads() throws {
    let fixture = try Fixture(bare: true)
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1\n"], branch: "refs/heads/main")
    let two = try fixture.commit(["a": "2\n"], parents: [one])
    try fixture.git("update-ref", "refs/heads/packed", one.hex)
    try fixture.git("pack-refs", "--all")
    try fixture.git("update-ref", "refs/heads/loose", two.hex)
    try fixture.git("symbolic-ref", "refs/heads/alias", "refs/heads/loose")
    #expect(try repo.referenceTarget("refs/heads/loose") == two)
    #expect(try repo.referenceTarget("refs/heads/packed") == one)
    #expect(try repo.referenceTarget("refs/heads/main") == one)
    #expect(try repo.referenceTarget("HEAD") == one)
    #expect(try repo.referenceTarget("refs/heads/alias") == two)
    #expect(try repo.referenceTarget("refs/heads/absent") == nil)
    // A loose file shadows its packed entry, as in git.
    try fixture.git("update-ref", "refs/heads/packed", two.hex)
    #expect(try repo.referenceTarget("refs/heads/packed") == two)
    try Data("not a reference\n".utf8).write(to: URL(fileURLWithPath: fixture.path + "/refs/heads/damaged"))
    #expect(throws: GitError.self) { try repo.referenceTarget("refs/heads/damaged") }
  }

  @Test("where reflogs are kept, updates are logged (libgit2's path)", arguments: [false, true])
  func reflogs(bare: Bool) throws {
    let fixture = try Fixture(bare: bare)
    // Before the handle's first update, which is when it reads the setting.
    if bare { try fixture.git("config", "core.logAllRefUpdates", "always") }
    let one = try fixture.commit(["a": "1\n"], branch: Self.session)
    let two = try fixture.commit(["a": "2\n"], parents: [one])
    try fixture.repository.updateReference(Self.session, to: two, expected: one, message: "revise s1")
    let log = try fixture.git("reflog", "show", "--format=%H %gs", Self.session)
    #expect(log.hasPrefix("\(two.hex) revise s1\n"), "\(log)")
  }

  @Test("four threads moving one reference by compare-and-swap: every update lands once")
  func concurrent() async throws {
    let fixture = try Fixture(bare: true)
    let root = try fixture.commit(["n": "0\n"], branch: Self.session)
    let path = fixture.path
    let threads = 4
    let each = 40
    try await withThrowingTaskGroup(of: Void.self) { group in
      for thread in 0..<threads {
        group.addTask {
          // One handle per thread, as libgit2 requires.
          let repo = try Repository.open(at: path)
          for step in 0..<each {
            var attempts = 0
            while true {
              attempts += 1
              guard attempts <= 1_000 else { throw GitError(.generic, message: "starved", function: "test") }
              let parent = try #require(try repo.referenceTarget(Self.session))
              let tree = try repo.buildTree(
                base: repo.treeID(ofCommit: parent),
                changes: ["t\(thread)": .blob(repo.createBlob(Data("\(step)\n".utf8)))])
              let who = Signature(name: "t\(thread)", email: "t@example.com", time: Date())
              let commit = try repo.createCommit(
                tree: tree, parents: [parent], author: who, committer: who, message: "t\(thread) \(step)\n")
              do {
                try repo.updateReference(Self.session, to: commit, expected: parent, message: "m")
                break
              } catch let error as GitError where error.isConflict {
                continue  // another thread moved it first: read again and retry
              }
            }
          }
        }
      }
      try await group.waitForAll()
    }
    let count = try fixture.git("rev-list", "--count", Self.session)
    #expect(count == "\(threads * each + 1)\n")
    #expect(try fixture.git("rev-list", "--max-parents=0", Self.session) == root.hex + "\n")
    #expect(!Self.exists(fixture, Self.session + ".lock"))
    try fixture.expectFsckClean()
  }
}
