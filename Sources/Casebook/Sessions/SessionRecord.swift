import YAML

/// A session as `sessions/<id>.yaml` records it (the seed's SessionState and SessionLog).
public struct SessionRecord: Sendable, Equatable, Encodable {
  /// `expired`: an active session idle for longer than the project's
  /// `settings.session_idle_minutes` reads as expired until it is resumed; `casebook doctor --fix`
  /// also stores it, so the file agrees. Like a closed session, it takes writes again once resumed.
  public enum Status: String, Sendable, Encodable { case active, closed, expired }

  public let sessionId: String
  public let userId: String
  public let projectId: String
  public var status: Status
  public let startedAt: String
  /// When the session last wrote anything. The file records it at lifecycle events (start,
  /// close, resume); in between, the branch tip's commit time is the live value, so an ordinary
  /// write does not have to rewrite this file.
  public var lastActive: String
  public var endedAt: String?
  /// The main commit the session started from (or was last refreshed against).
  public var base: String
  /// How many exchange records the session holds, read from its exchange tree (not stored).
  public var exchangeCount: Int

  init(sessionId: String, userId: String, projectId: String, startedAt: String, base: String) {
    self.sessionId = sessionId
    self.userId = userId
    self.projectId = projectId
    self.status = .active
    self.startedAt = startedAt
    self.lastActive = startedAt
    self.endedAt = nil
    self.base = base
    self.exchangeCount = 0
  }

  init(_ map: Mapping, path: String) throws {
    func string(_ key: String) throws -> String {
      guard let value = map[key]?.string else { throw CasebookError.repository("\(path): '\(key)' is missing") }
      return value
    }
    sessionId = try string("session_id")
    userId = try string("user_id")
    projectId = try string("project_id")
    guard let status = Status(rawValue: try string("status")) else {
      throw CasebookError.repository("\(path): unknown status")
    }
    self.status = status
    startedAt = try string("started_at")
    lastActive = try string("last_active")
    endedAt = map["ended_at"]?.string
    base = try string("base")
    exchangeCount = 0
  }

  var node: Node {
    var map = Mapping()
    map["session_id"] = .string(sessionId)
    map["user_id"] = .string(userId)
    map["project_id"] = .string(projectId)
    map["status"] = .string(status.rawValue)
    map["started_at"] = .string(startedAt)
    map["last_active"] = .string(lastActive)
    map["ended_at"] = endedAt.map(Node.string) ?? .null
    map["base"] = .string(base)
    return .mapping(map)
  }
}

/// A session as `session list` and `session show` report it: the record plus where its branch is.
public struct SessionSummary: Sendable, Encodable {
  public let session: SessionRecord
  public let branch: String
  public let head: String
  /// True when everything on the session branch is already on main.
  public let merged: Bool
}
