import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init", abstract: "Create a project from a gate template.")

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Where to create the project (default: the current folder).")
  var path: String?

  @Option(help: "A template name (gate-0) or a template folder.")
  var template: String

  @Option(name: .customLong("project-id"), help: "The project id, e.g. abc123.")
  var projectID: String

  @Option(help: "The project title.")
  var title: String

  @Flag(help: "Create a bare repository (no working tree).")
  var bare = false

  func run() throws {
    let target = path ?? global.repo ?? FileManager.default.currentDirectoryPath
    let user = try global.actingUser(in: nil)
    let template = try TemplateLibrary.standard().template(self.template)
    let (project, result) = try Project.initialize(
      InitOptions(path: target, template: template, projectID: projectID, title: title, user: user, bare: bare))
    try global.output.emit(result) {
      "created project \(result.projectId) from \(result.template) at \(result.path)\ncommit \(result.commit)"
    }
    global.output.warnings(project)
  }
}
