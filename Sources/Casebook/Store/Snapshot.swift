import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A read-only view of the tree of one commit on one branch. Every read of the store goes
/// through a snapshot, so an operation sees one consistent state even while others write.
struct Snapshot {
  let repository: Repository
  /// The project handle's parsed records, shared by its snapshots.
  let records: ParsedRecords
  /// The branch this snapshot was read from, e.g. `refs/heads/main`.
  let ref: String
  /// The commit read; nil only for a branch that does not exist yet.
  let commit: ObjectID?
  let tree: ObjectID?

  init(repository: Repository, records: ParsedRecords, ref: String, commit: ObjectID?) throws {
    self.repository = repository
    self.records = records
    self.ref = ref
    self.commit = commit
    self.tree = try commit.map { try repository.treeID(ofCommit: $0) }
  }

  /// The bytes at `path`, or nil when there is no file there.
  func data(_ path: String) throws -> Data? {
    guard let tree, let entry = try repository.entry(at: path, inTree: tree), entry.kind != .tree else {
      return nil
    }
    return try repository.blob(entry.id)
  }

  func blobID(_ path: String) throws -> ObjectID? {
    guard let tree, let entry = try repository.entry(at: path, inTree: tree), entry.kind != .tree else {
      return nil
    }
    return entry.id
  }

  func exists(_ path: String) throws -> Bool {
    guard let tree else { return false }
    return try repository.entry(at: path, inTree: tree) != nil
  }

  /// The entries of the folder at `path` (empty when absent).
  func entries(_ path: String) throws -> [TreeEntry] {
    guard let tree else { return [] }
    return try repository.entries(at: path, inTree: tree)
  }

  /// The YAML document at `path`, or nil when absent. A file Casebook wrote that no longer
  /// parses is damage, reported as a repository error naming the file.
  func yaml(_ path: String) throws -> Node? {
    guard let id = try blobID(path) else { return nil }
    do {
      // Parsed once per blob and handle: the same record is read again by nearly every write.
      return try records.node(id) { try YAML.parse(repository.blob(id)) }
    } catch let error as GitError {
      throw error
    } catch {
      throw CasebookError.repository("\(path) at \(commit?.hex.prefix(12) ?? "?") does not parse: \(error.explanation)")
    }
  }

  /// The YAML mapping at `path`.
  func mapping(_ path: String) throws -> Mapping? {
    guard let node = try yaml(path) else { return nil }
    guard let map = node.mapping else {
      throw CasebookError.repository("\(path) is not a YAML mapping")
    }
    return map
  }
}
