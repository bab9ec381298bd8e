import Foundation
import Git
import TestSupport
import Testing

@Suite("History and diffs")
struct HistoryTests {
  @Test("log lists newest first and honours limit")
  func order() throws {
    let fixture = try Fixture()
    let a = try fixture.commit(["f": "1"], message: "a\n")
    let b = try fixture.commit(["f": "2"], parents: [a], message: "b\n")
    let c = try fixture.commit(["g": "3"], parents: [b], message: "c\n", branch: "refs/heads/main")
    let log = try fixture.repository.log(from: c)
    #expect(log.map(\.id) == [c, b, a])
    #expect(log.map(\.summary) == ["c", "b", "a"])
    #expect(try fixture.repository.log(from: c, limit: 2).map(\.id) == [c, b])
    #expect(try fixture.repository.log(from: c, limit: 0).isEmpty)
    #expect(
      try fixture.git("log", "--format=%H", "main") == [c, b, a].map { $0.hex + "\n" }.joined())
  }

  @Test("log filters by file and by folder")
  func pathFilter() throws {
    let fixture = try Fixture()
    let a = try fixture.commit(["sections/x.yaml": "1", "case.yaml": "c"], message: "a\n")
    let b = try fixture.commit(["case.yaml": "c2"], parents: [a], message: "b\n")
    let c = try fixture.commit(["sections/y.yaml": "1"], parents: [b], message: "c\n")
    let d = try fixture.commit(["sections/x.yaml": "2"], parents: [c], message: "d\n")
    let e = try fixture.commit(["sections/x.yaml": nil], parents: [d], message: "e\n")
    let repo = fixture.repository
    #expect(try repo.log(from: e, path: "sections/x.yaml").map(\.id) == [e, d, a])
    #expect(try repo.log(from: e, path: "sections").map(\.id) == [e, d, c, a])
    #expect(try repo.log(from: e, path: "sections/").map(\.id) == [e, d, c, a])
    #expect(try repo.log(from: e, path: "case.yaml").map(\.id) == [b, a])
    #expect(try repo.log(from: e, path: "sections", limit: 1).map(\.id) == [e])
    #expect(try repo.log(from: e, path: "nothing").isEmpty)
  }

  @Test("firstParent follows first parents; merges are filtered like git log")
  func firstParent() throws {
    let fixture = try Fixture()
    let base = try fixture.commit(["main.txt": "0", "s/a": "0"], message: "base\n")
    let side = try fixture.commit(["s/a": "side"], parents: [base], message: "side\n")
    let mainline = try fixture.commit(["main.txt": "1"], parents: [base], message: "mainline\n")
    let merge = try fixture.commit(["s/a": "side"], parents: [mainline, side], message: "merge\n")
    let repo = fixture.repository
    #expect(try repo.log(from: merge).count == 4)
    #expect(try repo.log(from: merge, firstParent: true).map(\.id) == [merge, mainline, base])
    // The merge took s/a from `side` unchanged: not a change to s/a on its own...
    #expect(try repo.log(from: merge, path: "s/a").map(\.id) == [side, base])
    // ...but relative to the first parent it is.
    #expect(try repo.log(from: merge, path: "s/a", firstParent: true).map(\.id) == [merge, base])
  }

  @Test("log from several heads walks their shared history once")
  func severalHeads() throws {
    let fixture = try Fixture()
    let base = try fixture.commit(["f": "0"], message: "base\n")
    let one = try fixture.commit(["f": "1"], parents: [base], message: "one\n")
    let two = try fixture.commit(["g": "2"], parents: [base], message: "two\n")
    let repo = fixture.repository
    let log = try repo.log(fromAll: [one, two])
    #expect(log.count == 3)
    #expect(Set(log.map(\.id)) == [base, one, two])
    #expect(log.last?.id == base, "parents come after their children")
    #expect(try repo.log(fromAll: [one, two, one]).count == 3)
    #expect(try repo.log(fromAll: [one, two], path: "g").map(\.id) == [two])
  }

  @Test("changedPaths lists differing files with old and new ids")
  func changedPaths() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let a = try fixture.commit(["keep": "k", "mod/x": "1", "del": "d"])
    let b = try fixture.commit(["mod/x": "2", "del": nil, "add/y": "y"], parents: [a])
    let old = try repo.treeID(ofCommit: a)
    let new = try repo.treeID(ofCommit: b)
    #expect(
      try repo.changedPaths(from: old, to: new) == [
        PathChange(path: "add/y", old: nil, new: try fixture.blob("y")),
        PathChange(path: "del", old: try fixture.blob("d"), new: nil),
        PathChange(path: "mod/x", old: try fixture.blob("1"), new: try fixture.blob("2")),
      ])
    #expect(try repo.changedPaths(from: nil, to: old).map(\.path) == ["del", "keep", "mod/x"])
    #expect(try repo.changedPaths(from: old, to: nil).allSatisfy { $0.new == nil })
    #expect(try repo.changedPaths(from: old, to: old).isEmpty)
  }

  @Test("unifiedDiff shows a/ b/ headers and 3 lines of context; equal buffers give \"\"")
  func unifiedDiff() throws {
    let old = Data("1\n2\n3\n4\n5\n6\n7\n8\n9\n".utf8)
    let new = Data("1\n2\n3\n4\nfive\n6\n7\n8\n9\n".utf8)
    let diff = try Repository.unifiedDiff(old: old, new: new, oldPath: "s.yaml", newPath: "s.yaml")
    #expect(diff.contains("--- a/s.yaml\n+++ b/s.yaml\n"))
    #expect(diff.contains("@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"))
    #expect(try Repository.unifiedDiff(old: old, new: old, oldPath: "s", newPath: "s") == "")
    let added = try Repository.unifiedDiff(
      old: nil, new: Data("x\n".utf8), oldPath: "n", newPath: "n")
    #expect(added.contains("--- /dev/null\n+++ b/n\n"))
    #expect(added.contains("+x\n"))
    let removed = try Repository.unifiedDiff(
      old: Data("x\n".utf8), new: nil, oldPath: "n", newPath: "n")
    #expect(removed.contains("--- a/n\n+++ /dev/null\n"))
  }
}
