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
import Git
import YAML

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
        "\(repository.workingDirectory ?? repository.gitDirectory) is not a Casebook project: main has no \(Layout.config)")
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
      throw error
    }
  }

  // MARK: - Writing

  /// A commit written to the object database but not yet published on its branch.
  struct Prepared {
    let ref: String
    let commit: ObjectID
    let head: ObjectID?
    let summary: String
  }

  /// Writes the commit that `build` describes on top of the current head of `ref`, without
  /// moving the ref. `createFrom` starts a branch that does not exist yet from that commit.
  func prepare(
    on ref: String, by user: User, createFrom: ObjectID? = nil, missing: String? = nil,
    build: (Snapshot, inout PendingChange) throws -> CommitMessage
  ) throws -> Prepared {
    let head = try repository.referenceTarget(ref)
    guard let start = head ?? createFrom else {
      throw CasebookError.notFound(missing ?? "branch \(ref) does not exist")
    }
    return try prepare(on: ref, head: head, start: start, by: user, build: build)
  }

  /// The one way a commit is built, for every write (session commits, lock changes, merges into
  /// main): `build` fills in the changes and the message against the snapshot of `start`; the
  /// tree is written once and the commit on top of `start` (none: a first commit with no
  /// parent); publishing it later moves `ref` only if it is still at `head`.
  func prepare(
    on ref: String, head: ObjectID?, start: ObjectID?, by user: User,
    build: (Snapshot, inout PendingChange) throws -> CommitMessage
  ) throws -> Prepared {
    try repository.setReflogIdentity(name: user.id, email: user.email)
    let snapshot = try Snapshot(repository: repository, records: records, ref: ref, commit: start)
    var pending = PendingChange(repository: repository, records: records)
    let message = try build(snapshot, &pending)
    let tree = try repository.buildTree(base: pending.baseTree ?? snapshot.tree, changes: pending.changes)
    let signature = Signature(name: user.id, email: user.email, time: now())
    let commit = try repository.createCommit(
      tree: tree, parents: (start.map { [$0] } ?? []) + pending.extraParents, author: signature, committer: signature,
      message: message.text)
    return Prepared(ref: ref, commit: commit, head: head, summary: message.summary)
  }

  /// Moves the prepared commit's branch to it if, and only if, the branch is still where it was
  /// when the commit was prepared. Returns false when another writer moved it first.
  func publish(_ prepared: Prepared) throws -> Bool {
    do {
      try repository.updateReference(
        prepared.ref, to: prepared.commit, expected: prepared.head, message: "casebook: \(prepared.summary)")
    } catch let error as GitError where error.isConflict || error.isExists {
      return false
    }
    if prepared.ref == Layout.main { updateWorkingTree(from: prepared.head, to: prepared.commit) }
    return true
  }

  /// Runs `body` until it succeeds or `attempts` runs out; `body` returns nil when it lost a
  /// race and must be rebuilt on the new head. Backs off a little, randomly, between tries.
  func retrying<T>(_ what: String, attempts: Int = 64, _ body: () throws -> T?) throws -> T {
    for attempt in 0..<attempts {
      if let done = try body() { return done }
      usleep(UInt32.random(in: 100...2_000) * UInt32(min(attempt + 1, 8)))
    }
    throw staleLockError(what) ?? CasebookError.conflict(
      "\(what) kept moving under \(attempts) attempts to write (other writers are busy on it); nothing was written. Try again"
    )
  }

  /// The conflict to report when `ref` is held by a lock file: a writer holds one for the
  /// milliseconds of a ref update, so one that stays was most likely left by a writer killed
  /// mid-write, and blocks every write to the ref until `doctor --fix` removes it.
  func staleLockError(_ ref: String) -> CasebookError? {
    let lock = System.join(repository.gitDirectory, ref + ".lock")
    var info = stat()
    guard ref.hasPrefix("refs/"), stat(lock, &info) == 0 else { return nil }
    let age = max(0, Int(now().timeIntervalSince1970) - Int(info.st_mtim.tv_sec))
    let wait = max(0, Int(Self.staleLockSeconds) - age)
    return .conflict(
      "\(ref) is locked by \(lock), made \(age) s ago, most likely by a writer that was killed mid-write; nothing was written. If no other casebook or git command is running on this project, run 'casebook doctor --fix' to remove it"
        + (wait > 0 ? " (it removes lock files once they are \(Int(Self.staleLockSeconds)) s old: in \(wait) s)" : "")
        + "; until then every write to \(ref) is refused like this one")
  }

  /// How old a lock file must be before `doctor --fix` takes it for stale.
  public static let staleLockSeconds: TimeInterval = 60

  /// Makes one commit on `ref`. `build` reads the current head and fills in the changes and the
  /// message; when another writer moves the ref first, the whole operation is rebuilt on the new
  /// head, so no write is ever lost or overwritten. Throws whatever `build` throws, untouched.
  @discardableResult
  func commit(
    on ref: String, by user: User, createFrom: ObjectID? = nil, missing: String? = nil,
    build: (Snapshot, inout PendingChange) throws -> CommitMessage
  ) throws -> ObjectID {
    try retrying(ref) {
      let prepared = try prepare(on: ref, by: user, createFrom: createFrom, missing: missing, build: build)
      return try publish(prepared) ? prepared.commit : nil
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
