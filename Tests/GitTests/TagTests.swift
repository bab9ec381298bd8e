import Foundation
import Git
import TestSupport
import Testing

@Suite("Annotated tags")
struct TagTests {
  @Test("createAnnotatedTag writes a tag git shows, and reads back")
  func createAndRead() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let target = try fixture.commit(["a": "1"], branch: "refs/heads/main")
    let tagger = fixture.signature()
    let id = try repo.createAnnotatedTag(
      name: "approved/rationale/v1", target: target, tagger: tagger, message: "Approved by Ada\n")
    let tag = try #require(try repo.annotatedTag(named: "approved/rationale/v1"))
    #expect(
      tag
        == AnnotatedTag(
          id: id, name: "approved/rationale/v1", target: target, tagger: tagger,
          message: "Approved by Ada\n"))
    #expect(
      try fixture.git("tag", "-n", "-l", "approved/*") == "approved/rationale/v1 Approved by Ada\n")
    #expect(try fixture.git("cat-file", "-t", id.hex) == "tag\n")
    #expect(try repo.annotatedTag(named: "approved/other/v1") == nil)
    try fixture.expectFsckClean()
  }

  @Test("tags are immutable: a second create throws isExists and leaves the first")
  func immutable() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1"])
    let two = try fixture.commit(["a": "2"], parents: [one])
    let first = try repo.createAnnotatedTag(
      name: "approved/x/v1", target: one, tagger: fixture.signature(), message: "m\n")
    let error = try #require(throws: GitError.self) {
      try repo.createAnnotatedTag(
        name: "approved/x/v1", target: two, tagger: fixture.signature(), message: "m\n")
    }
    #expect(error.isExists)
    #expect(error.isConflict)
    #expect(try repo.annotatedTag(named: "approved/x/v1")?.id == first)
    #expect(try repo.annotatedTag(named: "approved/x/v1")?.target == one)
  }

  @Test("annotatedTags(prefix:) lists annotated tags under a prefix, skipping lightweight ones")
  func listing() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.commit(["a": "1"])
    for name in ["approved/b/v1", "approved/a/v2", "approved/a/v1", "draft/a/v1"] {
      _ = try repo.createAnnotatedTag(
        name: name, target: one, tagger: fixture.signature(), message: "\(name)\n")
    }
    try fixture.git("tag", "approved/light", one.hex)
    let approved = try repo.annotatedTags(prefix: "approved/")
    #expect(approved.map(\.name) == ["approved/a/v1", "approved/a/v2", "approved/b/v1"])
    #expect(approved.allSatisfy { $0.target == one })
    #expect(try repo.annotatedTags(prefix: "approved/a/").count == 2)
    #expect(try repo.annotatedTags(prefix: "").count == 4)
    #expect(try repo.annotatedTag(named: "approved/light") == nil)
  }

  @Test("an invalid tag name is rejected")
  func invalidName() throws {
    let fixture = try Fixture()
    let one = try fixture.commit(["a": "1"])
    #expect(throws: GitError.self) {
      try fixture.repository.createAnnotatedTag(
        name: "bad..name", target: one, tagger: fixture.signature(), message: "m")
    }
  }
}
