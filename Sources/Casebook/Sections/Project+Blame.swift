import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One line of a section's text and where it came from: the revision and commit that last
/// changed it, who and when, the prompts and feedback of that revision, and the exchange (tool
/// call) that produced it, when the write named one.
public struct BlameLine: Sendable, Encodable, Equatable {
  public struct Exchange: Sendable, Encodable, Equatable {
    public let id: String
    public let tool: String
    public let prompt: String?
    public let response: String?
  }

  public let line: Int
  public let text: String
  public let revision: Int?
  public let commit: String
  public let author: String
  public let time: String
  /// The write's `Casebook-Action` (`draft-section`, `revise-section`, …).
  public let action: String?
  public let prompts: [String]
  public let feedback: String?
  public let exchange: Exchange?
}

extension Project {
  /// Blames each line of section `id` on the write that last changed it, on main, a session's
  /// branch, or at a revision (as `section show` reads them): `git blame` of `sections/<id>.md`
  /// joined with that commit's section record and the exchange its write named.
  public func blame(_ id: String, session: String? = nil, at revision: String? = nil) throws -> [BlameLine] {
    let id = try SectionID(id)
    let snapshot = try sectionSnapshot(id, session: session, at: revision)
    guard let data = try snapshot.data(Layout.sectionContent(id)) else {
      throw CasebookError.notFound("section \(id) not found at \(revision ?? snapshot.ref)")
    }
    var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      .map(String.init)
    if lines.last == "" { lines.removeLast() }
    struct Origin {
      let commit: Commit
      let record: SectionRecord?
      let exchange: BlameLine.Exchange?
    }
    var origins: [ObjectID: Origin] = [:]
    func origin(_ commitID: ObjectID) throws -> Origin {
      if let known = origins[commitID] { return known }
      let commit = try repository.commit(commitID)
      let at = try Snapshot(repository: repository, records: records, ref: snapshot.ref, commit: commitID)
      let record = try sectionRecord(id, in: at)
      let named = commit.trailers.first { $0.key == "Casebook-Exchange" }?.value ?? record?.exchange
      let found = try named.flatMap { try exchange($0, in: at) }
      let made = Origin(commit: commit, record: record, exchange: found)
      origins[commitID] = made
      return made
    }
    var out: [BlameLine] = []
    for hunk in try repository.blame(path: Layout.sectionContent(id), newest: snapshot.commit!) {
      let from = try origin(hunk.commit)
      for line in hunk.startLine..<(hunk.startLine + hunk.lineCount) where line >= 1 && line <= lines.count {
        out.append(
          BlameLine(
            line: line, text: lines[line - 1], revision: from.record?.revision, commit: hunk.commit.hex,
            author: from.commit.author.name, time: Timestamp.string(from.commit.author.time),
            action: from.commit.trailers.first { $0.key == "Casebook-Action" }?.value,
            prompts: from.record?.prompts ?? [], feedback: from.record?.feedback, exchange: from.exchange))
      }
    }
    return out.sorted { $0.line < $1.line }
  }

  /// The exchange with this id (`<session>-<sequence>`) as the snapshot holds it.
  private func exchange(_ id: String, in snapshot: Snapshot) throws -> BlameLine.Exchange? {
    guard let dash = id.lastIndex(of: "-"), let session = try? SessionID(String(id[..<dash])),
      let sequence = Int(id[id.index(after: dash)...]), RecordNumber.counts.contains(sequence)
    else { return nil }
    let path = Layout.exchange(session: session, sequence: sequence)
    guard let map = try snapshot.mapping(path) else { return nil }
    let record = try ExchangeRecord(map, path: path)
    return BlameLine.Exchange(id: id, tool: record.toolName, prompt: record.prompt, response: record.response)
  }
}
