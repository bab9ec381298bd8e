import YAML

/// A reviewer's decision on a committed section, kept as an annotated tag
/// `approved/<section>/v<N>` whose message is YAML (docs/ARCHITECTURE.md, "Refs and trees").
public struct Approval: Sendable, Equatable, Encodable {
  public enum Decision: String, Sendable, Encodable, CaseIterable {
    case approved
    case changesRequested = "changes-requested"
    case rejected
  }

  public let tag: String
  public let section: String
  public let version: Int
  public let decision: Decision
  public let reviewer: String
  public let comment: String?
  public let gateStage: String
  public let revision: Int
  /// The blob id of the section text that was approved.
  public let content: String
  /// The main commit the tag points at.
  public let commit: String
  public let time: String
  public let recordedBy: String
  /// The export of the approved commit as this approval saw it: renderer version, SHA-256 per
  /// format, and the other approvals its table showed. nil on tags made before exports were
  /// recorded.
  public internal(set) var export: ApprovalExport?
  /// The commit holding the approved document's bytes (`approved.md`, `approved.html`), at
  /// `refs/casebook/documents/<section>/v<N>`; nil on tags made before documents were kept.
  public internal(set) var document: String?
  /// The request id the approval was made with (`--request-id`), if any, and its fingerprint.
  public internal(set) var requestId: String?
  var requestFingerprint: String?

  var message: String {
    var map = Mapping()
    map["summary"] = .string("\(decision.rawValue) \(section) v\(version) (revision \(revision)) by \(reviewer)")
    map["section"] = .string(section)
    map["version"] = .int(version)
    map["decision"] = .string(decision.rawValue)
    map["reviewer"] = .string(reviewer)
    if let comment { map["comment"] = .string(comment) }
    map["gate_stage"] = .string(gateStage)
    map["revision"] = .int(revision)
    map["content"] = .string(content)
    map["commit"] = .string(commit)
    map["time"] = .string(time)
    map["recorded_by"] = .string(recordedBy)
    if let export {
      map["export_renderer"] = .int(export.renderer)
      map["export_sha256"] = .mapping(["html": .string(export.html), "md": .string(export.md)])
      map["export_approvals"] = .sequence(export.approvals.map(Node.string))
    }
    if let document { map["document"] = .string(document) }
    if let requestId, let requestFingerprint {
      map["request_id"] = .string(requestId)
      map["request_fingerprint"] = .string(requestFingerprint)
    }
    return YAML.emit(.mapping(map))
  }

  init(
    tag: String, section: String, version: Int, decision: Decision, reviewer: String, comment: String?,
    gateStage: String, revision: Int, content: String, commit: String, time: String, recordedBy: String
  ) {
    self.tag = tag
    self.section = section
    self.version = version
    self.decision = decision
    self.reviewer = reviewer
    self.comment = comment
    self.gateStage = gateStage
    self.revision = revision
    self.content = content
    self.commit = commit
    self.time = time
    self.recordedBy = recordedBy
  }

  /// Reads an approval back from its tag. Nil for a tag under `approved/` whose name is not one
  /// the store gives (`approved/<section>/v<N>`); a repository error naming the tag when the
  /// name is one but the message does not read back as that approval (a damaged or forged tag
  /// must not pass as a plain revision in an export).
  init?(tag: String, message: String) throws {
    let parts = tag.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] + "/" == Layout.approvalTagPrefix,
      (try? Identifier.section(String(parts[1]))) != nil,
      parts[2].first == "v", let named = Int(parts[2].dropFirst()), RecordNumber.counts.contains(named), named > 0
    else { return nil }
    func damaged(_ why: String) -> CasebookError {
      .repository("approval tag \(tag) is damaged: \(why)")
    }
    let node: Node
    do { node = try YAML.parse(message) } catch { throw damaged("its message is not YAML (\(error))") }
    guard let map = node.mapping, let section = map["section"]?.string, let version = map["version"]?.int,
      let decision = map["decision"]?.string.flatMap(Decision.init(rawValue:)), let reviewer = map["reviewer"]?.string
    else { throw damaged("its message lacks section, version, decision or reviewer") }
    _ = try RecordNumber.check(version, RecordNumber.counts, "version", in: "approval tag \(tag)")
    self.tag = tag
    self.section = section
    self.version = version
    self.decision = decision
    self.reviewer = reviewer
    self.comment = node["comment"]?.string
    self.gateStage = node["gate_stage"]?.string ?? ""
    self.revision = try RecordNumber.read(map, "revision", in: "approval tag \(tag)") ?? 0
    self.content = node["content"]?.string ?? ""
    self.commit = node["commit"]?.string ?? ""
    self.time = node["time"]?.string ?? ""
    self.recordedBy = node["recorded_by"]?.string ?? reviewer
    if let renderer = try RecordNumber.read(map, "export_renderer", 1...1_000, in: "approval tag \(tag)"),
      let md = node["export_sha256"]?["md"]?.string,
      let html = node["export_sha256"]?["html"]?.string
    {
      let others = (node["export_approvals"]?.sequence ?? []).compactMap(\.string)
      self.export = ApprovalExport(renderer: renderer, md: md, html: html, approvals: others)
    }
    self.document = node["document"]?.string
    self.requestId = node["request_id"]?.string
    self.requestFingerprint = node["request_fingerprint"]?.string
  }
}
