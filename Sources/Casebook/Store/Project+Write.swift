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

/// The write path: every write is one commit, built by `prepare` and published by `publish`'s
/// compare-and-swap, retried on the new head when another writer got there first
/// (docs/ARCHITECTURE.md, "The write path").
extension Project {
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
    // Refused before anything is written, where the project requires signing.
    let signer = try signing(by: user).commits
    let snapshot = try Snapshot(repository: repository, records: records, ref: ref, commit: start)
    var pending = PendingChange(repository: repository, records: records)
    var message = try build(snapshot, &pending)
    message.extra += pending.trailers
    let tree = try repository.buildTree(base: pending.baseTree ?? snapshot.tree, changes: pending.changes)
    let signature = Signature(name: user.id, email: user.email, time: now())
    let commit = try repository.createCommit(
      tree: tree, parents: (start.map { [$0] } ?? []) + pending.extraParents, author: signature, committer: signature,
      message: message.text, sign: signer?.sign)
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
    throw staleLockError(what)
      ?? CasebookError.conflict(
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
}
