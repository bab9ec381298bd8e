import Foundation
import Git
import TestSupport
import Testing

@Suite("Trees and buildTree")
struct TreeTests {
  @Test("buildTree adds nested paths, creating intermediate trees")
  func addNested() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let a = try fixture.blob("a\n")
    let b = try fixture.blob("b\n")
    let tool = try fixture.blob("#!/bin/sh\n")
    let tree = try repo.buildTree(
      base: nil,
      changes: [
        "case.yaml": .blob(a), "sections/intro.yaml": .blob(b), "sections/deep/x/y.yaml": .blob(a),
        "bin/run": .executable(tool),
      ])
    #expect(try repo.entries(ofTree: tree).map(\.name) == ["bin", "case.yaml", "sections"])
    #expect(
      try repo.entry(at: "sections/intro.yaml", inTree: tree)
        == TreeEntry(name: "intro.yaml", id: b, kind: .blob))
    #expect(try repo.entry(at: "bin/run", inTree: tree)?.kind == .executable)
    #expect(try repo.entry(at: "sections/deep", inTree: tree)?.kind == .tree)
    #expect(try repo.entry(at: "sections/missing.yaml", inTree: tree) == nil)
    #expect(try repo.entry(at: "nope/missing.yaml", inTree: tree) == nil)
    #expect(try repo.entries(at: "sections", inTree: tree).map(\.name) == ["deep", "intro.yaml"])
    #expect(try repo.entries(at: "", inTree: tree).count == 3)
    #expect(try repo.entries(at: "nope", inTree: tree).isEmpty)
    #expect(try repo.entries(at: "case.yaml", inTree: tree).isEmpty)
    let listing = try fixture.git("ls-tree", "-r", tree.hex)
    #expect(listing.contains("100755 blob \(tool.hex)\tbin/run"))
    #expect(listing.contains("100644 blob \(a.hex)\tsections/deep/x/y.yaml"))
    try fixture.expectFsckClean()
  }

  @Test("entries are sorted as git sorts (a tree 'a' sorts as 'a/')")
  func gitOrder() throws {
    let fixture = try Fixture()
    let x = try fixture.blob("x")
    let tree = try fixture.repository.buildTree(
      base: nil, changes: ["a.b": .blob(x), "a/c": .blob(x), "a-b": .blob(x), "a0": .blob(x)])
    let names = try fixture.repository.entries(ofTree: tree).map(\.name)
    #expect(names == ["a-b", "a.b", "a", "a0"])
    try fixture.expectFsckClean()
  }

  @Test(
    "buildTree replaces and removes; an emptied subtree is removed; an emptied root is the empty tree"
  )
  func replaceAndRemove() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let one = try fixture.blob("1\n")
    let two = try fixture.blob("2\n")
    let base = try repo.buildTree(
      base: nil,
      changes: [
        "keep.yaml": .blob(one), "sections/a.yaml": .blob(one), "sections/sub/b.yaml": .blob(one),
      ])
    let replaced = try repo.buildTree(base: base, changes: ["sections/a.yaml": .blob(two)])
    #expect(try repo.entry(at: "sections/a.yaml", inTree: replaced)?.id == two)
    #expect(try repo.entry(at: "sections/sub/b.yaml", inTree: replaced)?.id == one)
    // Unchanged subtrees keep their ids: only changed paths are rewritten.
    #expect(
      try repo.entry(at: "sections/sub", inTree: replaced)
        == repo.entry(at: "sections/sub", inTree: base))

    let removed = try repo.buildTree(
      base: replaced, changes: ["sections/sub/b.yaml": .remove, "sections/a.yaml": .remove])
    #expect(try repo.entries(ofTree: removed).map(\.name) == ["keep.yaml"])
    let absentRemove = try repo.buildTree(base: removed, changes: ["no/such/file": .remove])
    #expect(absentRemove == removed)
    let empty = try repo.buildTree(base: removed, changes: ["keep.yaml": .remove])
    #expect(empty == Repository.emptyTree)
    #expect(try fixture.git("cat-file", "-t", Repository.emptyTree.hex) == "tree\n")
    #expect(try repo.buildTree(base: nil, changes: [:]) == Repository.emptyTree)
    #expect(try repo.buildTree(base: base, changes: [:]) == base)
    try fixture.expectFsckClean()
  }

  @Test("a file may be replaced by a folder and back")
  func fileToFolder() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let x = try fixture.blob("x\n")
    let first = try repo.buildTree(base: nil, changes: ["notes": .blob(x)])
    let second = try repo.buildTree(base: first, changes: ["notes/today.md": .blob(x)])
    #expect(try repo.entry(at: "notes", inTree: second)?.kind == .tree)
    let third = try repo.buildTree(base: second, changes: ["notes": .blob(x)])
    #expect(third == first)
    #expect(throws: GitError.self) {
      try repo.buildTree(base: nil, changes: ["a": .blob(x), "a/b": .blob(x)])
    }
  }

  @Test(
    "buildTree accepts names that only resemble refused ones",
    arguments: [".github/x", ".gitx", "git", "a.git", "a/..b", "...", "\u{0E}git", "é/\u{301}x"])
  func nearlyInvalidPaths(_ path: String) throws {
    let fixture = try Fixture()
    let x = try fixture.blob("x")
    let tree = try fixture.repository.buildTree(base: nil, changes: [path: .blob(x)])
    #expect(try fixture.repository.entry(at: path, inTree: tree)?.id == x)
    try fixture.expectFsckClean()
  }

  @Test(
    "buildTree rejects invalid paths",
    arguments: [
      "", ".", "..", "/a", "a/", "a//b", "a/./b", "a/../b", ".git", "a/.git/config", ".GIT/x",
      "x/.gIt", "a\0b",
    ])
  func invalidPaths(_ path: String) throws {
    let fixture = try Fixture()
    let x = try fixture.blob("x")
    let error = try #require(throws: GitError.self) {
      try fixture.repository.buildTree(base: nil, changes: [path: .blob(x)])
    }
    #expect(error.code == .generic)
    #expect(error.function == "buildTree")
  }

  @Test("buildTree rejects a blob id that is not in the object database")
  func unknownBlob() throws {
    let fixture = try Fixture()
    let ghost = try #require(ObjectID(hex: "2222222222222222222222222222222222222222"))
    #expect(throws: GitError.self) {
      try fixture.repository.buildTree(base: nil, changes: ["a": .blob(ghost)])
    }
  }

  @Test("blob(at:inCommit:) reads files of a commit")
  func blobAtPath() throws {
    let fixture = try Fixture()
    let commit = try fixture.commit(["sections/a.yaml": "alpha\n"])
    #expect(
      try fixture.repository.blob(at: "sections/a.yaml", inCommit: commit) == Data("alpha\n".utf8))
    #expect(try fixture.repository.blob(at: "sections/b.yaml", inCommit: commit) == nil)
    #expect(try fixture.repository.blob(at: "sections", inCommit: commit) == nil)
  }
}
