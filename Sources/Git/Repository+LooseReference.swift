internal import CGit2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Compare-and-swap of a loose reference file by git's own lock-file protocol, for the store's
/// most frequent write (a session branch moving by one commit).
///
/// libgit2's reference database takes 19 system calls for this: it re-checks `packed-refs`,
/// stats the file three times, probes for the lock, looks for an empty directory in the way, and
/// reads the old value twice. The protocol itself needs seven: create `<ref>.lock` exclusively
/// (which is what excludes every other writer, git's and libgit2's alike), read the current
/// value, compare, write the new one into the lock file, close it, and rename it over the
/// reference. A crash at any point leaves either the old value or the new one, plus at worst a
/// stale `.lock` file (which `casebook doctor --fix` removes), as with git and libgit2.
///
/// Only the plain case is taken here: a direct reference that exists as a loose file. Where git
/// keeps a reflog for it (`core.logAllRefUpdates`: branches in a repository with a working tree,
/// the default for `casebook init`), the entry is appended under the lock in libgit2's and git's
/// format, by the identity `setReflogIdentity` set. `core.fsync`'s `reference` component fsyncs
/// the reference and its log, and `core.sharedRepository` sets their permissions, as git does.
/// Anything else (a reference only in `packed-refs`, a symbolic one, a missing folder, HEAD's own
/// branch, whose update git also logs in HEAD's reflog, no identity set, a configuration git
/// refuses) is left untouched and handed back to libgit2 by returning false. Reads of such a
/// reference skip libgit2 likewise.
extension Repository {
  /// Moves `name` from `expected` to `id`. Returns false, having changed nothing, when the
  /// reference is not in the plain case above; throws a conflict (`isConflict`) when the
  /// reference is locked by another writer or no longer points at `expected`.
  func updateLooseReference(_ name: String, to id: ObjectID, expected: ObjectID, message: String) throws -> Bool {
    guard let policy = reflogPolicy, let settings = writeSettings, Self.isSharedLooseCandidate(name) else {
      return false
    }
    let logged = policy.logs(name) || reflogExists(name)
    if logged {
      guard reflogIdentity != nil, !isHeadBranch(name) else { return false }
    }
    // The paths as messages name them, made only when one is.
    func lockPath() -> String { commonDirectory.shown(name + ".lock") }
    let target = commonDirectory.at(name)
    let lockFile = commonDirectory.at(name + ".lock")

    let lock = openat(lockFile.directory, lockFile.name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    if lock < 0 {
      let code = errno
      if code == EEXIST {
        throw GitError(
          code: GIT_ELOCKED.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
          message: "reference '\(name)' is locked by another writer (\(lockPath()) exists)",
          function: "updateReference")
      }
      if code == ENOENT || code == ENOTDIR || code == EISDIR { return false }
      throw GitError.system("cannot lock \(lockPath())", code: code, function: "updateReference")
    }
    var committed = false
    var lockOpen = true
    defer {
      if lockOpen { close(lock) }
      if !committed { unlinkat(lockFile.directory, lockFile.name, 0) }
    }

    guard let current = Self.readLooseReference(target) else { return false }
    guard current == expected else {
      throw GitError(
        code: GIT_EMODIFIED.rawValue, klass: Int32(GIT_ERROR_REFERENCE.rawValue),
        message: "reference '\(name)' moved: expected \(expected.hex), found \(current.hex)",
        function: "updateReference")
    }

    let line = Array((id.hex + "\n").utf8)
    let written = line.withUnsafeBytes { write(lock, $0.baseAddress, $0.count) }
    guard written == line.count else {
      throw GitError.system("cannot write \(lockPath())", code: written < 0 ? errno : EIO, function: "updateReference")
    }
    if settings.fsync.references, fsync(lock) != 0 {
      throw GitError.system("cannot fsync \(lockPath())", function: "updateReference")
    }
    lockOpen = false
    guard close(lock) == 0 else { throw GitError.system("cannot write \(lockPath())", function: "updateReference") }
    if let shared = settings.shared, !shared.adjust(lockFile) {
      throw GitError.system("cannot set the shared permissions of \(lockPath())", function: "updateReference")
    }
    // The log entry goes in before the reference moves, as git writes it: a crash between the
    // two leaves an entry for an update that did not happen, never an update without its entry.
    if logged { try appendReflog(name, from: expected, to: id, message: message, settings: settings) }
    guard renameat(lockFile.directory, lockFile.name, target.directory, target.name) == 0 else {
      throw GitError.system(
        "cannot rename \(lockPath()) to \(commonDirectory.shown(name))", function: "updateReference")
    }
    committed = true
    return true
  }

  /// Whether `logs/<name>` exists: git and libgit2 log every update of a reference that has a
  /// reflog, whatever `core.logAllRefUpdates` says.
  private func reflogExists(_ name: String) -> Bool {
    let log = commonDirectory.at("logs/" + name)
    var info = stat()
    return fstatat(log.directory, log.name, &info, 0) == 0
  }

  /// Whether HEAD is a symbolic reference to `name` (read from the HEAD file, as git does).
  private func isHeadBranch(_ name: String) -> Bool {
    let fd = systemOpen(gitDirectory + "/HEAD", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return true }  // unreadable: let libgit2 decide
    defer { close(fd) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer in
      let count = read(fd, buffer.baseAddress, buffer.count)
      guard count > 0 else { return true }
      let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
      return text == "ref: \(name)\n"
    }
  }

  /// Appends one entry to `logs/<name>` in the format git and libgit2 write: old and new id, the
  /// identity with the time and its offset, a tab and the message on one line.
  private func appendReflog(
    _ name: String, from old: ObjectID, to new: ObjectID, message: String, settings: WriteSettings
  ) throws {
    guard let identity = reflogIdentity else { return }
    var now = time(nil)
    var local = tm()
    localtime_r(&now, &local)
    let offset = local.tm_gmtoff / 60
    let zone = (offset < 0 ? "-" : "+") + Self.twoDigits(abs(offset) / 60) + Self.twoDigits(abs(offset) % 60)
    // libgit2 turns each newline into a space and trims white space from the end.
    var scalars = message.unicodeScalars.map { $0 == "\n" ? " " : $0 }
    while let last = scalars.last, [" ", "\t", "\r", "\u{0B}", "\u{0C}"].contains(last) { scalars.removeLast() }
    let oneLine = String(String.UnicodeScalarView(scalars))
    let entry = "\(old.hex) \(new.hex) \(identity.name) <\(identity.email)> \(now) \(zone)\t\(oneLine)\n"
    let path = "logs/" + name
    func shown() -> String { commonDirectory.shown(path) }
    try makeFolders(for: path, settings: settings)
    let log = commonDirectory.at(path)
    var created = false
    var fd = openat(log.directory, log.name, O_WRONLY | O_APPEND | O_CLOEXEC)
    if fd < 0, errno == ENOENT {
      fd = openat(log.directory, log.name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o666)
      created = fd >= 0
    }
    guard fd >= 0 else { throw GitError.system("cannot open \(shown())", function: "updateReference") }
    defer { close(fd) }
    let bytes = Array(entry.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else {
      throw GitError.system("cannot append to \(shown())", code: written < 0 ? errno : EIO, function: "updateReference")
    }
    if settings.fsync.references, fsync(fd) != 0 {
      throw GitError.system("cannot fsync \(shown())", function: "updateReference")
    }
    if created, let shared = settings.shared, !shared.adjust(log) {
      throw GitError.system("cannot set the shared permissions of \(shown())", function: "updateReference")
    }
  }

  /// Makes the folders above `path` in the common folder that are missing, with git's shared
  /// permissions.
  private func makeFolders(for path: String, settings: WriteSettings) throws {
    var missing: [String] = []
    var folder = Substring(path)
    while let slash = folder.lastIndex(of: "/") {
      folder = folder[..<slash]
      let at = commonDirectory.at(String(folder))
      var info = stat()
      if fstatat(at.directory, at.name, &info, 0) == 0 { break }
      missing.append(String(folder))
    }
    for folder in missing.reversed() {
      let at = commonDirectory.at(folder)
      if mkdirat(at.directory, at.name, 0o777) != 0 {
        guard errno == EEXIST else {
          throw GitError.system("cannot create \(commonDirectory.shown(folder))", function: "updateReference")
        }
      } else if let shared = settings.shared, !shared.adjust(at) {
        throw GitError.system(
          "cannot set the shared permissions of \(commonDirectory.shown(folder))", function: "updateReference")
      }
    }
  }

  private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

  /// The id reference `name` holds when it is a direct reference in a loose file: one `open`,
  /// `read` and `close`, where libgit2 also stats the file first. Nil for anything else (HEAD or
  /// another name outside `refs/`, an invalid name, a reference that is absent, packed, symbolic
  /// or damaged), which libgit2 is then asked about.
  func looseReferenceTarget(_ name: String) -> ObjectID? {
    guard Self.isSharedLooseCandidate(name) else { return nil }
    return Self.readLooseReference(commonDirectory.at(name))
  }

  /// A valid name under `refs/` that lives in the common folder: not one of the references git
  /// keeps per worktree (`refs/bisect/`, `refs/worktree/`, `refs/rewritten/`).
  private static func isSharedLooseCandidate(_ name: String) -> Bool {
    guard name.hasPrefix("refs/"), !name.hasPrefix("refs/bisect/"), !name.hasPrefix("refs/worktree/"),
      !name.hasPrefix("refs/rewritten/")
    else { return false }
    var valid: Int32 = 0
    guard git_reference_name_is_valid(&valid, name) == 0, valid == 1 else {
      git_error_clear()
      return false
    }
    return true
  }

  /// The id a loose reference file holds: 40 hex digits and a newline, as git writes it. Nil for
  /// anything else (absent, symbolic, damaged), which libgit2 is then left to report.
  private static func readLooseReference(_ file: (directory: Int32, name: String)) -> ObjectID? {
    let fd = openat(file.directory, file.name, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    // 64 bytes: a longer file is not a plain direct reference, and reading 41 would miss that.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
      let count = read(fd, buffer.baseAddress, buffer.count)
      guard count == 41, buffer[40] == UInt8(ascii: "\n") else { return nil }
      return ObjectID(hex: String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<40]), as: UTF8.self))
    }
  }
}

/// When libgit2 appends to a reference's reflog, as `core.logAllRefUpdates` decides it
/// (refdb_fs.c, `should_write_reflog`): unset means true in a repository with a working tree and
/// false in a bare one.
enum ReflogPolicy {
  /// No reflogs are written.
  case never
  /// Reflogs for branches, remote-tracking branches, notes and HEAD, and for any reference that
  /// already has one.
  case branches
  /// Every reference update is logged.
  case always

  /// Whether an update of `name` is logged by this policy alone (libgit2's
  /// `git_reference__is_branch`/`is_remote`/`is_note` test, and HEAD).
  func logs(_ name: String) -> Bool {
    switch self {
    case .never: false
    case .always: true
    case .branches:
      name.hasPrefix("refs/heads/") || name.hasPrefix("refs/remotes/") || name.hasPrefix("refs/notes/")
        || name == "HEAD"
    }
  }

  init?(configValue: String?, bare: Bool) {
    guard let value = configValue?.lowercased() else {
      self = bare ? .never : .branches
      return
    }
    switch value {
    case "always": self = .always
    case "true", "yes", "on", "1": self = .branches
    case "false", "no", "off", "0", "": self = .never
    default: return nil
    }
  }
}
