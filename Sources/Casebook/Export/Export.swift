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

/// The formats `casebook export` renders the business case in.
public enum ExportFormat: String, Sendable, CaseIterable, Encodable {
  /// Markdown (GitHub-flavoured, with footnotes), for reading in any text editor or git host.
  case md
  /// One self-contained HTML file (inline CSS, no scripts, nothing loaded) that prints on A4.
  case html
}

/// A rendered business case: the bytes, their SHA-256, and what was rendered.
public struct Export: Sendable {
  /// Which version of the renderer made these bytes. An approval tag records it beside the
  /// hashes, so a verification made by a later casebook that renders differently can say so
  /// instead of reporting a false mismatch. Bump it whenever the output of either format changes.
  public static let renderer = 3

  public let format: ExportFormat
  /// The commit whose tree was rendered (full hex id).
  public let commit: String
  /// The document, UTF-8 with `\n` line endings.
  public let content: Data
  /// SHA-256 of `content`, lowercase hex (what `sha256sum` prints).
  public let sha256: String
  /// The approval tag this export was rendered "as of" (see `Project.export`), or nil when the
  /// revision was not an approval tag that records an export.
  public let asOf: String?

  init(format: ExportFormat, commit: String, content: Data, asOf: String?) {
    self.format = format
    self.commit = commit
    self.content = content
    var hash = SHA256()
    hash.update(content)
    self.sha256 = hash.finalize()
    self.asOf = asOf
  }

  /// Writes the document to `path` atomically: into a new temporary file in the same folder,
  /// flushed, then renamed over `path`, so a reader sees the old file or the whole new one and a
  /// failure leaves nothing half-written. Returns the absolute path written.
  ///
  /// A path whose folder is missing, that names a folder, or that lies inside a git folder is
  /// bad input (the export never writes into a repository's database); a failure to write is an
  /// I/O error.
  public func write(to path: String) throws -> String {
    try write(to: path, outside: nil)
  }

  /// `write(to:)`, refusing any path inside `gitDirectory` too (a bare repository's folder has
  /// no `.git` in its name).
  func write(to path: String, outside gitDirectory: String?) throws -> String {
    guard !path.isEmpty, !path.contains("\0") else { throw CasebookError.badInput("--out needs a file path") }
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let target = url.path
    let folder = url.deletingLastPathComponent().path
    guard System.isFolder(folder) else {
      throw CasebookError.badInput("cannot write \(path): \(folder) is not an existing folder")
    }
    if System.isFolder(target) {
      throw CasebookError.badInput("cannot write \(path): it is a folder")
    }
    let resolvedFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().pathComponents
    let gitFolder = gitDirectory.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().pathComponents }
    if resolvedFolder.contains(".git") || gitFolder.map({ resolvedFolder.starts(with: $0) }) == true {
      throw CasebookError.badInput(
        "cannot write \(path): it is inside a git folder, and an export never writes into a repository")
    }
    let temporary = URL(fileURLWithPath: folder)
      .appendingPathComponent(".\(url.lastPathComponent).casebook-\(UUID().uuidString.prefix(8)).tmp").path
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw CasebookError.repository("cannot write \(path): \(String(cString: strerror(errno)))")
    }
    var failure = content.withUnsafeBytes { System.writeAll(fd, $0) }
    if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
    if failure == nil, rename(temporary, target) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
      unlink(temporary)
      throw CasebookError.repository("cannot write \(path): \(failure)")
    }
    return target
  }
}

/// What an approval tag records about the export of the approved commit, so that the approved
/// document can be re-rendered later and checked byte for byte (`casebook export TAG --verify`).
public struct ApprovalExport: Sendable, Equatable, Encodable {
  /// `Export.renderer` of the casebook that recorded the hashes.
  public let renderer: Int
  /// SHA-256 of the Markdown export.
  public let md: String
  /// SHA-256 of the HTML export.
  public let html: String
  /// The other approval tags that the export's approvals table shows (the approval itself is
  /// shown too). Recorded rather than recomputed because approvals made elsewhere and fetched
  /// later must not change what this approval saw.
  public let approvals: [String]

  /// The recorded hash of one format.
  public func sha256(_ format: ExportFormat) -> String {
    switch format {
    case .md: return md
    case .html: return html
    }
  }
}

/// The outcome of `casebook export REV --verify`.
public struct ExportVerification: Sendable {
  /// The approval tag verified.
  public let tag: String
  /// The hash the tag records for the format.
  public let recorded: String
  /// The re-rendered document, whose hash equals `recorded`.
  public let export: Export
}
