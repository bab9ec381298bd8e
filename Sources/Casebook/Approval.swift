import YAML

/// A reviewer's decision on a committed section, kept as an annotated tag
/// `approved/<section>/v<N>` whose message is YAML (DESIGN.md, "Refs").
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

  /// Reads an approval back from its tag; nil for a tag under `approved/` that is not ours.
  init?(tag: String, message: String) {
    guard let node = try? YAML.parse(message), let section = node["section"]?.string,
      let version = node["version"]?.int,
      let decision = node["decision"]?.string.flatMap(Decision.init(rawValue:)), let reviewer = node["reviewer"]?.string
    else { return nil }
    self.tag = tag
    self.section = section
    self.version = version
    self.decision = decision
    self.reviewer = reviewer
    self.comment = node["comment"]?.string
    self.gateStage = node["gate_stage"]?.string ?? ""
    self.revision = node["revision"]?.int ?? 0
    self.content = node["content"]?.string ?? ""
    self.commit = node["commit"]?.string ?? ""
    self.time = node["time"]?.string ?? ""
    self.recordedBy = node["recorded_by"]?.string ?? reviewer
    if let renderer = node["export_renderer"]?.int, let md = node["export_sha256"]?["md"]?.string,
      let html = node["export_sha256"]?["html"]?.string
    {
      let others = (node["export_approvals"]?.sequence ?? []).compactMap(\.string)
      self.export = ApprovalExport(renderer: renderer, md: md, html: html, approvals: others)
    }
  }
}
