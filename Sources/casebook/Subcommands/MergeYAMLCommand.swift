import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

struct MergeYAMLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge-yaml",
    abstract: "git merge driver: merge BASE, OURS and THEIRS structurally; the result replaces OURS.",
    discussion: """
      Register it once per clone:
        git config merge.casebook-yaml.driver 'casebook merge-yaml %O %A %B %P'
      (casebook init does this, and writes '*.yaml merge=casebook-yaml' to .gitattributes).
      Identity keys and policies come from the merge: section of casebook.yaml in the current
      folder (git runs drivers at the work tree's root), for the file PATH; defaults without it.
      Exit 0 when clean; 1 when there are conflicts (OURS then holds git's conflict markers);
      4 when casebook.yaml is unreadable.
      """)

  @OptionGroup var global: GlobalOptions
  @Argument var base: String
  @Argument var ours: String
  @Argument var theirs: String
  @Argument var path: String?

  func run() throws {
    let outcome = try MergeDriver.run(base: base, ours: ours, theirs: theirs, path: path)
    try global.output.emit(outcome) {
      outcome.clean ? "" : outcome.conflicts.map(\.description).joined(separator: "\n")
    }
    if !outcome.clean {
      if !global.json {
        System.writeError("casebook: \(outcome.conflicts.count) conflict(s) in \(outcome.path)\n")
      }
      throw ExitCode(1)
    }
  }
}
