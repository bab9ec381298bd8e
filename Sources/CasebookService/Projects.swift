import Casebook

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The projects a server serves: one repository (`--repo`), or each repository in a folder
/// (`--projects`, project id = folder name). Handles are opened on demand and kept for reuse,
/// at most `keep` of them idle; a `Project` is not thread-safe, so each request borrows one
/// handle for itself and gives it back.
public final class Projects: @unchecked Sendable {
  public enum Source: Sendable {
    case one(id: String, path: String)
    case folder(String)
  }

  public let source: Source
  private let keep: Int
  private let lock = NSLockish()
  private var idle: [(id: String, project: Project)] = []

  public init(_ source: Source, keep: Int = 16) {
    self.source = source
    self.keep = keep
  }

  /// The id a project has in `--repo` mode: its folder's name.
  public static func id(ofRepository path: String) -> String {
    let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
    let name = trimmed.split(separator: "/").last.map(String.init) ?? "project"
    return (try? checked(name)) ?? "project"
  }

  /// `id` if it can only name a folder directly inside the projects folder: 1 to 128 letters,
  /// digits, `.`, `_` and `-`, not starting with `.` or `-`.
  @discardableResult
  public static func checked(_ id: String) throws(ServiceError) -> String {
    let ok =
      !id.isEmpty && id.utf8.count <= 128
      && id.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
          || c == 0x2D
      } && !id.hasPrefix(".") && !id.hasPrefix("-")
    guard ok else {
      throw ServiceError.badInput(
        "project id '\(quoted(id))' is not valid: use 1 to 128 letters, digits, '.', '_' and '-', not starting with '.' or '-'"
      )
    }
    return id
  }

  /// Runs `body` with a handle on project `id`, borrowed for the call. Unknown: not found.
  public func with<T>(_ id: String, _ body: (Project) throws -> T) throws -> T {
    try Self.checked(id)
    let project = try borrow(id)
    // A handle whose call failed is dropped, in case it holds a half-read state.
    let result: T
    do { result = try body(project) } catch {
      _ = project.takeWarnings()
      throw error
    }
    giveBack(id, project)
    return result
  }

  private func borrow(_ id: String) throws -> Project {
    if let found = lock.with({ () -> Project? in
      guard let i = idle.lastIndex(where: { $0.id == id }) else { return nil }
      return idle.remove(at: i).project
    }) {
      return found
    }
    let path: String
    switch source {
    case .one(let only, let repo):
      guard id == only else { throw ServiceError.notFound("no project '\(quoted(id))' here") }
      path = repo
    case .folder(let folder):
      path = folder + "/" + id
      // Only a repository directly in the folder: never one found by walking up from it.
      guard access(path + "/.git", F_OK) == 0 || access(path + "/HEAD", F_OK) == 0 else {
        throw ServiceError.notFound("no project '\(quoted(id))' here")
      }
    }
    return try Project.open(at: path)
  }

  private func giveBack(_ id: String, _ project: Project) {
    _ = project.takeWarnings()
    lock.with {
      idle.append((id, project))
      if idle.count > keep { idle.removeFirst(idle.count - keep) }
    }
  }
}

/// A pthread mutex (FoundationEssentials has no lock, and `Mutex` needs macOS 15).
final class NSLockish: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }
  func with<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return try body()
  }
}
