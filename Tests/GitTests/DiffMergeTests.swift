import Foundation
import Git
import TestSupport
import Testing

/// `diffMerge` must agree with `git_merge_trees` (`mergeTrees`) on every case: the same merged
/// tree when clean, the same conflicted paths and sides otherwise.
@Suite("Diff-driven merge")
struct DiffMergeTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let ours: [String: String?]
    let theirs: [String: String?]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "one-sided and identical changes", ours: ["b.yaml": "b ours\n", "same.yaml": "s\n"],
      theirs: ["c.yaml": nil, "dir/d.yaml": "d2\n", "same.yaml": "s\n"]),
    Case(name: "modify/modify", ours: ["b.yaml": "b1\n"], theirs: ["b.yaml": "b2\n"]),
    Case(name: "modify/delete", ours: ["b.yaml": "b1\n"], theirs: ["b.yaml": nil]),
    Case(name: "delete/modify", ours: ["dir/d.yaml": nil], theirs: ["dir/d.yaml": "d2\n"]),
    Case(name: "add/add differently", ours: ["new/x.yaml": "1\n"], theirs: ["new/x.yaml": "2\n"]),
    Case(
      name: "theirs adds a deep folder", ours: ["a.yaml": "a2\n"], theirs: ["e/f/g/h.yaml": "h\n", "e/f/i.yaml": "i\n"]),
    Case(name: "theirs empties a folder", ours: ["b.yaml": "b2\n"], theirs: ["dir/d.yaml": nil]),
    Case(name: "both delete the same file", ours: ["c.yaml": nil], theirs: ["c.yaml": nil, "b.yaml": "b3\n"]),
    Case(
      name: "ours changes a folder theirs also changes elsewhere", ours: ["dir/x.yaml": "x\n"],
      theirs: ["dir/d.yaml": "d3\n"]),
    Case(name: "nothing on theirs", ours: ["a.yaml": "a9\n"], theirs: [:]),
  ]

  @Test("agrees with mergeTrees", arguments: cases)
  func agrees(_ c: Case) throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    let base = try fixture.commit(["a.yaml": "a\n", "b.yaml": "b\n", "c.yaml": "c\n", "dir/d.yaml": "d\n"])
    let ours = try repo.treeID(ofCommit: fixture.commit(c.ours, parents: [base]))
    let theirs = try repo.treeID(ofCommit: fixture.commit(c.theirs, parents: [base]))
    let baseTree = try repo.treeID(ofCommit: base)

    let reference = try repo.mergeTrees(ancestor: baseTree, ours: ours, theirs: theirs)
    let plan = try repo.diffMerge(ancestor: baseTree, ours: ours, theirs: theirs)
    #expect(plan.conflicts == reference.conflicts)
    if reference.conflicts.isEmpty {
      #expect(try repo.buildTree(base: ours, changes: plan.changes) == reference.writeTree(resolutions: [:]))
    }
    // Everything theirs changed that ours does not already hold is listed.
    let theirsChanged = try repo.changedPaths(from: baseTree, to: theirs).filter { change in
      try repo.entry(at: change.path, inTree: ours)?.id != change.new
    }
    #expect(plan.theirChanges == theirsChanged)
    try fixture.expectFsckClean()
  }

  @Test("ours' changes inside a large folder theirs did not touch stay out of the plan")
  func untouchedFolders() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    var files: [String: String?] = ["notes.yaml": "n\n"]
    for i in 0..<2_000 { files["exchanges/\(i / 100)/\(i).yaml"] = "e\(i)\n" }
    let base = try fixture.commit(files)
    let ours = try fixture.commit(["exchanges/99/new.yaml": "new\n"], parents: [base])
    let theirs = try fixture.commit(["notes.yaml": "n2\n"], parents: [base])
    let plan = try repo.diffMerge(
      ancestor: repo.treeID(ofCommit: base), ours: repo.treeID(ofCommit: ours), theirs: repo.treeID(ofCommit: theirs))
    #expect(plan.changes == ["notes.yaml": .blob(try fixture.blob("n2\n"))])
    #expect(plan.conflicts.isEmpty)
  }
}
