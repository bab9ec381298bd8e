import ArgumentParser
import Casebook

extension Approval.Decision: ExpressibleByArgument {}

struct ApproveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approve", abstract: "Record a reviewer's decision on a committed section (an annotated tag).")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var request: RequestOption
  @Argument var id: String
  @Option(help: "Who reviewed it.") var reviewer: String
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
