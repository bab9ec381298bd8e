import Git
import TextExtraction
import YAML

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

extension Project {
  /// Adds a file to a session: its bytes (streamed into the object database), `meta.yaml`, and
  /// for the formats Casebook reads (text, Markdown, HTML, PDF, DOCX) the extracted text with its
  /// locator map. Any other file is stored with `extracted: false`. The same bytes added again
  /// give the same id and no new commit. A file that is not what it claims to be is refused and
  /// nothing is stored.
  public func addInput(file path: String, session: String, request: RequestID? = nil, by user: User) throws
    -> InputAdded
  {
    let session = try SessionID(session)
    let url = URL(fileURLWithPath: path)
    let name = url.lastPathComponent
    guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
      throw CasebookError.badInput("file name '\(Identifier.printable(name))' has control characters; rename the file")
    }
    // A link is followed to what it names; what is read must be a regular file, never a
    // device, a FIFO or a folder (reading those would block or never end). POSIX calls rather
    // than FileHandle and NSString, which exist only in libFoundation (see DECISIONS.md).
    let resolved = System.resolved(path)
    switch System.kind(resolved) {
    case nil: throw CasebookError.badInput("no such file: \(path)")
    case .file: break
    case .folder, .other: throw CasebookError.badInput("\(path) is not a regular file")
    }
    func unreadable(_ code: Int32) -> CasebookError {
      .badInput("cannot read \(path): \(System.errorText(code).lowercased())")
    }
    let fd = System.openForReading(resolved)
    guard fd >= 0 else { throw unreadable(errno) }
    defer { close(fd) }
    // One pass in 1 MiB chunks: the hash and the first bytes (for sniffing) without ever holding
    // the file in memory.
    var hash = SHA256()
    var read = 0
    var head = Data()
    var chunk = Data(count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(read)) }
      if n < 0 {
        if errno == EINTR { continue }
        throw unreadable(errno)
      }
      if n == 0 { break }
      hash.update(chunk.prefix(n))
      if head.count < 4096 { head.append(chunk.prefix(min(n, 4096 - head.count))) }
      read += n
    }
    guard read > 0 else { throw CasebookError.badInput("\(path) is empty") }
    let sha = hash.finalize()
    let id = try InputID(String(sha.prefix(16)))
    let ext = Self.safeExtension(url.pathExtension)
    let mediaType = try Self.mediaType(ext: ext, head: head, name: name)
    // Extraction waits until the session has accepted the write and the input is new, and runs
    // once however often the write is retried.
    var extraction: (mediaType: String, text: ExtractedText?)?
    func extract() throws -> (mediaType: String, text: ExtractedText?) {
      if let extraction { return extraction }
      let made = try Self.extract(path: resolved, name: name, mediaType: mediaType, size: read)
      extraction = made
      return made
    }
    let ticket = RequestTicket.make(
      request, action: "add-input", [("session", session.text), ("name", name), ("sha256", sha)])
    return try once(ticket, session: session) {
      var result: InputAdded?
      let commit: ObjectID?
      do {
        commit = try writeSession(
          session, by: user, request: ticket,
          result: InputAdded(inputId: id.text, commit: "", created: true, record: result!.record)
        ) { snapshot, record, pending in
          if let existing = try snapshot.mapping(Layout.inputMeta(id)) {
            result = InputAdded(
              inputId: id.text, commit: nil, created: false,
              record: try InputRecord(existing, path: Layout.inputMeta(id))
            )
            throw AlreadyPresent()
          }
          let (mediaType, text) = try extract()
          let original = ext.map { "original.\($0)" } ?? "original"
          // Written only once the session has accepted the write, so a refusal leaves no object.
          let blob = try repository.createBlob(fromFile: resolved)
          let meta = InputRecord(
            inputId: id.text, name: name, mediaType: mediaType, size: read, sha256: sha, uploadedBy: user.id,
            uploadedAt: record.lastActive, session: session.text, extracted: text != nil, lines: text?.lines.count,
            original: original, pages: text.flatMap { $0.paged ? $0.pages.count : nil },
            paragraphs: text.flatMap { $0.paragraphs.isEmpty ? nil : $0.paragraphs.count },
            headings: text.flatMap { $0.headings.isEmpty ? nil : $0.headings.count })
          pending.put("\(Layout.inputFolder(id))/\(original)", blob: blob)
          try pending.put(Layout.inputMeta(id), yaml: meta.node)
          if let text {
            try pending.put(Layout.inputText(id), text: text.text)
            try pending.put(Layout.inputLocators(id), yaml: text.locatorsNode)
          }
          result = InputAdded(inputId: id.text, commit: nil, created: true, record: meta)
          return CommitMessage(
            summary: "add input \(name)", body: "\(mediaType), \(read) bytes, sha256 \(sha)", action: "add-input",
            user: user.id, session: session, input: id)
        }
      } catch is AlreadyPresent {
        commit = nil
      }
      guard let commit else { return result! }
      return InputAdded(inputId: id.text, commit: commit.hex, created: true, record: result!.record)
    }
  }

  /// Extracts the text of a file of `mediaType`: the final media type and the text, or nil for
  /// a file stored as it is. The one place Casebook calls extraction, with `mediaType(…)`, and so
  /// the one place its errors become Casebook's: the file at fault is bad input (exit 1), the
  /// machine at fault a failure underneath the store (exit 4).
  static func extract(path: String, name: String, mediaType: String, size: Int) throws(CasebookError)
    -> (mediaType: String, text: ExtractedText?)
  {
    do { return try Extraction.text(path: path, name: name, mediaType: mediaType, size: size) } catch {
      throw CasebookError(error)
    }
  }

  /// What the file is, from its first bytes and extension (see `Extraction.mediaType`).
  static func mediaType(ext: String?, head: Data, name: String) throws(CasebookError) -> String {
    do { return try Extraction.mediaType(ext: ext, head: head, name: name) } catch { throw CasebookError(error) }
  }

  /// The inputs a branch holds (main, or a session's).
  public func inputs(session: String? = nil) throws -> [InputRecord] {
    let snapshot = try session.map { try sessionSnapshot(SessionID($0)) } ?? mainSnapshot()
    return try snapshot.entries("inputs").filter { $0.kind == .tree }.compactMap { entry in
      guard let id = try? InputID(entry.name) else { return nil }
      return try snapshot.mapping(Layout.inputMeta(id)).map { try InputRecord($0, path: Layout.inputMeta(id)) }
    }.sorted { ($0.uploadedAt, $0.name) < ($1.uploadedAt, $1.name) }
  }

  /// One input with its extracted text.
  public func input(_ id: String, session: String? = nil) throws -> InputView {
    let id = try InputID(id)
    let snapshot = try session.map { try sessionSnapshot(SessionID($0)) } ?? mainSnapshot()
    guard let meta = try snapshot.mapping(Layout.inputMeta(id)) else {
      throw CasebookError.notFound("input \(id) not found on \(session.map { "session \($0)" } ?? "main")")
    }
    let extracted = try extractedText(id, in: snapshot)
    return InputView(
      record: try InputRecord(meta, path: Layout.inputMeta(id)), text: extracted?.text,
      locators: extracted?.locatorSummary ?? [])
  }

  static func safeExtension(_ ext: String) -> String? {
    let lower = ext.lowercased()
    guard (1...10).contains(lower.count), lower.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
      return nil
    }
    return lower
  }
}

/// Thrown inside a write to say the input is already there, so no commit is made.
struct AlreadyPresent: Error {}

extension CasebookError {
  /// An extraction failure as Casebook reports it, the message unchanged.
  init(_ error: ExtractionError) {
    switch error {
    case .badInput(let message): self = .badInput(message)
    case .environment(let message): self = .repository(message)
    }
  }
}
