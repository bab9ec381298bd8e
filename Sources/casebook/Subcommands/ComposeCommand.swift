import ArgumentParser
import Casebook

struct ComposeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compose",
    abstract: "Draft a new section, revise a changed one, or commit one whose text is final, as its state decides.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var request: RequestOption
  @OptionGroup var session: SessionOption
  @Argument var id: String
  @Option(help: "The text: a file, or - for standard input.") var from: String
  @Option(help: "The feedback this text answers (when it revises).") var feedback: String?
  @OptionGroup var edit: SectionCommand.EditOptions

  func run() throws {
    let project = try global.project()
    let result = try project.compose(
      id, session: session.required("compose"),
      edit: edit.edit(
        content: readText(from, what: "section text", limit: Project.maxSectionTextBytes), feedback: feedback),
      request: request.id, by: global.actingUser(in: project))
    try global.output.emit(result) { "\(result.action) \(id): revision \(result.revision)\ncommit \(result.commit)" }
    global.output.warnings(project)
  }
}
