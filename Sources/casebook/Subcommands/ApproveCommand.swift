import ArgumentParser
import Casebook

extension Approval.Decision: ExpressibleByArgument {}

struct ApproveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approve", abstract: "Record a reviewer's decision on a committed section (an annotated tag).")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var request: RequestOption
  @Argument var id: String
  @Option(help: "The reviewing role approved in (the tagger is the acting user).") var reviewer: String
  @Option(help: "approved, changes-requested or rejected.") var decision: Approval.Decision = .approved
  @Option(help: "The reviewer's comment.") var comment: String?

  func run() throws {
    let project = try global.project()
    let approval = try project.approve(
      id, reviewer: reviewer, decision: decision, comment: comment, request: request.id,
      by: global.actingUser(in: project))
    try global.output.emit(approval) {
      "\(approval.decision.rawValue) \(id) revision \(approval.revision)\ntag \(approval.tag)"
    }
  }
}

/// `casebook approvals`: every approval and where it stands against main now.
struct ApprovalsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approvals",
    abstract: "List approvals with their state: current, stale (the section changed since) or superseded.")
  @OptionGroup var global: GlobalOptions
  @Option(help: "Only this section's approvals.") var section: String?

  func run() throws {
    let statuses = try global.project().approvalStatuses(section: section)
    try global.output.emit(Wrapped(key: "approvals", value: statuses)) {
      guard !statuses.isEmpty else { return "no approvals" }
      return statuses.map { status in
        let a = status.approval
        var line =
          "\(a.tag.padded(to: 32)) \(status.state.rawValue.padded(to: 11)) \(a.decision.rawValue) by \(a.recordedBy) as \(a.reviewer), \(a.time)"
        if let by = status.supersededBy { line += "\n    superseded by \(by)" }
        for change in status.changedBy {
          line += "\n    changed since by \(change.commit.prefix(12)) \(change.author): \(change.summary)"
        }
        return line
      }.joined(separator: "\n")
    }
  }
}
