import YAML

/// The conflicts a merge of a session with main found, as `sessions/<id>.conflicts.yaml` keeps
/// them on the session's branch, so that anyone with a clone can read and resolve them later.
/// "Ours" is main's value and "theirs" the session's, as in `ConflictRecord`.
public struct ConflictSet: Sendable, Equatable, Encodable {
  /// One conflict and, once settled, how.
  public struct Entry: Sendable, Equatable, Encodable {
    public let file: String
    public let path: String
    public let base: String?
    public let ours: String?
    public let theirs: String?
    /// `ours`, `theirs`, `value` or `file`; nil while open.
    public var resolution: String?
    /// The value chosen with `value` or `file` (YAML text, or a whole file's text); nil removes.
    public var value: String?
    public var resolvedBy: String?
    public var resolvedAt: String?

    init(_ record: ConflictRecord) {
      file = record.file
      path = record.path
      base = record.base
      ours = record.ours
      theirs = record.theirs
    }

    /// `file#path`, the name `casebook resolve` and the `Casebook-Resolved` trailer use.
    public var name: String { "\(file)#\(path)" }
    public var isResolved: Bool { resolution != nil }
    var record: ConflictRecord { ConflictRecord(file: file, path: path, base: base, ours: ours, theirs: theirs) }
    /// A section committed and locked on main that the session changed: only main's text can win.
    var isLockViolation: Bool { ours == ConflictRecord.lockedOnMain }
  }

  public let sessionId: String
  /// The main commit the merge was computed against; the resolved merge merges this commit.
  public let main: String
  /// The session's head when the conflicts were found.
  public let session: String
  /// What found them: `session-merge`, `refresh-session`, `session-resume`, `commit-section`.
  public let operation: String
  public let detectedBy: String
  public let detectedAt: String
  public var conflicts: [Entry]

  init(
    sessionId: String, main: String, session: String, operation: String, by user: String, at time: String,
    conflicts: [ConflictRecord]
  ) {
    self.sessionId = sessionId
    self.main = main
    self.session = session
    self.operation = operation
    self.detectedBy = user
    self.detectedAt = time
    self.conflicts = conflicts.map(Entry.init)
  }

  public var open: [Entry] { conflicts.filter { !$0.isResolved } }

  init(_ map: Mapping, path: String) throws {
    func string(_ key: String, in map: Mapping = map) throws -> String {
      guard let value = map[key]?.string else { throw CasebookError.repository("\(path): '\(key)' is missing") }
      return value
    }
    sessionId = try string("session_id")
    main = try string("main")
    session = try string("session")
    operation = try string("operation")
    detectedBy = try string("detected_by")
    detectedAt = try string("detected_at")
    conflicts = try (map["conflicts"]?.sequence ?? []).map { node in
      guard let item = node.mapping else { throw CasebookError.repository("\(path): a conflict is not a mapping") }
      var entry = Entry(
        ConflictRecord(
          file: try string("file", in: item), path: item["path"]?.string ?? "", base: item["base"]?.string,
          ours: item["ours"]?.string, theirs: item["theirs"]?.string))
      entry.resolution = item["resolution"]?.string
      entry.value = item["value"]?.string
      entry.resolvedBy = item["resolved_by"]?.string
      entry.resolvedAt = item["resolved_at"]?.string
      return entry
    }
  }

  var node: Node {
    var map = Mapping()
    map["session_id"] = .string(sessionId)
    map["main"] = .string(main)
    map["session"] = .string(session)
    map["operation"] = .string(operation)
    map["detected_by"] = .string(detectedBy)
    map["detected_at"] = .string(detectedAt)
    map["sides"] = .string("ours = main, theirs = the session")
    map["conflicts"] = .sequence(
      conflicts.map { entry in
        var item = Mapping()
        item["file"] = .string(entry.file)
        item["path"] = .string(entry.path)
        item["base"] = entry.base.map(Node.string) ?? .null
        item["ours"] = entry.ours.map(Node.string) ?? .null
        item["theirs"] = entry.theirs.map(Node.string) ?? .null
        if let resolution = entry.resolution {
          item["resolution"] = .string(resolution)
          item["value"] = entry.value.map(Node.string) ?? .null
          item["resolved_by"] = entry.resolvedBy.map(Node.string) ?? .null
          item["resolved_at"] = entry.resolvedAt.map(Node.string) ?? .null
        }
        return .mapping(item)
      })
    return .mapping(map)
  }

  /// The recorded resolutions, as a merge takes them.
  var resolutions: ConflictResolutions {
    var out = ConflictResolutions()
    for entry in conflicts {
      switch entry.resolution {
      case "ours": out.choices[entry.file, default: [:]][entry.path] = .ours
      case "theirs": out.choices[entry.file, default: [:]][entry.path] = .theirs
      case "value": out.choices[entry.file, default: [:]][entry.path] = .value(entry.value)
      case "file": if let value = entry.value { out.files[entry.file] = value }
      default: break
      }
    }
    return out
  }
}
