import ArgumentParser
import Casebook

/// `casebook resolve`: settles conflicts recorded on a session's branch.
struct ResolveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resolve",
    abstract: "Resolve conflicts a merge recorded on a session's branch.",
    discussion: """
      'session merge', 'session refresh', 'session resume' and 'section commit' record the conflicts they
      find in sessions/<id>.conflicts.yaml on the session's branch (git show sessions/<id>:sessions/<id>.conflicts.yaml).
      Ours is main's value, theirs the session's. Give FILE and PATH to resolve one conflict, FILE alone for
      every one in that file, neither (with --ours or --theirs) for all. The last resolution merges main into
      the session with every resolution, so that 'session merge' then lands.
      """)
  @OptionGroup var global: GlobalOptions
  @OptionGroup var request: RequestOption
  @OptionGroup var session: SessionOption
  @Argument(help: "The file the conflict is in, e.g. project_profile.yaml.") var file: String?
  @Argument(help: "The path inside the file, as the conflict shows it, e.g. gate_stage (\"\" for the whole file).")
  var path: String?
  @Flag(help: "Keep main's value.") var ours = false
  @Flag(help: "Keep the session's value.") var theirs = false
  @Option(help: "Use this value (YAML for a path inside a YAML file).") var value: String?
  @Option(name: .customLong("file"), help: "Use this edited copy of the whole file.") var edited: String?

  func run() throws {
    let given = [ours, theirs, value != nil, edited != nil].filter { $0 }.count
    guard given == 1 else {
      throw CasebookError.badInput("give exactly one of --ours, --theirs, --value YAML or --file EDITED")
    }
    let choice: ResolveChoice
    if ours {
      choice = .ours
    } else if theirs {
      choice = .theirs
    } else if let value {
      choice = .value(value)
    } else {
      // The larger of the two kinds of file a conflict is in: a YAML record or a section's text.
      let limit = max(Project.maxYAMLFileBytes, Project.maxSectionTextBytes)
      choice = .file(try System.readBounded(edited!, limit: limit, what: "resolution"), source: edited!)
    }
    let project = try global.project()
    let result = try project.resolveConflicts(
      session: session.required("resolve"), file: file, path: path, choice: choice, request: request.id,
      by: global.actingUser(in: project))
    try global.output.emit(result) {
      var lines = result.resolved.map { "resolved \($0)" }
      lines.append("commit \(result.commit)")
      if result.merged {
        lines.append(
          "merged main \(result.main?.prefix(12) ?? "") into the session; 'casebook session merge \(result.sessionId)' can land it"
        )
      } else {
        lines.append("\(result.remaining.count) left: \(result.remaining.joined(separator: ", "))")
      }
      return lines.joined(separator: "\n")
    }
  }
}
