import ArgumentParser
import Casebook

/// `casebook verify`: what `git fsck` cannot check.
struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract:
      "Walk the whole history and check records, inputs' bytes, approvals (target, text, kept document, tagger, authorisation), sessions and locks.",
    discussion: "Exit 0 when everything holds, 3 with the list of findings (object, rule, detail) when not.")
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let report = try global.project().verify()
    try global.output.emit(report) {
      var lines = report.findings.map { "\($0.rule)  \($0.object): \($0.detail)" }
      for status in report.approvals where status.state == .stale {
        lines.append("stale (not tampering)  \(status.approval.tag): the section changed since it was approved")
      }
      lines.append(
        report.verified
          ? "verified: \(report.commits) commits, \(report.approvals.count) approvals, \(report.inputsChecked) input versions"
          : "\(report.findings.count) finding(s) in \(report.commits) commits")
      return lines.joined(separator: "\n")
    }
    if !report.verified { throw ExitCode(3) }
  }
}
