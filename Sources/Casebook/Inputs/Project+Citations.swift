import Git
import TextExtraction
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One citation of a section, with what it points to.
public struct CitedSource: Sendable, Encodable, Equatable {
  public let input: String
  public let locator: String?
  /// The input's file name and media type (nil when the input is missing from the revision read).
  public let name: String?
  public let mediaType: String?
  /// The cited text, trimmed (nil without a locator, or for an input with no text).
  public let excerpt: String?
}

/// Where an input is cited: the sections that cite it now, and every draft or revision that added
/// a citation of it (from the commits' `Casebook-Source` trailers).
public struct InputCitations: Sendable, Encodable {
  /// A section whose current record cites the input.
  public struct Current: Sendable, Encodable, Equatable {
    public let sectionId: String
    public let title: String
    public let revision: Int
    public let status: SectionRecord.Status
    public let locators: [String]
  }

  /// A commit that added a citation of the input.
  public struct Event: Sendable, Encodable, Equatable {
    public let commit: String
    public let time: String
    public let user: String
    public let action: String?
    public let sectionId: String?
    public let revision: Int?
    public let locator: String?
  }

  public let inputId: String
  public let current: [Current]
  public let history: [Event]
}

extension Project {
  /// The text a citation points to, whitespace collapsed and trimmed to about 400 characters:
  /// what an export renders as the citation's footnote ("" for a page with no text). Nil when
  /// the source has no locator, the input has no extracted text, or the locator no longer
  /// resolves (citations are checked when written, so that means a repository written by
  /// something else).
  func excerpt(for source: SourceReference, in snapshot: Snapshot) throws -> String? {
    guard let locator = source.locator, let input = try? InputID(source.input),
      let text = try extractedText(input, in: snapshot)
    else { return nil }
    guard case .success(let range) = text.resolve(locator) else { return nil }
    // A locator that resolves to no text (a blank page) gives "", not nil.
    return range.map { text.excerpt($0) } ?? ""
  }

  /// An input's extracted text with its locator map, or nil when it has none (or is absent).
  func extractedText(_ input: InputID, in snapshot: Snapshot) throws -> ExtractedText? {
    guard let data = try snapshot.data(Layout.inputText(input)) else { return nil }
    return try ExtractedText(
      text: String(decoding: data, as: UTF8.self), locators: try snapshot.mapping(Layout.inputLocators(input)),
      path: Layout.inputLocators(input))
  }

  /// Checks citations against the inputs the session holds — the input must be there, and a
  /// locator must name lines, pages, paragraphs or a heading it has — and returns the section's
  /// sources with the new ones added (each once, in order).
  func validatedSources(_ new: [SourceReference], adding existing: [SourceReference], in snapshot: Snapshot) throws
    -> [SourceReference]
  {
    var out = existing
    for source in new {
      let id = try InputID(source.input)
      guard let map = try snapshot.mapping(Layout.inputMeta(id)) else {
        throw CasebookError.badInput(
          "source \(source.description): input \(source.input) is not in this session; add it with 'casebook input add'"
        )
      }
      let input = try InputRecord(map, path: Layout.inputMeta(id))
      if let locator = source.locator {
        guard input.extracted, let text = try extractedText(id, in: snapshot) else {
          throw CasebookError.badInput(
            "source \(source.description): input \(input.name) (\(input.mediaType)) has no extracted text, so no locator can point into it; cite it as \(source.input) alone"
          )
        }
        if case .failure(let error) = text.resolve(locator) {
          throw CasebookError.badInput("source \(source.description): \(error.message)")
        }
      }
      if !out.contains(source) { out.append(source) }
    }
    return out
  }

  /// What supports a section: each citation with its input's name and the cited excerpt, read
  /// from the same revision as the section (main, a session, or `at` a revision).
  public func sectionSources(_ id: String, session: String? = nil, at revision: String? = nil) throws -> [CitedSource] {
    let id = try SectionID(id)
    let snapshot = try sectionSnapshot(id, session: session, at: revision)
    guard let record = try sectionRecord(id, in: snapshot) else {
      throw CasebookError.notFound("section \(id) not found at \(revision ?? snapshot.ref)")
    }
    return try record.sources.map { source in
      let input = try InputID(source.input)
      let meta = try snapshot.mapping(Layout.inputMeta(input)).map {
        try InputRecord($0, path: Layout.inputMeta(input))
      }
      return CitedSource(
        input: source.input, locator: source.locator, name: meta?.name, mediaType: meta?.mediaType,
        excerpt: try excerpt(for: source, in: snapshot))
    }
  }

  /// Where an input is used on a branch (main, or a session's): the sections citing it now, and
  /// the history of commits that added a citation of it, newest first.
  public func inputCitations(_ id: String, session: String? = nil) throws -> InputCitations {
    let id = try InputID(id)
    let snapshot = try session.map { try sessionSnapshot(SessionID($0)) } ?? mainSnapshot()
    guard try snapshot.exists(Layout.inputMeta(id)) else {
      throw CasebookError.notFound("input \(id) not found on \(session.map { "session \($0)" } ?? "main")")
    }
    var current: [InputCitations.Current] = []
    for entry in try snapshot.entries("sections") where entry.name.hasSuffix(".yaml") {
      guard let section = try? SectionID(String(entry.name.dropLast(".yaml".count))),
        let record = try sectionRecord(section, in: snapshot)
      else { continue }
      let citing = record.sources.filter { $0.input == id.text }
      guard !citing.isEmpty else { continue }
      current.append(
        InputCitations.Current(
          sectionId: section.text, title: record.title, revision: record.revision, status: record.status,
          locators: citing.compactMap(\.locator)))
    }
    var history: [InputCitations.Event] = []
    for commit in try repository.log(from: snapshot.commit!, path: "sections") {
      let trailers = commit.trailers
      let cited = trailers.filter { $0.key == "Casebook-Source" }.compactMap { trailer -> String?? in
        let parts = trailer.value.split(separator: ":", maxSplits: 1)
        guard parts.first.map(String.init) == id.text else { return nil }
        return parts.count == 2 ? .some(String(parts[1])) : .some(nil)
      }
      func value(_ key: String) -> String? { trailers.last { $0.key == key }?.value }
      for locator in cited {
        history.append(
          InputCitations.Event(
            commit: commit.id.hex, time: Timestamp.string(commit.committer.time), user: commit.author.name,
            action: value("Casebook-Action"), sectionId: value("Casebook-Section"),
            revision: value("Casebook-Revision").flatMap(Int.init), locator: locator))
      }
    }
    return InputCitations(inputId: id.text, current: current, history: history)
  }
}
