import Foundation
import Git
import YAML

extension Project {
  /// Largest text Casebook extracts; larger files are stored but not extracted.
  static let maxExtractedBytes = 32 << 20
  /// Media types whose text is the file itself.
  static let extractable: Set<String> = ["text/plain", "text/markdown", "text/csv"]

  /// Adds a file to a session: its bytes (streamed into the object database), `meta.yaml`, and
  /// for text and Markdown the extracted text. The same bytes added again give the same id and
  /// no new commit.
  public func addInput(file path: String, session: String, by user: User) throws -> InputAdded {
    let session = try Identifier.session(session)
    let url = URL(fileURLWithPath: path)
    let name = url.lastPathComponent
    guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
      throw CasebookError.badInput("file name '\(Identifier.printable(name))' has control characters; rename the file")
    }
    let attributes: [FileAttributeKey: Any]
    do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
      throw CasebookError.badInput("no such file: \(path)")
    }
    guard attributes[.type] as? FileAttributeType == .typeRegular else {
      throw CasebookError.badInput("\(path) is not a regular file")
    }
    let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
    guard size > 0 else { throw CasebookError.badInput("\(path) is empty") }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CasebookError.badInput("cannot read \(path)")
    }
    var hash = SHA256()
    var read = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      hash.update(chunk)
      read += chunk.count
    }
    try handle.close()
    let sha = hash.finalize()
    let id = String(sha.prefix(16))
    let ext = Self.safeExtension(url.pathExtension)
    let mediaType = Self.mediaType(ext: ext)
    var text: String?
    if Self.extractable.contains(mediaType), size <= Self.maxExtractedBytes {
      guard let data = FileManager.default.contents(atPath: path), let decoded = String(validatingUTF8Data: data) else {
        throw CasebookError.badInput("\(path) is not valid UTF-8 text")
      }
      text = decoded
    }
    var result: InputAdded?
    let commit: ObjectID?
    do {
    commit = try writeSession(session, by: user) { snapshot, record, pending in
      if let existing = try snapshot.mapping(Layout.inputMeta(id)) {
        result = InputAdded(inputId: id, commit: nil, created: false, record: try InputRecord(existing, path: Layout.inputMeta(id)))
        throw AlreadyPresent()
      }
      let original = ext.map { "original.\($0)" } ?? "original"
      // Written only once the session has accepted the write, so a refusal leaves no object.
      let blob = try repository.createBlob(fromFile: path)
      let meta = InputRecord(
        inputId: id, name: name, mediaType: mediaType, size: read, sha256: sha, uploadedBy: user.id,
        uploadedAt: record.lastActive, session: session, extracted: text != nil,
        lines: text.map(Self.lineCount), original: original)
      pending.put("\(Layout.inputFolder(id))/\(original)", blob: blob)
      try pending.put(Layout.inputMeta(id), yaml: meta.node)
      if let text { try pending.put(Layout.inputText(id), text: text) }
      result = InputAdded(inputId: id, commit: nil, created: true, record: meta)
      return CommitMessage(
        summary: "add input \(name)", body: "\(mediaType), \(read) bytes, sha256 \(sha)", action: "add-input",
        user: user.id, session: session, input: id)
    }
    } catch is AlreadyPresent {
      commit = nil
    }
    guard let commit else { return result! }
    return InputAdded(inputId: id, commit: commit.hex, created: true, record: result!.record)
  }

  /// The inputs a branch holds (main, or a session's).
  public func inputs(session: String? = nil) throws -> [InputRecord] {
    let snapshot = try session.map { try sessionSnapshot($0) } ?? mainSnapshot()
    return try snapshot.entries("inputs").filter { $0.kind == .tree }.compactMap { entry in
      try snapshot.mapping(Layout.inputMeta(entry.name)).map { try InputRecord($0, path: Layout.inputMeta(entry.name)) }
    }.sorted { ($0.uploadedAt, $0.name) < ($1.uploadedAt, $1.name) }
  }

  /// One input with its extracted text.
  public func input(_ id: String, session: String? = nil) throws -> InputView {
    let id = try Identifier.input(id)
    let snapshot = try session.map { try sessionSnapshot($0) } ?? mainSnapshot()
    guard let meta = try snapshot.mapping(Layout.inputMeta(id)) else {
      throw CasebookError.notFound("input \(id) not found on \(session.map { "session \($0)" } ?? "main")")
    }
    let text = try snapshot.data(Layout.inputText(id)).map { String(decoding: $0, as: UTF8.self) }
    return InputView(record: try InputRecord(meta, path: Layout.inputMeta(id)), text: text)
  }

  /// Checks citations against the inputs the session holds, and returns the section's sources
  /// with the new ones added (each once, in order).
  func validatedSources(_ new: [SourceReference], adding existing: [SourceReference], in snapshot: Snapshot) throws
    -> [SourceReference]
  {
    var out = existing
    for source in new {
      guard let map = try snapshot.mapping(Layout.inputMeta(source.input)) else {
        throw CasebookError.badInput(
          "source \(source.description): input \(source.input) is not in this session; add it with 'casebook input add'")
      }
      let input = try InputRecord(map, path: Layout.inputMeta(source.input))
      if let locator = source.locator, input.extracted, let lines = input.lines {
        guard let range = Self.lineRange(locator), range.lowerBound >= 1, range.upperBound <= lines else {
          throw CasebookError.badInput(
            "source \(source.description): locator must be L<line> or L<from>-<to> within the input's \(lines) lines")
        }
      }
      if !out.contains(source) { out.append(source) }
    }
    return out
  }

  static func lineRange(_ locator: String) -> ClosedRange<Int>? {
    guard locator.hasPrefix("L") else { return nil }
    let parts = locator.dropFirst().split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 1 || parts.count == 2, let from = Int(parts[0]) else { return nil }
    let to = parts.count == 2 ? Int(parts[1]) : from
    guard let to, to >= from else { return nil }
    return from...to
  }

  static func lineCount(_ text: String) -> Int {
    var count = 0
    for byte in text.utf8 where byte == 0x0a { count += 1 }
    return text.hasSuffix("\n") || text.isEmpty ? count : count + 1
  }

  static func safeExtension(_ ext: String) -> String? {
    let lower = ext.lowercased()
    guard (1...10).contains(lower.count), lower.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
      return nil
    }
    return lower
  }

  static func mediaType(ext: String?) -> String {
    switch ext {
    case "md", "markdown": return "text/markdown"
    case "txt", "text", "csv", "log": return ext == "csv" ? "text/csv" : "text/plain"
    case "html", "htm": return "text/html"
    case "pdf": return "application/pdf"
    case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    default: return "application/octet-stream"
    }
  }
}

/// Thrown inside a write to say the input is already there, so no commit is made.
struct AlreadyPresent: Error {}

extension String {
  /// Decodes UTF-8 strictly: nil on any invalid sequence, where `String(decoding:)` would
  /// substitute replacement characters silently.
  init?(validatingUTF8Data data: Data) {
    guard let s = String(data: data, encoding: .utf8) else { return nil }
    self = s
  }
}
