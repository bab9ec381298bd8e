import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

struct GateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gate", abstract: "Move a session's project to the next review gate.",
    subcommands: [Advance.self])

  struct Advance: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "advance",
      abstract: "Move to the next gate (or --to one): its template's sections join the project, drafts are kept.",
      discussion: """
        One commit on the session changes gate_stage, adds the new template's profile keys the profile lacks, and
        updates casebook.yaml's template and section list. No section or draft is removed. Going back a gate or
        skipping one is refused unless --force. 'profile set gate_stage "Gate N"' does the same.
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Option(help: "The gate to move to, e.g. \"Gate 2\" (default: the next one).") var to: String?
    @OptionGroup var gate: GateFlags
    @Flag(name: .customLong("dry-run"), help: "Report what would change; write nothing.") var dryRun = false

    func run() throws {
      let project = try global.project()
      let change = try project.changeGate(
        session: session.required("gate advance"), to: to, options: gate.options(), dryRun: dryRun,
        request: request.id, by: global.actingUser(in: project))
      try global.output.emit(change) { describe(change) }
    }
  }
}

/// The options of any command that may move the gate (`gate advance`, `profile set gate_stage`).
struct GateFlags: ParsableArguments {
  @Option(help: "The new gate's template: a name or a folder (default: gate-N from the library).")
  var template: String?
  @Flag(help: "Allow going back a gate or skipping one; nothing is removed either way.") var force = false

  func options() throws -> GateOptions {
    GateOptions(template: try template.map { try TemplateLibrary.standard().template($0) }, force: force)
  }
}

/// A gate move as a person reads it.
func describe(_ change: GateChange) -> String {
  func rows(_ mark: String, _ entries: [GateChange.Entry]) -> [String] {
    let width = max(12, entries.map(\.sectionId.count).max() ?? 0)
    return entries.map { e in
      let state = e.status.map { ", \($0.rawValue) at revision \(e.revision ?? 0)" } ?? ", not drafted"
      return "  \(mark) \(e.sectionId.padded(to: width))  \(e.title)"
        + " (\(e.required ? "required" : "optional")\(state))"
    }
  }
  let verb = change.commit == nil ? "would move" : "moved"
  var lines = [
    "\(verb) from \(change.fromGate) (\(change.fromTemplate)) to \(change.toGate) (\(change.toTemplate))"
      + (change.direction == "forward" ? "" : ", \(change.direction == "back" ? "going back" : "skipping a gate")")
  ]
  lines.append("sections added (start one with 'casebook section draft ID'):")
  lines += change.added.isEmpty ? ["  none"] : rows("+", change.added)
  lines.append("sections carried over (drafts kept as they are):")
  lines += change.carried.isEmpty ? ["  none"] : rows("=", change.carried)
  if !change.kept.isEmpty {
    lines.append("sections kept from earlier gates (not listed by \(change.toTemplate)):")
    lines += rows("~", change.kept)
  }
  if !change.profileKeysAdded.isEmpty {
    lines.append("profile keys added: " + change.profileKeysAdded.joined(separator: ", "))
  }
  if let commit = change.commit { lines.append("commit \(commit)") }
  return lines.joined(separator: "\n")
}
