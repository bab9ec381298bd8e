import YAML

/// A section's state as `sections/<id>.yaml` records it (the seed's SectionDraft metadata).
/// The text itself is `sections/<id>.md`. Only the current revision's prompts and feedback are
/// kept here, so the file does not grow with history; earlier ones are in `git log`.
public struct SectionRecord: Sendable, Equatable, Encodable {
  public enum Status: String, Sendable, Codable {
    case drafted, revised, committed, reopened
  }

  public let sectionId: String
  public var title: String
  public var status: Status
  public var revision: Int
  public var locked: Bool
  public var session: String
  public var updatedBy: String
  public var updatedAt: String
  public var sources: [SourceReference]
  public var prompts: [String]
  public var feedback: String?
  /// The exchange whose tool call produced this revision's text, when the write named one.
  public var exchange: String?
  public var committedBy: String?
  public var committedAt: String?

  init(sectionId: String, title: String, session: String, user: String, at time: String) {
    self.sectionId = sectionId
    self.title = title
    self.status = .drafted
    self.revision = 1
    self.locked = false
    self.session = session
    self.updatedBy = user
    self.updatedAt = time
    self.sources = []
    self.prompts = []
  }

  init(_ map: Mapping, path: String) throws {
    guard let id = map["section_id"]?.string, let title = map["title"]?.string,
      let status = map["status"]?.string.flatMap(Status.init(rawValue:)), let revision = map["revision"]?.int
    else { throw CasebookError.repository("\(path) lacks section_id, title, status or revision") }
    sectionId = id
    self.title = title
    self.status = status
    self.revision = try RecordNumber.check(revision, RecordNumber.counts, "revision", in: path)
    locked = map["locked"]?.bool ?? false
    session = map["session"]?.string ?? ""
    updatedBy = map["updated_by"]?.string ?? ""
    updatedAt = map["updated_at"]?.string ?? ""
    sources = try (map["sources"]?.sequence ?? []).map { try SourceReference($0, path: path) }
    prompts = (map["prompts"]?.sequence ?? []).compactMap(\.string)
    feedback = map["feedback"]?.string
    exchange = map["exchange"]?.string
    committedBy = map["committed_by"]?.string
    committedAt = map["committed_at"]?.string
  }

  var node: Node {
    var map = Mapping()
    map["section_id"] = .string(sectionId)
    map["title"] = .string(title)
    map["status"] = .string(status.rawValue)
    map["revision"] = .int(revision)
    map["locked"] = .bool(locked)
    map["session"] = .string(session)
    map["updated_by"] = .string(updatedBy)
    map["updated_at"] = .string(updatedAt)
    map["sources"] = .sequence(sources.map(\.node))
    map["prompts"] = .sequence(prompts.map(Node.string))
    if let feedback { map["feedback"] = .string(feedback) }
    if let exchange { map["exchange"] = .string(exchange) }
    if let committedBy { map["committed_by"] = .string(committedBy) }
    if let committedAt { map["committed_at"] = .string(committedAt) }
    return .mapping(map)
  }
}

/// A citation: an input, and optionally where in it (`L12-18` for lines of text).
public struct SourceReference: Sendable, Equatable, Hashable, Encodable {
  public let input: String
  public let locator: String?

  public init(input: String, locator: String?) {
    self.input = input
    self.locator = locator
  }

  /// Parses `INPUT[:LOCATOR]` as given on the command line.
  public init(parsing text: String) throws {
    let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    input = try InputID(String(parts[0])).text
    if parts.count == 2 {
      let locator = String(parts[1])
      guard !locator.isEmpty, locator.count <= 200, !locator.contains(where: { $0.isNewline }) else {
        throw CasebookError.badInput(
          "source '\(Identifier.printable(text))': the locator after ':' must be one short line")
      }
      self.locator = locator
    } else {
      locator = nil
    }
  }

  init(_ node: Node, path: String) throws {
    guard let input = node["input"]?.string else { throw CasebookError.repository("\(path): a source lacks 'input'") }
    self.input = input
    self.locator = node["locator"]?.string
  }

  var node: Node {
    var map = Mapping()
    map["input"] = .string(input)
    if let locator { map["locator"] = .string(locator) }
    return .mapping(map)
  }

  public var description: String { locator.map { "\(input):\($0)" } ?? input }
}
