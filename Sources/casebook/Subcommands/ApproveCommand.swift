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

/// `casebook approver add|remove|list`: who may approve what (`settings.approvers`).
struct ApproverCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approver",
    abstract: "Say who may approve which sections, as which role, at which gates (casebook.yaml, through a session).",
    subcommands: [Add.self, Remove.self, List.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add", abstract: "Let a user approve (replacing what they were allowed before).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument(help: "The user id who may approve.") var user: String
    @Option(help: "A --reviewer role they may approve as (repeat; none: any).") var role: [String] = []
    @Option(help: "A section they may approve (repeat; none: all).") var section: [String] = []
    @Option(help: "A gate_stage at which they may approve (repeat; none: all).") var gate: [String] = []

    func run() throws {
      let project = try global.project()
      let result = try project.addApprover(
        Approver(user: user, roles: role, sections: section, gates: gate), session: session.required("approver add"),
        request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { "\(user) may approve (once the session is merged)\ncommit \(result.commit)" }
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop a user approving.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var user: String

    func run() throws {
      let project = try global.project()
      let result = try project.removeApprover(
        user, session: session.required("approver remove"), request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) {
        "\(user) no longer approves (once the session is merged)\ncommit \(result.commit)"
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "Who may approve what, as main says now (none listed: anyone).")
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let approvers = try global.project().approvers()
      try global.output.emit(Wrapped(key: "approvers", value: approvers)) {
        guard !approvers.isEmpty else { return "no approvers listed: anyone may approve" }
        return approvers.map { a in
          let roles = a.roles.isEmpty ? "any role" : a.roles.joined(separator: ", ")
          let sections = a.sections.isEmpty ? "all sections" : a.sections.joined(separator: ", ")
          let gates = a.gates.isEmpty ? "any gate" : a.gates.joined(separator: ", ")
          return "\(a.user): \(sections); as \(roles); at \(gates)"
        }.joined(separator: "\n")
      }
    }
  }
}
