#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Every failure the store reports. Each case maps onto one exit code of the CLI contract
/// (docs/ARCHITECTURE.md, "The CLI contract"), so the CLI, the HTTP API and the MCP server can all classify it the same way.
public enum CasebookError: Error, LocalizedError, Sendable, Equatable {
  /// Input that can never succeed as given: a malformed id, a wrong type, invalid YAML.
  case badInput(String)
  /// A named thing (session, section, input, revision) does not exist.
  case notFound(String)
  /// A merge or lock conflict; nothing was written.
  case conflict(String, [ConflictRecord] = [])
  /// The repository or the file system failed underneath us.
  case repository(String)
  /// A git remote failed (sync, later).
  case remote(String)

  public var errorDescription: String? {
    switch self {
    case .badInput(let m), .notFound(let m), .repository(let m), .remote(let m): return m
    case .conflict(let m, let records):
      guard !records.isEmpty else { return m }
      return ([m] + records.map { "  " + $0.description }).joined(separator: "\n")
    }
  }

  /// The process exit code for this error (docs/ARCHITECTURE.md, "The CLI contract").
  public var exitCode: Int32 {
    switch self {
    case .badInput: return 1
    case .notFound: return 2
    case .conflict: return 3
    case .repository: return 4
    case .remote: return 5
    }
  }

  /// A short stable name for the error class, used as `error.code` in JSON output.
  public var code: String {
    switch self {
    case .badInput: return "bad_input"
    case .notFound: return "not_found"
    case .conflict: return "conflict"
    case .repository: return "repository"
    case .remote: return "remote"
    }
  }

  /// Conflicts that came with the error, if any.
  public var conflicts: [ConflictRecord] {
    if case .conflict(_, let records) = self { return records }
    return []
  }
}

/// One unresolved difference found while merging: where, and the three values as YAML text
/// (nil where the value is absent on that side).
public struct ConflictRecord: Sendable, Equatable, Encodable, CustomStringConvertible {
  public let file: String
  public let path: String
  public let base: String?
  public let ours: String?
  public let theirs: String?

  /// The "ours" of a lock violation: a section committed and locked on main after the session
  /// branched, which the session changed anyway.
  static let lockedOnMain = "(committed and locked on main)"

  public var description: String {
    func show(_ v: String?) -> String { v.map { $0.trimmingWhitespace() } ?? "(absent)" }
    let at = path.isEmpty ? file : "\(file): \(path)"
    return "\(at): base \(show(base)), main \(show(ours)), session \(show(theirs))"
  }
}
