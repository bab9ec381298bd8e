import Foundation
import Git
import TestSupport
import Testing

@Suite("Merging")
struct MergeTests {
  @Test("mergeBase finds the fork point, nil for unrelated histories")
  func mergeBase() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let root = try fixture.commit(["a": "1"])
    let left = try fixture.commit(["a": "2"], parents: [root])
    let right = try fixture.commit(["b": "3"], parents: [root])
    let other = try fixture.commit(["z": "unrelated"])
    #expect(try repo.mergeBase(left, right) == root)
    #expect(try repo.mergeBase(left, root) == root)
    #expect(try repo.mergeBase(left, other) == nil)
  }

  /// base: a, b, c, d; ours and theirs change them in various ways.
  private func threeTrees(_ fixture: Fixture, ours: [String: String?], theirs: [String: String?])
    throws
    -> (base: ObjectID, ours: ObjectID, theirs: ObjectID)
  {
    let base = try fixture.commit(
      [
        "a.yaml": "a1\na2\na3\na4\na5\na6\na7\na8\n", "b.yaml": "b\n", "c.yaml": "c\n",
        "dir/d.yaml": "d\n",
      ])
    let ourCommit = try fixture.commit(ours, parents: [base])
    let theirCommit = try fixture.commit(theirs, parents: [base])
    let repo = fixture.repository
    return (
      try repo.treeID(ofCommit: base), try repo.treeID(ofCommit: ourCommit),
      try repo.treeID(ofCommit: theirCommit)
    )
  }

  @Test("one-side changes and identical changes merge cleanly")
  func clean() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let trees = try threeTrees(
      fixture, ours: ["b.yaml": "b ours\n", "new-ours.yaml": "n\n", "same.yaml": "s\n"],
      theirs: ["c.yaml": nil, "dir/d.yaml": "d theirs\n", "same.yaml": "s\n"])
    let merge = try repo.mergeTrees(ancestor: trees.base, ours: trees.ours, theirs: trees.theirs)
    #expect(merge.conflicts.isEmpty)
    let tree = try merge.writeTree(resolutions: [:])
    let paths = try repo.changedPaths(from: trees.base, to: tree).map(\.path)
    #expect(paths == ["b.yaml", "c.yaml", "dir/d.yaml", "new-ours.yaml", "same.yaml"])
    #expect(try repo.entry(at: "c.yaml", inTree: tree) == nil)
    #expect(try repo.entry(at: "dir/d.yaml", inTree: tree)?.id == fixture.blob("d theirs\n"))
    #expect(try repo.entry(at: "b.yaml", inTree: tree)?.id == fixture.blob("b ours\n"))
    try fixture.expectFsckClean()
  }

  @Test("both sides modifying one file differently conflict even when lines don't overlap")
  func modifyModify() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let trees = try threeTrees(
      fixture, ours: ["a.yaml": "a1 ours\na2\na3\na4\na5\na6\na7\na8\n"],
      theirs: ["a.yaml": "a1\na2\na3\na4\na5\na6\na7\na8 theirs\n"])
    let merge = try repo.mergeTrees(ancestor: trees.base, ours: trees.ours, theirs: trees.theirs)
    let conflict = try #require(merge.conflicts.first)
    #expect(merge.conflicts.count == 1)
    #expect(conflict.path == "a.yaml")
    #expect(conflict.ancestor == (try repo.entry(at: "a.yaml", inTree: trees.base)?.id))
    #expect(conflict.ours == (try repo.entry(at: "a.yaml", inTree: trees.ours)?.id))
    #expect(conflict.theirs == (try repo.entry(at: "a.yaml", inTree: trees.theirs)?.id))

    let missing = try #require(throws: GitError.self) { try merge.writeTree(resolutions: [:]) }
    #expect(missing.function == "writeTree")

    let resolved = try fixture.blob("a1 ours\na2\na3\na4\na5\na6\na7\na8 theirs\n")
    let tree = try merge.writeTree(resolutions: ["a.yaml": .blob(resolved)])
    #expect(try repo.entry(at: "a.yaml", inTree: tree)?.id == resolved)
    #expect(try repo.entries(ofTree: tree).map(\.name) == ["a.yaml", "b.yaml", "c.yaml", "dir"])
    #expect(
      try repo.entry(at: "dir/d.yaml", inTree: tree)
        == repo.entry(at: "dir/d.yaml", inTree: trees.base))
    try fixture.expectFsckClean()
  }

  @Test("modify/delete conflicts; resolving with .remove drops the path")
  func modifyDelete() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let trees = try threeTrees(
      fixture, ours: ["dir/d.yaml": "d changed\n"], theirs: ["dir/d.yaml": nil])
    let merge = try repo.mergeTrees(ancestor: trees.base, ours: trees.ours, theirs: trees.theirs)
    #expect(
      merge.conflicts == [
        TreeConflict(
          path: "dir/d.yaml", ancestor: try fixture.blob("d\n"),
          ours: try fixture.blob("d changed\n"), theirs: nil)
      ])
    let tree = try merge.writeTree(resolutions: ["dir/d.yaml": .remove])
    #expect(try repo.entry(at: "dir", inTree: tree) == nil)
    #expect(try repo.entries(ofTree: tree).map(\.name) == ["a.yaml", "b.yaml", "c.yaml"])
    try fixture.expectFsckClean()
  }

  @Test("add/add with different content conflicts with no ancestor; nil ancestor tree works")
  func addAdd() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let ours = try repo.buildTree(base: nil, changes: ["n.yaml": .blob(fixture.blob("ours\n"))])
    let theirs = try repo.buildTree(
      base: nil,
      changes: ["n.yaml": .blob(fixture.blob("theirs\n")), "t": .blob(fixture.blob("t"))])
    let merge = try repo.mergeTrees(ancestor: nil, ours: ours, theirs: theirs)
    #expect(
      merge.conflicts == [
        TreeConflict(
          path: "n.yaml", ancestor: nil, ours: try fixture.blob("ours\n"),
          theirs: try fixture.blob("theirs\n"))
      ])
    let tree = try merge.writeTree(resolutions: ["n.yaml": .executable(fixture.blob("both\n"))])
    #expect(try repo.entry(at: "n.yaml", inTree: tree)?.kind == .executable)
    #expect(try repo.entry(at: "t", inTree: tree) != nil)
  }

  @Test("mergeFile merges non-overlapping edits cleanly")
  func mergeFileClean() throws {
    let base = Data("one\ntwo\nthree\nfour\nfive\nsix\n".utf8)
    let ours = Data("ONE\ntwo\nthree\nfour\nfive\nsix\n".utf8)
    let theirs = Data("one\ntwo\nthree\nfour\nfive\nSIX\n".utf8)
    let result = try Repository.mergeFile(
      base: base, ours: ours, theirs: theirs, labels: ("base", "ours", "theirs"))
    #expect(result.automergeable)
    #expect(String(decoding: result.content, as: UTF8.self) == "ONE\ntwo\nthree\nfour\nfive\nSIX\n")
  }

  @Test("mergeFile conflicts leave labelled markers")
  func mergeFileConflict() throws {
    let fixture = try Fixture()
    let result = try fixture.repository.mergeFile(
      base: Data("title: old\n".utf8), ours: Data("title: mine\n".utf8),
      theirs: Data("title: yours\n".utf8),
      labels: ("base", "session-a", "session-b"))
    #expect(!result.automergeable)
    let text = String(decoding: result.content, as: UTF8.self)
    #expect(
      text.contains("<<<<<<< session-a\ntitle: mine\n=======\ntitle: yours\n>>>>>>> session-b\n"))
    let added = try Repository.mergeFile(
      base: nil, ours: Data("x\n".utf8), theirs: Data("y\n".utf8), labels: ("base", "o", "t"))
    #expect(!added.automergeable)
  }
}
