import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension ExportFormat: ExpressibleByArgument {}

/// `casebook export REV --format md|html [--out FILE] [--verify]`.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Render the whole business case at a commit, branch or tag as Markdown or HTML.",
    discussion: """
      Without --out the document goes to standard output; with --out it is written atomically and \
      the path and its sha256 are printed. An approval tag (approved/<section>/v<N>) is rendered as \
      of that approval: the bytes whose sha256 the tag records. --verify re-renders an approval \
      tag's export and checks it against that record (exit 3 when it differs).
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: "A commit, branch or tag, e.g. main, a1b2c3d, approved/rationale/v1.") var revision: String
  @Option(help: "md or html.") var format: ExportFormat = .md
  @Option(help: "Write the document to this file (atomically) instead of standard output.") var out: String?
  @Flag(help: "Check the export of an approval tag against the sha256 the tag records.") var verify = false

  struct Summary: Encodable {
    let format: ExportFormat
    let out: String?
    let sha256: String
    let commit: String
    let asOf: String?
    let verified: Bool?
    let recorded: String?
    /// The document itself, when --json is given without --out.
    let content: String?
  }

  func run() throws {
    let project = try global.project()
    let export: Export
    var recorded: String?
    if verify {
      let verification = try project.verifyExport(revision, format: format)
      export = verification.export
      recorded = verification.recorded
    } else {
      export = try project.export(revision, format: format)
    }
    let path = try out.map { try project.write(export, to: $0) }
    let summary = Summary(
      format: format, out: path, sha256: export.sha256, commit: export.commit, asOf: export.asOf,
      verified: verify ? true : nil, recorded: recorded,
      content: global.json && path == nil && !verify ? String(decoding: export.content, as: UTF8.self) : nil)
    if global.json {
      try global.output.emit(summary) { "" }
      return
    }
    if verify {
      print(
        "verified \(export.asOf ?? revision) (\(format.rawValue)): sha256 \(export.sha256) of commit \(export.commit)")
      if let path { print(path) }
      return
    }
    if let path {
      print(path)
      print("sha256 \(export.sha256)")
    } else {
      System.writeOutput(export.content)
    }
  }
}
