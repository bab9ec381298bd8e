import Foundation
import Git
import TestSupport
import Testing

@Suite("References: compare-and-swap, listing, resolve")
struct ReferenceTests {
  @Test("updateReference creates, conflicts on existing, updates with the right expected value")
  func compareAndSwap() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1"])
    let two = try fixture.commit(["a": "2"], parents: [one])
    let three = try fixture.commit(["a": "3"], parents: [two])
    let ref = "refs/heads/sessions/s1"

    #expect(try repo.referenceTarget(ref) == nil)
    try repo.updateReference(ref, to: one, expected: nil, message: "create")
    #expect(try repo.referenceTarget(ref) == one)

    let exists = try #require(throws: GitError.self) {
      try repo.updateReference(ref, to: two, expected: nil, message: "create again")
    }
    #expect(exists.isConflict)
    #expect(exists.isExists)
    #expect(try repo.referenceTarget(ref) == one)

    try repo.updateReference(ref, to: two, expected: one, message: "advance")
    #expect(try repo.referenceTarget(ref) == two)

    let stale = try #require(throws: GitError.self) {
      try repo.updateReference(ref, to: three, expected: one, message: "stale")
    }
    #expect(stale.isConflict)
    #expect(!stale.isExists)
    #expect(try repo.referenceTarget(ref) == two)
    #expect(try fixture.git("rev-parse", ref) == two.hex + "\n")

    let gone = try #require(throws: GitError.self) {
      try repo.updateReference(
        "refs/heads/sessions/none", to: three, expected: one, message: "absent")
    }
    #expect(gone.isConflict)
    #expect(try repo.referenceTarget("refs/heads/sessions/none") == nil)
  }

  @Test("deleteReference is compare-and-swap too")
  func deleteCAS() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1"])
    let two = try fixture.commit(["a": "2"], parents: [one])
    try repo.updateReference("refs/heads/x", to: two, expected: nil, message: "m")
    let wrong = try #require(throws: GitError.self) {
      try repo.deleteReference("refs/heads/x", expected: one)
    }
    #expect(wrong.isConflict)
    #expect(try repo.referenceTarget("refs/heads/x") == two)
    try repo.deleteReference("refs/heads/x", expected: two)
    #expect(try repo.referenceTarget("refs/heads/x") == nil)
    let absent = try #require(throws: GitError.self) {
      try repo.deleteReference("refs/heads/x", expected: two)
    }
    #expect(absent.isNotFound)
  }

  @Test("a reference moved by the git CLI makes a stale update conflict")
  func movedOutside() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1"])
    let two = try fixture.commit(["a": "2"], parents: [one])
    try repo.updateReference("refs/heads/main", to: one, expected: nil, message: "m")
    try fixture.git("update-ref", "refs/heads/main", two.hex)
    let error = try #require(throws: GitError.self) {
      try repo.updateReference("refs/heads/main", to: one, expected: one, message: "m")
    }
    #expect(error.isConflict)
    #expect(try repo.referenceTarget("HEAD") == two)
  }

  @Test("references(glob:) lists matching refs sorted by name with raw targets")
  func glob() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1"])
    let two = try fixture.commit(["a": "2"], parents: [one])
    try repo.updateReference("refs/heads/sessions/b", to: two, expected: nil, message: "m")
    try repo.updateReference("refs/heads/sessions/a", to: one, expected: nil, message: "m")
    try repo.updateReference("refs/heads/main", to: one, expected: nil, message: "m")
    let tag = try repo.createAnnotatedTag(
      name: "v1", target: one, tagger: fixture.signature(), message: "v1\n")
    let sessions = try repo.references(glob: "refs/heads/sessions/*")
    #expect(sessions.map(\.name) == ["refs/heads/sessions/a", "refs/heads/sessions/b"])
    #expect(sessions.map(\.target) == [one, two])
    let tags = try repo.references(glob: "refs/tags/*")
    #expect(tags.map(\.target) == [tag])
    #expect(try repo.references(glob: "refs/nothing/*").isEmpty)
  }

  @Test("resolve handles branches, ids, ancestry and tags; unknown revisions are not found")
  func resolve() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1"], branch: "refs/heads/main")
    let two = try fixture.commit(["a": "2"], parents: [one], branch: "refs/heads/main")
    _ = try repo.createAnnotatedTag(
      name: "release/v1", target: one, tagger: fixture.signature(), message: "one\n")
    try fixture.git("tag", "light", two.hex)
    #expect(try repo.resolve("main") == two)
    #expect(try repo.resolve("refs/heads/main") == two)
    #expect(try repo.resolve("HEAD") == two)
    #expect(try repo.resolve("main~1") == one)
    #expect(try repo.resolve(two.hex) == two)
    #expect(try repo.resolve(String(two.hex.prefix(10))) == two)
    #expect(try repo.resolve("release/v1") == one)
    #expect(try repo.resolve("light") == two)
    for unknown in ["nope", "refs/heads/nope", "main~5"] {
      let error = try #require(throws: GitError.self) { try repo.resolve(unknown) }
      #expect(error.isNotFound, "\(unknown): \(error)")
    }
  }

  @Test("headBranch is nil when HEAD is detached")
  func detached() throws {
    let fixture = try Fixture()
    let one = try fixture.commit(["a": "1"], branch: "refs/heads/main")
    try fixture.git("update-ref", "--no-deref", "HEAD", one.hex)
    #expect(try fixture.repository.headBranch() == nil)
    #expect(try fixture.repository.referenceTarget("HEAD") == one)
  }
}
