import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What `casebook verify` found (README, "Verifying a project").
public struct VerifyReport: Sendable, Encodable {
  /// One thing that does not hold: the object (a commit, tag or ref, and a path), the rule it
  /// breaks, and what was found.
  public struct Finding: Sendable, Encodable, Equatable {
    public let object: String
    public let rule: String
    public let detail: String
  }

  public let commits: Int
  public let approvals: [ApprovalStatus]
  public let inputsChecked: Int
  public let findings: [Finding]
  public var verified: Bool { findings.isEmpty }

  enum CodingKeys: String, CodingKey { case commits, approvals, inputsChecked, findings, verified }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(commits, forKey: .commits)
    try container.encode(approvals, forKey: .approvals)
    try container.encode(inputsChecked, forKey: .inputsChecked)
    try container.encode(findings, forKey: .findings)
    try container.encode(verified, forKey: .verified)
  }
}

extension Project {
  /// The rules `verify` checks, by name.
  public enum VerifyRule {
    public static let approvalTarget = "approval-target"
    public static let approvalContent = "approval-content"
    public static let approvalDocument = "approval-document"
    public static let approvalTagger = "approval-tagger"
    public static let approvalAuthorised = ReceiveRules.approvalAuthorised
    public static let inputBytes = "input-bytes"
    public static let sessionRecord = "session-record"
    public static let lockRecord = "lock-record"
    public static let signatureMissing = ReceiveRules.signatureMissing
    public static let signatureInvalid = ReceiveRules.signatureInvalid
    public static let signatureSigner = ReceiveRules.signatureSigner
  }

  /// Walks the whole history (every commit reachable from any ref) and checks what `git fsck`
  /// cannot: every YAML record parses to its schema (the hook's `yaml-parses`/`record-reads`),
  /// every input's bytes match the SHA-256 its `meta.yaml` records, every approval tag points at
  /// the commit it names with the section text it names, its kept document matches its hashes,
  /// its tagger is who it says acted and was allowed to approve by the approvers list of the
  /// approved commit, and every session branch and lock ref holds its own record. A stale
  /// approval (the section changed since) is reported in `approvals`, not as a finding.
  public func verify(commitLimit: Int = 1_000_000) throws -> VerifyReport {
    var findings: [VerifyReport.Finding] = []
    func find(_ object: String, _ rule: String, _ detail: String) {
      findings.append(VerifyReport.Finding(object: object, rule: rule, detail: detail))
    }
    let (commits, more) = try repository.reachableCommits(limit: commitLimit)
    if more { throw CasebookError.badInput("the history has more than \(commitLimit) commits; nothing was checked") }
    for refusal in try ReceiveRules.checkHistory(in: repository, commits: commits) {
      find("commit \(refusal.ref)", refusal.rule, refusal.detail)
    }
    let inputs = try verifyInputs(commits, find)
    var signatures = try SignatureCheck(repository: repository, main: repository.referenceTarget(Layout.main))
    for id in commits {
      for problem in try signatures.check(repository.commit(id)) {
        find("commit \(id.hex)", problem.rule, problem.detail)
      }
    }
    try verifyApprovals(signatures: &signatures, find)
    try verifyRefs(find)
    return VerifyReport(
      commits: commits.count, approvals: try approvalStatuses(), inputsChecked: inputs, findings: findings)
  }

  /// Every input's original against its meta.yaml, once per (meta, original) pair that a commit
  /// of the history adds or changes.
  private func verifyInputs(_ commits: [ObjectID], _ find: (String, String, String) -> Void) throws -> Int {
    var seen = Set<String>()
    for id in commits {
      let commit = try repository.commit(id)
      let parent = try commit.parents.first.map { try repository.treeID(ofCommit: $0) }
      let touched = Set(
        try repository.changedPaths(from: parent, to: commit.tree).compactMap { change -> String? in
          let parts = change.path.split(separator: "/")
          return parts.count == 3 && parts[0] == "inputs" ? String(parts[1]) : nil
        })
      for input in touched.sorted() {
        guard let meta = try repository.entry(at: "inputs/\(input)/meta.yaml", inTree: commit.tree) else { continue }
        guard let map = try? YAML.parse(repository.blob(meta.id)).mapping,
          let record = try? InputRecord(map, path: "inputs/\(input)/meta.yaml")
        else { continue }  // a record that does not read is the record rules' finding
        let path = "inputs/\(input)/\(record.original)"
        guard let original = try repository.entry(at: path, inTree: commit.tree) else {
          find(
            "commit \(id.hex):\(path)", VerifyRule.inputBytes, "meta.yaml names \(record.original), which is missing")
          continue
        }
        guard seen.insert("\(meta.id.hex) \(original.id.hex)").inserted else { continue }
        let bytes = try repository.blob(original.id)
        var hash = SHA256()
        hash.update(bytes)
        let sha = hash.finalize()
        if sha != record.sha256 || bytes.count != record.size {
          find(
            "commit \(id.hex):\(path)", VerifyRule.inputBytes,
            "the bytes hash to \(sha) (\(bytes.count) bytes), but meta.yaml records \(record.sha256) (\(record.size) bytes)"
          )
        } else if !sha.hasPrefix(input) {
          find(
            "commit \(id.hex):\(path)", VerifyRule.inputBytes, "the input id \(input) is not its SHA-256's first digits"
          )
        }
      }
    }
    return seen.count
  }

