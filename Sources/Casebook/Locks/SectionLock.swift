import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A section lock as `refs/casebook/locks/<section-id>` records it: who holds the section, for
/// which session, since when and until when (docs/ARCHITECTURE.md, "Refs and trees").
///
/// The ref points at a commit whose tree holds one file, `lock.yaml`, with this record, and
/// whose message says what happened with Casebook trailers. Every lock event (take, extend,
/// take over an expired lock, release, forced unlock) is one commit on top of the previous one,
/// moved by compare-and-swap, so the ref is never deleted and `git log refs/casebook/locks/<id>`
/// is the section's complete lock history, forced unlocks included.
///
/// Not to be confused with `SectionRecord.locked`: that flag says a section was *committed*
/// and may only change through `section reopen`; this lock says a session is *editing* it now.
public struct SectionLock: Sendable, Equatable, Encodable {
  /// Whether the lock is held now or was given up.
  public enum State: String, Sendable, Encodable { case held, released }

  public let sectionId: String
  /// The user who holds (or last held) the lock.
  public let userId: String
  /// The session that holds (or last held) the lock.
  public let sessionId: String
  public var state: State
  /// When the holder's session first took the lock (kept when the holder extends it).
  public let since: String
  /// When the lock lapses unless the holder writes again; anyone may take it over after that.
  public var expires: String
  /// For a released lock: who released it, when, why, and whether it was forced.
  public var releasedBy: String?
  public var releasedAt: String?
  public var reason: String?
  public var forced: Bool
  /// The lock ref's commit this record was read from (not stored in the record).
  public var commit: String
  /// Whether `expires` has passed at the time the record was read (not stored).
  public var expired: Bool

  init(sectionId: String, userId: String, sessionId: String, since: String, expires: String) {
    self.sectionId = sectionId
    self.userId = userId
    self.sessionId = sessionId
    self.state = .held
    self.since = since
    self.expires = expires
    self.forced = false
    self.commit = ""
    self.expired = false
  }

  init(_ map: Mapping, path: String) throws {
    func string(_ key: String) throws -> String {
      guard let value = map[key]?.string else { throw CasebookError.repository("\(path): '\(key)' is missing") }
      return value
    }
    sectionId = try string("section_id")
    userId = try string("user_id")
    sessionId = try string("session_id")
    guard let state = State(rawValue: try string("state")) else {
      throw CasebookError.repository("\(path): unknown lock state")
    }
    self.state = state
    since = try string("since")
    expires = try string("expires")
    releasedBy = map["released_by"]?.string
    releasedAt = map["released_at"]?.string
    reason = map["reason"]?.string
    forced = map["forced"]?.bool ?? false
    commit = ""
    expired = false
  }

  var node: Node {
    var map = Mapping()
    map["section_id"] = .string(sectionId)
    map["user_id"] = .string(userId)
    map["session_id"] = .string(sessionId)
    map["state"] = .string(state.rawValue)
    map["since"] = .string(since)
    map["expires"] = .string(expires)
    if state == .released {
      map["released_by"] = releasedBy.map(Node.string) ?? .null
      map["released_at"] = releasedAt.map(Node.string) ?? .null
      map["reason"] = reason.map(Node.string) ?? .null
      map["forced"] = .bool(forced)
    }
    return .mapping(map)
  }

  /// Whether the lock is held and its expiry has passed at `date`.
  func isExpired(at date: Date) -> Bool {
    guard let end = Timestamp.parse(expires) else { return true }
    return end <= date
  }

  /// "bob (session 3f2a…) since T, expires T", for messages.
  var holder: String { "\(userId) (session \(sessionId)) since \(since), expires \(expires)" }
}
