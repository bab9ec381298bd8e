import Git

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

/// What `casebook hooks install` did.
public struct HookInstallation: Sendable, Equatable, Encodable {
  /// The bare repository's git directory.
  public let repository: String
  /// The hook file written.
  public let hook: String
  /// The `casebook` the hook runs.
  public let casebook: String
  /// Whether a hook was there before (Casebook's, or another one replaced with `--force`).
  public let replaced: Bool
}

/// The pre-receive hook that makes a shared bare repository keep `ReceiveRules` against any push.
public enum PreReceiveHook {
  /// The line that marks a hook as Casebook's, so that installing again may replace it.
  public static let marker = "# casebook pre-receive hook"

  /// The hook: a shell script that runs `casebook hooks pre-receive` (git hands it the updates
  /// on standard input and the quarantine in its environment).
  public static func script(casebook: String) -> String {
    let quoted = "'" + casebook.replacingEvery("'", with: "'\\''") + "'"
    return """
      #!/bin/sh
      \(marker): written by 'casebook hooks install'; refuses pushes that break Casebook's rules.
      exec \(quoted) hooks pre-receive

      """
  }

  /// Writes `hooks/pre-receive` into the bare repository at `path`, running the executable at
  /// `casebook` (an absolute path). Refuses, changing nothing, when `path` is not a bare
  /// repository, when git would not run the hook (`core.hooksPath`), or when a hook that is not
  /// Casebook's is there (unless `force`).
  public static func install(repository path: String, casebook: String, force: Bool) throws -> HookInstallation {
    guard System.kind(path) != nil else { throw CasebookError.notFound("no such folder: \(path)") }
    guard System.isFolder(path) else { throw CasebookError.badInput("\(path) is not a git repository (it is a file)") }
    let repository: Repository
    do { repository = try Repository.open(at: path) } catch let error as GitError where error.isNotFound {
      throw CasebookError.badInput("\(path) is not a git repository")
    }
    guard repository.isBare else {
      throw CasebookError.badInput(
        "\(path) is not a bare repository; install the hook in the shared bare repository that people push to")
    }
    if let hooksPath = repository.configString("core.hooksPath") {
      throw CasebookError.badInput(
        "\(path) sets core.hooksPath (\(Identifier.printable(hooksPath))), so git would not run hooks/pre-receive")
    }
    guard casebook.hasPrefix("/"), access(casebook, X_OK) == 0, System.kind(casebook) == .file else {
      throw CasebookError.badInput("\(casebook) is not an executable file given by its absolute path")
    }
    let hooks = repository.gitDirectory + "/hooks"
    let hook = hooks + "/pre-receive"
    let existing = System.kind(hook) != nil
    if existing && !force {
      let current = try? System.readBounded(hook, limit: 64 * 1024, what: "hook")
      guard let current, String(decoding: current, as: UTF8.self).contains(marker) else {
        throw CasebookError.badInput(
          "\(hook) exists and is not Casebook's; pass --force to replace it (git runs one pre-receive hook)")
      }
    }
    try write(script(casebook: casebook), to: hook, folder: hooks)
    return HookInstallation(repository: repository.gitDirectory, hook: hook, casebook: casebook, replaced: existing)
  }

  /// Writes `text` beside `path` with mode 0755 and renames it into place, so the hook is never
  /// seen half written.
  private static func write(_ text: String, to path: String, folder: String) throws {
    if !System.isFolder(folder), mkdir(folder, 0o755) != 0, errno != EEXIST {
      throw CasebookError.repository("cannot create \(folder): \(System.lastError)")
    }
    let temporary = "\(path).casebook-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw CasebookError.repository("cannot write \(temporary): \(System.lastError)") }
    var text = text
    let failure = text.withUTF8 { System.writeAll(fd, UnsafeRawBufferPointer($0)) }
    // The umask may have taken bits from open's mode.
    let modeFailed = fchmod(fd, 0o755) != 0
    close(fd)
    if let failure {
      unlink(temporary)
      throw CasebookError.repository("cannot write \(temporary): \(failure)")
    }
    if modeFailed || rename(temporary, path) != 0 {
      let reason = System.lastError
      unlink(temporary)
      throw CasebookError.repository("cannot install \(path): \(reason)")
    }
  }
}
