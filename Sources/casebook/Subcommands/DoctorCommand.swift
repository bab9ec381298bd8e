import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// `casebook doctor [--fix]`: finds (and repairs) what crashed writers leave behind.
struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract:
      "Check the project for what crashes leave (stale lock files, expired locks, idle sessions, unfinished merges, damaged objects).",
    discussion: "Exit 0 when healthy (or everything found was fixed), 4 when problems remain.")
  @OptionGroup var global: GlobalOptions
  @Flag(help: "Repair what can be repaired.") var fix = false
  @Option(help: "Seconds after which a leftover git lock or temporary file counts as a dead writer's.")
  var staleAfter: Int = 60

  func run() throws {
    guard staleAfter >= 0 else { throw CasebookError.badInput("--stale-after must be 0 or more seconds") }
    let project = try global.project()
    // Doctor's repairs are commits too; without a configured user they are signed by doctor.
    let user = try (try? global.actingUser(in: project)) ?? User("casebook-doctor")
    let report = try project.doctor(fix: fix, staleAfter: TimeInterval(staleAfter), by: user)
    try global.output.emit(report) {
      var lines = report.findings.map { "\($0.fixed ? "fixed" : "found")  \($0.kind)  \($0.subject): \($0.detail)" }
      lines.append(
        report.healthy
          ? "healthy (\(report.checkedObjects) objects checked)"
          : "problems remain\(fix ? "" : "; run 'casebook doctor --fix' to repair what can be repaired")")
      return lines.joined(separator: "\n")
    }
    if !report.healthy { throw ExitCode(4) }
  }
}
