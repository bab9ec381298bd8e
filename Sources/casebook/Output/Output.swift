import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Prints results: one JSON object with `--json`, readable text otherwise.
struct Output {
  let json: Bool

  func emit<T: Encodable>(_ value: T, human: () -> String) throws {
    if json {
      print(try Output.encode(value))
    } else {
      let text = human()
      if !text.isEmpty { print(text) }
    }
  }

  /// Prints a project's warnings on standard error (they never go in the JSON on stdout).
  func warnings(_ project: Project) {
    for warning in project.takeWarnings() { System.writeError("warning: \(warning)\n") }
  }

  static func encode<T: Encodable>(_ value: T) throws -> String { try CasebookJSON.encode(value) }
}

/// The projects this process opened, so that `main.swift` prints whatever warnings a command
/// left unprinted (on standard error, as `Output.warnings` does), on success and on failure.
enum OpenedProjects {
  nonisolated(unsafe) static var all: [Project] = []

  static func flushWarnings() {
    for project in all { Output(json: false).warnings(project) }
  }
}

/// The JSON error object of the CLI contract.
struct ErrorObject: Encodable {
  struct Body: Encodable {
    let code: String
    let message: String
    let exitCode: Int32
    let conflicts: [ConflictRecord]?
  }
  let error: Body
}
