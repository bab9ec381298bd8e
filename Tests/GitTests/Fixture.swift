import Foundation
import Git
import TestSupport
import Testing

/// A fresh repository in a temporary directory, with helpers to make commits from file maps.
final class Fixture {
  let directory: TemporaryDirectory
  let repository: Repository
  let path: String
  var clock = Date(timeIntervalSince1970: 1_700_000_000)

  init(bare: Bool = false) throws {
    directory = try TemporaryDirectory(prefix: "git-tests")
    path = directory.appending(bare ? "repo.git" : "repo")
    repository = try Repository.create(at: path, bare: bare)
  }

  /// A signature one minute after the previous one, so that time order is deterministic.
  func signature() -> Signature {
    clock = clock.addingTimeInterval(60)
    return Signature(
      name: "Ada Lovelace", email: "ada@example.com", time: clock, timeZoneOffsetMinutes: 60)
  }

  func blob(_ text: String) throws -> ObjectID {
    try repository.createBlob(Data(text.utf8))
  }

  /// Commits `files` (path -> content, nil = remove) on top of `parent`'s tree.
  @discardableResult
  func commit(
    _ files: [String: String?], parents: [ObjectID] = [], message: String = "change\n",
    branch: String? = nil
  ) throws -> ObjectID {
    var changes = [String: TreeChange]()
    for (path, content) in files {
      changes[path] = try content.map { .blob(try blob($0)) } ?? .remove
    }
    let base = try parents.first.map { try repository.treeID(ofCommit: $0) }
    let tree = try repository.buildTree(base: base, changes: changes)
    let sig = signature()
    let id = try repository.createCommit(
      tree: tree, parents: parents, author: sig, committer: sig, message: message)
    if let branch {
      let current = try repository.referenceTarget(branch)
      try repository.updateReference(branch, to: id, expected: current, message: "test")
    }
    return id
  }

  /// Runs git in the repository and requires exit status 0.
  @discardableResult
  func git(_ args: String...) throws -> String {
    let result = try runGit(args, in: path)
    #expect(result.status == 0, "git \(args.joined(separator: " ")): \(result.stderr)")
    return result.stdout
  }

  /// `git fsck --strict` must be clean.
  func expectFsckClean(sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try runGit(["fsck", "--strict", "--no-dangling"], in: path)
    #expect(
      result.status == 0, "fsck: \(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
    #expect(!result.stderr.contains("error"), "\(result.stderr)", sourceLocation: sourceLocation)
  }
}
