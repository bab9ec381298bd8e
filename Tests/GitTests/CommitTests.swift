import Foundation
import Git
import TestSupport
import Testing

@Suite("Commits")
struct CommitTests {
  @Test("commits with 0, 1 and 2 parents read back, and git sees them")
  func parents() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let root = try fixture.commit(["a": "1\n"], message: "root\n")
    let left = try fixture.commit(["a": "2\n"], parents: [root], message: "left\n")
    let right = try fixture.commit(["b": "3\n"], parents: [root], message: "right\n")
    let merge = try fixture.commit(
      ["b": "3\n"], parents: [left, right], message: "merge\n", branch: "refs/heads/main")
    #expect(try repo.commit(root).parents == [])
    #expect(try repo.commit(left).parents == [root])
    #expect(try repo.commit(merge).parents == [left, right])
    #expect(try repo.commit(merge).tree == repo.treeID(ofCommit: merge))
    let log = try fixture.git("log", "--format=%H %s", "main")
    #expect(log.split(separator: "\n").count == 4)
    #expect(log.hasPrefix("\(merge.hex) merge"))
    try fixture.expectFsckClean()
  }

  @Test("signatures, message, summary and trailers read back; git cat-file shows them")
  func trailers() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let author = Signature(
      name: "Grace Hopper", email: "grace@example.com",
      time: Date(timeIntervalSince1970: 1_700_000_000.75),
      timeZoneOffsetMinutes: -300)
    let committer = Signature(
      name: "Casebook", email: "bot@example.com", time: Date(timeIntervalSince1970: 1_700_000_100))
    let message =
      "Revise intro\n\nLonger body text.\n\nCasebook-Session: s-42\nCasebook-Section: sections/intro.yaml\n"
    let tree = try repo.buildTree(base: nil, changes: ["x": .blob(fixture.blob("x"))])
    let id = try repo.createCommit(
      tree: tree, parents: [], author: author, committer: committer, message: message)
    let commit = try repo.commit(id)
    #expect(commit.id == id)
    #expect(commit.author == author)
    #expect(commit.author.time == Date(timeIntervalSince1970: 1_700_000_000))
    #expect(commit.committer == committer)
    #expect(commit.message == message)
    #expect(commit.summary == "Revise intro")
    #expect(
      commit.trailers == [
        Trailer(key: "Casebook-Session", value: "s-42"),
        Trailer(key: "Casebook-Section", value: "sections/intro.yaml"),
      ])
    let shown = try fixture.git("cat-file", "-p", id.hex)
    #expect(shown.contains("author Grace Hopper <grace@example.com> 1700000000 -0500"))
    #expect(shown.contains("Casebook-Session: s-42\nCasebook-Section: sections/intro.yaml"))
    try fixture.expectFsckClean()
  }

  @Test(
    "time zones are written as git writes them (+hhmm, -hhmm), and read back",
    arguments: [0, 1, 5, 30, 59, 60, 330, 345, 600, 840, -1, -30, -60, -210, -300, -720])
  func timeZones(offset: Int) throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let who = Signature(
      name: "Zone", email: "zone@example.com", time: Date(timeIntervalSince1970: 1_700_000_000),
      timeZoneOffsetMinutes: offset)
    let tree = try repo.buildTree(base: nil, changes: ["x": .blob(fixture.blob("x"))])
    let id = try repo.createCommit(tree: tree, parents: [], author: who, committer: who, message: "zone\n")
    #expect(try repo.commit(id).author == who)
    let zone = (offset < 0 ? "-" : "+") + String(format: "%02d%02d", abs(offset) / 60, abs(offset) % 60)
    #expect(try fixture.git("log", "-1", "--format=%ad", "--date=raw", id.hex) == "1700000000 \(zone)\n")
    try fixture.expectFsckClean()
  }

  @Test("a message without trailers has none")
  func noTrailers() throws {
    let fixture = try Fixture()
    let id = try fixture.commit(["x": "x"], message: "Just a subject\n")
    #expect(try fixture.repository.commit(id).trailers.isEmpty)
  }

  @Test("createCommit rejects unknown tree and parent ids")
  func unknownObjects() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let ghost = try #require(ObjectID(hex: "3333333333333333333333333333333333333333"))
    let sig = fixture.signature()
    let tree = try repo.buildTree(base: nil, changes: [:])
    let e1 = try #require(throws: GitError.self) {
      try repo.createCommit(tree: ghost, parents: [], author: sig, committer: sig, message: "m")
    }
    #expect(e1.isNotFound)
    let e2 = try #require(throws: GitError.self) {
      try repo.createCommit(tree: tree, parents: [ghost], author: sig, committer: sig, message: "m")
    }
    #expect(e2.isNotFound)
  }

  @Test("an invalid signature is rejected by libgit2")
  func badSignature() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let bad = Signature(name: "", email: "x@example.com")
    let tree = try repo.buildTree(base: nil, changes: [:])
    #expect(throws: GitError.self) {
      try repo.createCommit(tree: tree, parents: [], author: bad, committer: bad, message: "m")
    }
  }
}
