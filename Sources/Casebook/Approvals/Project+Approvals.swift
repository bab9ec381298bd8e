import Git
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
  /// Records a reviewer's decision on a section committed on main, as the next annotated tag
  /// `approved/<section>/v<N>` on main's head, tagged by the user who acts (`reviewer` names the
  /// role they approve in, kept in the message).
  public func approve(
    _ id: String, reviewer: String, decision: Approval.Decision, comment: String?, request: RequestID? = nil,
    by user: User
  ) throws -> Approval {
    let id = try SectionID(id)
    let reviewerUser = try User(reviewer)
    if let comment, comment.utf8.count > 64 << 10 { throw CasebookError.badInput("the comment is longer than 64 KiB") }
    // A request id of an approval is scoped to its section: the tag records it.
    let ticket = RequestTicket.make(
      request, action: "approve",
      [("section", id.text), ("reviewer", reviewerUser.id), ("decision", decision.rawValue), ("comment", comment)])
    if let ticket {
      for approval in try approvals(section: id.text) where approval.requestId == ticket.id.key {
        guard approval.requestFingerprint == ticket.fingerprint else {
          throw ticket.reused("an approval", at: approval.tag)
        }
        warn(
          "request '\(ticket.id)' was done already, as \(approval.tag); nothing was written, and this is its first result"
        )
        return approval
      }
    }
    let main = try mainSnapshot()
    guard let record = try sectionRecord(id, in: main) else {
      guard settings.section(id.text) != nil else { throw CasebookError.notFound("section \(id) is not on main") }
      throw CasebookError.badInput(
        "section \(id) is not committed on main yet; commit it with 'casebook section commit' first")
    }
    guard record.status == .committed, record.locked else {
      throw CasebookError.badInput(
        "section \(id) is not committed on main (it is \(record.status.rawValue)); commit it with 'casebook section commit' first"
      )
    }
    guard let content = try main.blobID(Layout.sectionContent(id)) else {
      throw CasebookError.repository("section \(id) has metadata but no text on main")
    }
    let gate = try main.yaml(Layout.profile)?["gate_stage"]?.string ?? ""
    try checkApprover(user, section: id, role: reviewerUser.id, gate: gate, on: main)
    let existing = try approvals(section: id.text)
    var version = (existing.map(\.version).max() ?? 0) + 1
    for _ in 0..<64 {
      var approval = Approval(
        tag: Layout.approvalTag(id, version), section: id.text, version: version, decision: decision,
        reviewer: reviewerUser.id, comment: comment, gateStage: gate, revision: record.revision, content: content.hex,
        commit: main.commit!.hex, time: Timestamp.string(now()), recordedBy: user.id)
      // The tag records the hashes of the approved document, so it can be verified later, and
      // names the commit that keeps its bytes, so they can be read back whatever renderer is
      // installed by then.
      let rendered = try approvalExport(of: approval, at: main, prior: approvals(reaching: main.commit!))
      approval.export = rendered.record
      let documentRef = Layout.documentRef(id, version)
      let document: ObjectID
      do {
        document = try keepDocument(approval, md: rendered.md, html: rendered.html, ref: documentRef, by: user)
      } catch let error as GitError where error.isExists || error.isConflict {
        version += 1  // another approval of this number is being written
        continue
      }
      approval.document = document.hex
      approval.requestId = ticket?.id.key
      approval.requestFingerprint = ticket?.fingerprint
      // The tagger is who acted; the reviewer (the role they approved in) is in the message.
      let tagger = Signature(name: user.id, email: user.email, time: now())
      do {
        _ = try repository.createAnnotatedTag(
          name: approval.tag, target: main.commit!, tagger: tagger, message: approval.message,
          sign: try signing(by: user).tags?.sign)
        return approval
      } catch let error as GitError where error.isExists {
        try? repository.deleteReference(documentRef, expected: document)
        version += 1  // another reviewer took this number at the same moment
      } catch let error as GitError where error.isConflict {
        try? repository.deleteReference(documentRef, expected: document)
        // Another reviewer is writing this number's tag right now: once it lands, the next
        // attempt finds it and moves on; if that writer fails, this one takes the number.
        usleep(UInt32.random(in: 200...2_000))
      }
    }
    throw CasebookError.conflict("could not find a free approval number for \(id)")
  }

  /// Approvals, oldest first; of one section or all.
  public func approvals(section: String? = nil) throws -> [Approval] {
    let section = try section.map(SectionID.init)
    let prefix = Layout.approvalTagPrefix + (section.map { "\($0)/" } ?? "")
    return try repository.annotatedTags(prefix: prefix).compactMap { try Approval(tag: $0.name, message: $0.message) }
      .sorted { ($0.section, $0.version) < ($1.section, $1.version) }
  }

  /// Keeps the approved document's bytes: one commit whose tree is `approved.md` and
  /// `approved.html`, at `refs/casebook/documents/<section>/v<N>`, created only if that ref does
  /// not exist yet (it is written before the tag, and taken back if the tag cannot be made).
  private func keepDocument(_ approval: Approval, md: Data, html: Data, ref: String, by user: User) throws -> ObjectID {
    let tree = try repository.buildTree(
      base: nil,
      changes: [
        "approved.md": .blob(repository.createBlob(md)), "approved.html": .blob(repository.createBlob(html)),
      ])
    let signature = Signature(name: user.id, email: user.email, time: now())
    let message = CommitMessage(
      summary: "the approved document of \(approval.section) v\(approval.version)",
      body: "The bytes \(approval.tag) approved, as rendered then (renderer \(Export.renderer)).",
      action: "keep-approved-document", user: user.id,
      extra: [("Casebook-Approval", approval.tag), ("Casebook-Section", approval.section)])
    let commit = try repository.createCommit(
      tree: tree, parents: [], author: signature, committer: signature, message: message.text,
      sign: try signing(by: user).commits?.sign)
    try repository.updateReference(ref, to: commit, expected: nil, message: "casebook: \(approval.tag)")
    return commit
  }
}