  private func verifyApprovals(signatures: inout SignatureCheck, _ find: (String, String, String) -> Void) throws {
    for tag in try repository.annotatedTags(prefix: Layout.approvalTagPrefix) {
      let object = "tag \(tag.name)"
      for problem in try signatures.check(tag) { find(object, problem.rule, problem.detail) }
      let approval: Approval
      do {
        guard let read = try Approval(tag: tag.name, message: tag.message) else { continue }
        approval = read
      } catch {
        find(object, ReceiveRules.approvalTagAnnotated, error.explanation)
        continue
      }
      guard tag.target.hex == approval.commit else {
        find(
          object, VerifyRule.approvalTarget, "the tag points at \(tag.target.hex), its record names \(approval.commit)")
        continue
      }
      let section = try SectionID(approval.section)
      let text = try repository.entry(
        at: Layout.sectionContent(section), inTree: repository.treeID(ofCommit: tag.target))
      if text?.id.hex != approval.content {
        find(
          object, VerifyRule.approvalContent,
          "\(Layout.sectionContent(section)) at \(tag.target.hex.prefix(12)) is \(text?.id.hex ?? "missing"), the record names \(approval.content)"
        )
      }
      // Tags made before the tagger became who acted (they keep no document) were tagged with
      // the reviewer's role.
      let legacy = approval.document == nil && tag.tagger?.name == approval.reviewer
      if let tagger = tag.tagger?.name, tagger != approval.recordedBy, !legacy {
        find(object, VerifyRule.approvalTagger, "tagged by \(tagger), but the record says \(approval.recordedBy) acted")
      }
      let approvedAt = try Snapshot(repository: repository, records: records, ref: tag.name, commit: tag.target)
      let gate = try approvedAt.yaml(Layout.profile)?["gate_stage"]?.string ?? approval.gateStage
      let approvers = try settings(at: approvedAt).approvers
      let actor = legacy ? approval.recordedBy : tag.tagger?.name ?? approval.recordedBy
      if !approvers.isEmpty,
        !approvers.contains(where: {
          $0.user == actor && $0.allows(section: approval.section, role: approval.reviewer, gate: gate)
        })
      {
        find(
          object, VerifyRule.approvalAuthorised,
          "\(actor) was not allowed to approve \(approval.section) as \(approval.reviewer) at \(gate) by the approvers of \(tag.target.hex.prefix(12))"
        )
      }
      try verifyDocument(approval, object: object, find)
    }
  }

  private func verifyDocument(_ approval: Approval, object: String, _ find: (String, String, String) -> Void) throws {
    guard let document = approval.document else { return }
    let ref = Layout.documentRef(try SectionID(approval.section), approval.version)
    guard let kept = try repository.referenceTarget(ref) else {
      find(object, VerifyRule.approvalDocument, "the kept document \(ref) is missing")
      return
    }
    guard kept.hex == document else {
      find(object, VerifyRule.approvalDocument, "\(ref) is \(kept.hex), the tag names \(document)")
      return
    }
    for (file, recorded) in [("approved.md", approval.export?.md), ("approved.html", approval.export?.html)] {
      guard let recorded else { continue }
      guard let bytes = try repository.blob(at: file, inCommit: kept) else {
        find(object, VerifyRule.approvalDocument, "\(ref) has no \(file)")
        continue
      }
      var hash = SHA256()
      hash.update(bytes)
      let sha = hash.finalize()
      if sha != recorded {
        find(object, VerifyRule.approvalDocument, "\(ref):\(file) hashes to \(sha), the tag records \(recorded)")
      }
    }
  }

  /// Each session branch holds its own session record; each lock ref's tip reads as a lock of
  /// its section.
  private func verifyRefs(_ find: (String, String, String) -> Void) throws {
    for (ref, tip) in try repository.references(glob: Layout.sessionPrefix + "*") {
      guard let id = try? SessionID(String(ref.dropFirst(Layout.sessionPrefix.count))) else {
        find(ref, VerifyRule.sessionRecord, "not a session id")
        continue
      }
      do {
        let snapshot = try Snapshot(repository: repository, records: records, ref: ref, commit: tip)
        let record = try storedSessionRecord(id, in: snapshot)
        if record.sessionId != id.text {
          find(ref, VerifyRule.sessionRecord, "its record is session \(record.sessionId)")
        }
      } catch {
        find(ref, VerifyRule.sessionRecord, error.explanation)
      }
    }
    for (ref, _) in try repository.references(glob: Layout.lockPrefix + "*") {
      do {
        guard let lock = try readLock(ref)?.record else { continue }
        if lock.sectionId != String(ref.dropFirst(Layout.lockPrefix.count)) {
          find(ref, VerifyRule.lockRecord, "its record locks section \(lock.sectionId)")
        }
      } catch {
        find(ref, VerifyRule.lockRecord, error.explanation)
      }
    }
  }
}
