import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Project {
  /// Renders the whole business case at `revision` (a commit, a branch, a tag): a title page
  /// from the profile, every section in template order with its status and its citations as
  /// footnotes, and a table of approvals. It reads only; nothing in the repository changes.
  ///
  /// Which approvals the table shows is fixed so that the same revision always gives the same
  /// bytes while the repository does not change, and an approval's document can be reproduced
  /// however many approvals come after it:
  /// - `revision` names an approval tag that records an export (`approved/<section>/v<N>`):
  ///   the document is rendered *as of* that approval, showing exactly the approvals the tag
  ///   lists (those recorded for its commit or an earlier one when it was made) and itself.
  ///   These are the bytes whose hashes the tag records.
  /// - any other revision: every approval whose tagged commit is the revision's commit or one
  ///   of its ancestors.
  public func export(_ revision: String, format: ExportFormat) throws -> Export {
    let (snapshot, shown, asOf) = try exportSubject(revision)
    return try render(snapshot, approvals: shown, asOf: asOf, format: format)
  }

  /// Re-renders the export of an approval tag and checks it against the hash the tag recorded.
  /// A mismatch (or a tag whose record does not hold together) is a conflict (exit 3).
  public func verifyExport(_ revision: String, format: ExportFormat) throws -> ExportVerification {
    _ = try snapshot(revision: revision)  // a malformed or unknown revision is refused as for any export
    let name = revision.hasPrefix("refs/tags/") ? String(revision.dropFirst("refs/tags/".count)) : revision
    guard name.hasPrefix(Layout.approvalTagPrefix), let tag = try approvalTag(name) else {
      throw CasebookError.badInput(
        "--verify needs an approval tag (approved/<section>/v<N>) that casebook recorded, not '\(Identifier.printable(revision))'"
      )
    }
    guard let recorded = tag.approval.export else {
      throw CasebookError.badInput("\(name) records no export hash (it was made before approvals recorded exports)")
    }
    guard tag.approval.commit == tag.target.hex else {
      throw CasebookError.conflict(
        "\(name) does not verify: the tag points at \(tag.target.hex) but its record names commit \(tag.approval.commit)"
      )
    }
    guard recorded.renderer == Export.renderer else {
      throw CasebookError.conflict(
        "\(name) does not verify: its export was recorded by renderer \(recorded.renderer) and this casebook renders "
          + "with \(Export.renderer); verify with a casebook of that renderer version")
    }
    let export = try export(name, format: format)
    guard export.sha256 == recorded.sha256(format) else {
      throw CasebookError.conflict(
        "\(name) does not verify: the \(format.rawValue) export of \(tag.target.hex.prefix(12)) has sha256 "
          + "\(export.sha256), but the tag records \(recorded.sha256(format))")
    }
    return ExportVerification(tag: name, recorded: recorded.sha256(format), export: export)
  }

  /// Writes an export to `path` atomically (see `Export.write(to:)`), refusing any path inside
  /// this project's git folder: an export never writes into the repository.
  public func write(_ export: Export, to path: String) throws -> String {
    try export.write(to: path, outside: repository.gitDirectory)
  }

  // MARK: - For `approve`

  /// The record an approval about to be tagged on `snapshot`'s commit keeps of its export: both
  /// formats rendered as of the approval itself, with the approvals already recorded for that
  /// commit or an earlier one.
  func approvalExport(of approval: Approval, at snapshot: Snapshot, prior: [Approval]) throws
    -> (record: ApprovalExport, md: Data, html: Data)
  {
    let others = prior.map(\.tag)
    var probe = approval
    probe.export = ApprovalExport(renderer: Export.renderer, md: "", html: "", approvals: others)
    let shown = Self.ordered(prior + [probe])
    let md = try render(snapshot, approvals: shown, asOf: probe, format: .md)
    let html = try render(snapshot, approvals: shown, asOf: probe, format: .html)
    return (
      ApprovalExport(renderer: Export.renderer, md: md.sha256, html: html.sha256, approvals: others), md.content,
      html.content
    )
  }

  /// Approvals whose tagged commit is `commit` or one of its ancestors.
  func approvals(reaching commit: ObjectID) throws -> [Approval] {
    var out: [Approval] = []
    for tag in try repository.annotatedTags(prefix: Layout.approvalTagPrefix) {
      guard let approval = try Approval(tag: tag.name, message: tag.message) else { continue }
      let reaches: Bool
      if tag.target == commit {
        reaches = true
      } else {
        // A tag on something that is not a commit has no ancestry; it is not shown.
        reaches = (try? repository.mergeBase(tag.target, commit)) == tag.target
      }
      if reaches { out.append(approval) }
    }
    return Self.ordered(out)
  }

  // MARK: - Gathering

  private struct ApprovalTag {
    let approval: Approval
    let target: ObjectID
  }

  private func approvalTag(_ name: String) throws -> ApprovalTag? {
    guard let tag = try repository.annotatedTag(named: name),
      let approval = try Approval(tag: name, message: tag.message)
    else { return nil }
    return ApprovalTag(approval: approval, target: tag.target)
  }

  /// The snapshot an export renders, the approvals it shows, and the approval it is "as of".
  private func exportSubject(_ revision: String) throws -> (Snapshot, [Approval], Approval?) {
    let snapshot = try snapshot(revision: revision)
    let name = revision.hasPrefix("refs/tags/") ? String(revision.dropFirst("refs/tags/".count)) : revision
    if name.hasPrefix(Layout.approvalTagPrefix), let tag = try approvalTag(name), let recorded = tag.approval.export {
      var shown = [tag.approval]
      for other in recorded.approvals {
        guard let found = try approvalTag(other) else {
          throw CasebookError.repository(
            "\(name) showed approval \(other) in its export, but that tag is missing here; fetch it (git fetch --tags) to reproduce the approved document"
          )
        }
        shown.append(found.approval)
      }
      return (snapshot, Self.ordered(shown), tag.approval)
    }
    return (snapshot, try approvals(reaching: snapshot.commit!), nil)
  }

  static func ordered(_ approvals: [Approval]) -> [Approval] {
    approvals.sorted { ($0.time, $0.section, $0.version, $0.tag) < ($1.time, $1.section, $1.version, $1.tag) }
  }

  private func render(_ snapshot: Snapshot, approvals: [Approval], asOf: Approval?, format: ExportFormat) throws
    -> Export
  {
    let document = try exportDocument(snapshot, approvals: approvals, asOf: asOf)
    let text: String
    switch format {
    case .md: text = document.markdown()
    case .html: text = document.html()
    }
    return Export(format: format, commit: snapshot.commit!.hex, content: Data(text.utf8), asOf: asOf?.tag)
  }

  private func exportDocument(_ snapshot: Snapshot, approvals: [Approval], asOf: Approval?) throws -> ExportDocument {
    guard let commit = snapshot.commit else { throw CasebookError.notFound("nothing to export at \(snapshot.ref)") }
    guard let config = try snapshot.mapping(Layout.config) else {
      throw CasebookError.notFound("\(commit.hex.prefix(12)) is not a Casebook commit: it has no \(Layout.config)")
    }
    let settings = try ProjectSettings(config)
    let profile = try snapshot.mapping(Layout.profile) ?? Mapping()
    func text(_ key: String) -> String { profile[key].flatMap(ExportDocument.scalarText) ?? "" }
    func strings(_ key: String) -> [String] { (profile[key]?.sequence ?? []).compactMap(ExportDocument.scalarText) }

    // Template order first; then sections the template does not list, by id.
    var entries: [(id: String, title: String?, required: Bool)] = settings.sections.map {
      ($0.id, $0.title, $0.required)
    }
    let listed = Set(entries.map(\.id))
    let extra = try snapshot.entries("sections").compactMap { entry -> String? in
      guard entry.name.hasSuffix(".yaml") else { return nil }
      let id = String(entry.name.dropLast(".yaml".count))
      guard !listed.contains(id), (try? Identifier.section(id)) != nil else { return nil }
      return id
    }.sorted()
    entries += extra.map { ($0, nil, false) }

    var parts: [ExportDocument.Part] = []
    var footnote = 0
    for entry in entries {
      let id = try SectionID(entry.id)
      let record = try sectionRecord(id, in: snapshot)
      guard record != nil || entry.required else { continue }
      var citations: [ExportDocument.Citation] = []
      for source in record?.sources ?? [] {
        footnote += 1
        citations.append(try citation(footnote, source, in: snapshot))
      }
      let content = try record.flatMap { _ in
        try snapshot.data(Layout.sectionContent(id)).map { String(decoding: $0, as: UTF8.self) }
      }
      parts.append(
        ExportDocument.Part(
          number: parts.count + 1, id: entry.id, title: record?.title ?? entry.title ?? entry.id,
          required: entry.required,
          record: record, content: record == nil ? nil : content ?? "", citations: citations,
          approvals: approvals.filter { $0.section == entry.id }))
    }

    let stakeholders = (profile["stakeholders"]?.sequence ?? []).compactMap { item -> ExportDocument.Stakeholder? in
      guard let name = item["name"].flatMap(ExportDocument.scalarText), !name.isEmpty else { return nil }
      return ExportDocument.Stakeholder(name: name, role: item["role"].flatMap(ExportDocument.scalarText))
    }
    let details = profile.filter { !ExportDocument.schemaKeys.contains($0.key) }.map {
      ExportDocument.Detail(key: $0.key, value: $0.value)
    }
    var document = ExportDocument(
      projectTitle: text("project_title").isEmpty ? settings.projectID : text("project_title"),
      projectID: text("project_id").isEmpty ? settings.projectID : text("project_id"),
      gateStage: text("gate_stage"), template: settings.template, commit: commit.hex,
      commitTime: Timestamp.string(try repository.commit(commit).committer.time),
      stakeholders: stakeholders, strategicAlignment: strings("strategic_alignment"), keyRisks: strings("key_risks"),
      details: details, parts: parts, approvals: approvals, asOf: asOf)
    if asOf == nil {
      for approval in approvals {
        let now = try SectionID(approval.section)
        if try snapshot.blobID(Layout.sectionContent(now))?.hex != approval.content {
          document.stale.insert(approval.tag)
        }
      }
    }
    return document
  }

  private func citation(_ number: Int, _ source: SourceReference, in snapshot: Snapshot) throws
    -> ExportDocument.Citation
  {
    guard let input = try? InputID(source.input), let meta = try snapshot.mapping(Layout.inputMeta(input)) else {
      return ExportDocument.Citation(
        number: number, input: source.input, name: nil, locator: source.locator, excerpt: nil)
    }
    let name = meta["name"]?.string ?? source.input
    let excerpt = try self.excerpt(for: source, in: snapshot).map(ExportDocument.trimmedExcerpt)
    return ExportDocument.Citation(
      number: number, input: source.input, name: name, locator: source.locator,
      excerpt: excerpt.flatMap { $0.isEmpty ? nil : $0 })
  }
}
