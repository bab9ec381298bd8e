import YAML

/// An uploaded input as `inputs/<id>/meta.yaml` records it.
public struct InputRecord: Sendable, Equatable, Codable {
  public let inputId: String
  public let name: String
  public let mediaType: String
  public let size: Int
  public let sha256: String
  public let uploadedBy: String
  public let uploadedAt: String
  public let session: String
  /// Whether text was extracted (`text.txt`); files Casebook cannot read are stored as they are.
  public let extracted: Bool
  /// Lines of extracted text; citations into text give `L<from>-<to>` within them.
  public let lines: Int?
  /// Where the original bytes are, inside the input's folder.
  public let original: String
  /// Pages (PDF), paragraphs and headings in the extracted text, which `p<n>`, `para<n>` and
  /// `#Heading` citations point into (`locators.yaml` maps them to lines of `text.txt`).
  public let pages: Int?
  public let paragraphs: Int?
  public let headings: Int?

  init(
    inputId: String, name: String, mediaType: String, size: Int, sha256: String, uploadedBy: String,
    uploadedAt: String, session: String, extracted: Bool, lines: Int?, original: String, pages: Int? = nil,
    paragraphs: Int? = nil, headings: Int? = nil
  ) {
    self.inputId = inputId
    self.name = name
    self.mediaType = mediaType
    self.size = size
    self.sha256 = sha256
    self.uploadedBy = uploadedBy
    self.uploadedAt = uploadedAt
    self.session = session
    self.extracted = extracted
    self.lines = lines
    self.original = original
    self.pages = pages
    self.paragraphs = paragraphs
    self.headings = headings
  }

  init(_ map: Mapping, path: String) throws {
    guard let id = map["input_id"]?.string, let name = map["name"]?.string, let size = map["size"]?.int,
      let sha = map["sha256"]?.string, let original = map["original"]?.string
    else { throw CasebookError.repository("\(path) lacks input_id, name, size, sha256 or original") }
    inputId = id
    self.name = name
    mediaType = map["media_type"]?.string ?? "application/octet-stream"
    self.size = try RecordNumber.check(size, 0...Int(Int64.max / 2), "size", in: path)
    sha256 = sha
    uploadedBy = map["uploaded_by"]?.string ?? ""
    uploadedAt = map["uploaded_at"]?.string ?? ""
    session = map["session"]?.string ?? ""
    extracted = map["extracted"]?.bool ?? false
    lines = try RecordNumber.read(map, "lines", in: path)
    self.original = original
    pages = try RecordNumber.read(map, "pages", in: path)
    paragraphs = try RecordNumber.read(map, "paragraphs", in: path)
    headings = try RecordNumber.read(map, "headings", in: path)
  }

  var node: Node {
    var map = Mapping()
    map["input_id"] = .string(inputId)
    map["name"] = .string(name)
    map["media_type"] = .string(mediaType)
    map["size"] = .int(size)
    map["sha256"] = .string(sha256)
    map["uploaded_by"] = .string(uploadedBy)
    map["uploaded_at"] = .string(uploadedAt)
    map["session"] = .string(session)
    map["extracted"] = .bool(extracted)
    if let lines { map["lines"] = .int(lines) }
    if let pages { map["pages"] = .int(pages) }
    if let paragraphs { map["paragraphs"] = .int(paragraphs) }
    if let headings { map["headings"] = .int(headings) }
    map["original"] = .string(original)
    return .mapping(map)
  }
}

/// The outcome of `input add`.
public struct InputAdded: Sendable, Codable {
  public let inputId: String
  /// nil when the same bytes were already there: inputs are content-addressed.
  public let commit: String?
  public let created: Bool
  public let record: InputRecord
}

extension InputAdded: ReplayableResult {
  func replayed(commit: String, in project: Project) -> InputAdded {
    InputAdded(inputId: inputId, commit: commit, created: created, record: record)
  }
}

/// An input with its extracted text, for `input show`.
public struct InputView: Sendable, Encodable {
  public let record: InputRecord
  public let text: String?
  /// The locators a citation may use: `L1-<n>`, `p1-<n>`, `para1-<n>`, and every heading path.
  public var locators: [String] = []
}
