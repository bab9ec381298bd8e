import ArgumentParser
import Casebook
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

struct ProfileCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "profile", abstract: "Read and change project_profile.yaml.",
    subcommands: [Show.self, Get.self, Set.self, Apply.self])

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Print the profile (main, a session's, or at a revision).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Option(help: "A git revision (commit, branch, tag).") var at: String?

    func run() throws {
      let profile = try global.project().profile(session: session.resolved, at: at)
      try global.output.emit(Wrapped(key: "profile", value: JSONNode(profile))) {
        YAML.emit(profile).trimmingTrailingNewline
      }
    }
  }

  struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "get", abstract: "Print one value, e.g. gate_stage or stakeholders[0].name.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Argument var key: String

    func run() throws {
      let value = try global.project().profileValue(key, session: session.resolved)
      try global.output.emit(Wrapped(key: "value", value: JSONNode(value))) {
        value.string ?? YAML.emit(value).trimmingTrailingNewline
      }
    }
  }

  struct Set: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set",
      abstract: "Set one key in a session; the value is YAML (\"Gate 1\", [a, b], {name: x, role: y}).",
      discussion: "Setting gate_stage moves the project to that gate, as 'casebook gate advance' does.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var key: String
    @Argument var value: String
    @OptionGroup var gate: GateFlags

    func run() throws {
      let project = try global.project()
      let result = try project.setProfile(
        key, value: value, session: session.required("profile set"), gate: gate.options(),
        request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { result.gate.map(describe) ?? "set \(key)\ncommit \(result.commit)" }
    }
  }

  struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "apply",
      abstract: "Apply a YAML mapping of keys over the profile in a session (null removes a key).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument(help: "A YAML file, or - for standard input.") var file: String
    @OptionGroup var gate: GateFlags

    func run() throws {
      let project = try global.project()
      let result = try project.applyProfile(
        System.readBounded(file, limit: Project.maxYAMLFileBytes, what: "profile"), source: file,
        session: session.required("profile apply"), gate: gate.options(),
        request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) {
        "applied \(file)\n" + (result.gate.map { describe($0) } ?? "commit \(result.commit)")
      }
    }
  }
}

extension String {
  var trimmingTrailingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
