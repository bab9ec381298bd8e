import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One Casebook project: a git repository whose `main` holds the shared state and whose
/// `sessions/*` branches hold each user's session (docs/ARCHITECTURE.md).
///
/// A `Project` is a handle on an open repository; it is not thread-safe, so open one per thread
/// or task. Any number of processes may open the same project: every write is one commit made
/// off to the side and published by a compare-and-swap ref update, retried on the new head when
/// another writer got there first.
public final class Project {
  let repository: Repository
  /// Records parsed from blobs, kept for this handle's later reads (ParsedRecords).
  let records: ParsedRecords
  /// The project's `casebook.yaml`, as read from main when the project was opened.
  public let settings: ProjectSettings
  /// The clock for timestamps; tests and benchmarks may pin it.
  let now: @Sendable () -> Date
  /// How this handle signs commits and tags, read from git's config at the first write.
  var signers: (commits: CommitSigner?, tags: CommitSigner?)?

  init(repository: Repository, now: @escaping @Sendable () -> Date) throws {
    self.repository = repository
    self.now = now
    let records = ParsedRecords()
    self.records = records
    guard let main = try repository.referenceTarget(Layout.main) else {
      throw CasebookError.notFound(
        "\(repository.workingDirectory ?? repository.gitDirectory) is not a Casebook project: it has no main branch")
    }
    let snapshot = try Snapshot(repository: repository, records: records, ref: Layout.main, commit: main)
    guard let config = try snapshot.mapping(Layout.config) else {
      throw CasebookError.notFound(
        "\(repository.workingDirectory ?? repository.gitDirectory) is not a Casebook project: main has no \(Layout.config)"
      )
    }
    self.settings = try ProjectSettings(config)
  }

  /// Opens the project containing `path` (a working tree, a subfolder of one, or a bare repo).
  public static func open(at path: String, now: @escaping @Sendable () -> Date = { Date() }) throws -> Project {
    let repository: Repository
    do {
      repository = try Repository.discover(from: path)
    } catch let error as GitError where error.isOwner {
      let folder = error.message.split(separator: "'").dropFirst().first.map(String.init) ?? path
      throw CasebookError.repository(
        "cannot open \(path): \(error.message). git refuses to work in a repository another user owns (its safe.directory check); if you trust it, allow it with: git config --global --add safe.directory \(folder)"
      )
    } catch let error as GitError where error.isNotFound {
      throw CasebookError.notFound("no Casebook project at \(path): not inside a git repository")
    } catch let error as GitError {
      throw CasebookError.repository("cannot open \(path): \(error.message)")
    }
    return try Project(repository: repository, now: now)
  }

  /// The folder a person works in: the working tree, or the git folder of a bare project.
  public var path: String { repository.workingDirectory ?? repository.gitDirectory }

  // MARK: - Reading

  func snapshot(_ ref: String) throws -> Snapshot {
    try Snapshot(repository: repository, records: records, ref: ref, commit: repository.referenceTarget(ref))
  }

  func mainSnapshot() throws -> Snapshot { try snapshot(Layout.main) }

  /// A snapshot of any revision a person can name: a branch, a tag, a commit id, `main~2`.
  func snapshot(revision: String) throws -> Snapshot {
    guard !revision.isEmpty, !revision.hasPrefix("-"), !revision.contains("\0") else {
      throw CasebookError.badInput("revision '\(Identifier.printable(revision))' is not valid")
    }
    do {
      return try Snapshot(repository: repository, records: records, ref: revision, commit: repository.resolve(revision))
    } catch let error as GitError {
      if error.isNotFound || error.code == .generic || error.code == .invalidSpec {
        throw CasebookError.notFound("revision '\(Identifier.printable(revision))' not found")
      }
      // A short id that several objects share, one too short to look up, or an object that is
      // not a commit (a blob's id): the revision is wrong, not the repository.
      if error.code == .ambiguous || error.code == .peel || error.code == .invalid {
        throw CasebookError.badInput(
          "revision '\(Identifier.printable(revision))' does not name one commit (\(error.message))")
      }
      throw error
    }
  }

  /// Warnings gathered while working (e.g. a working tree left alone); the CLI prints them.
  public private(set) var warnings: [String] = []

  func warn(_ text: String) { warnings.append(text) }

  /// Returns the warnings gathered so far and forgets them, so that each is printed once.
  public func takeWarnings() -> [String] {
    defer { warnings = [] }
    return warnings
  }

  /// Brings a checked-out working tree on main up to date after main moved, but only when it
  /// has no local changes; otherwise says so and leaves it alone.
  func updateWorkingTree(from old: ObjectID?, to new: ObjectID) {
    guard repository.workingDirectory != nil, (try? repository.headBranch()) == Layout.main else { return }
    do {
      try repository.checkoutSafely(from: old, to: new)
    } catch {
      warn("the working tree has local changes, so it was left as it was; main is now \(new.hex.prefix(12))")
    }
  }
}
