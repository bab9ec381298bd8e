import ArgumentParser
import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `casebook hooks`: the pre-receive hook that makes a shared bare repository keep Casebook's
/// rules against any push, plain `git push` included.
struct HooksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hooks", abstract: "Install and run the git hook that guards a shared bare repository.",
    subcommands: [Install.self, PreReceive.self])

  struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "install", abstract: "Write the bare repository's pre-receive hook (--repo BARE).",
      discussion: """
        The hook runs this casebook (or --casebook PATH) as 'casebook hooks pre-receive'. Rules: \
        \(ReceiveRules.names.joined(separator: ", ")).
        """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Replace a pre-receive hook that is not Casebook's.") var force = false
    @Option(help: "The casebook executable the hook runs (default: this one).") var casebook: String?

    func run() throws {
      let env = ProcessInfo.processInfo.environment
      let path =
        global.repo ?? env["CASEBOOK_REPO"].flatMap { $0.isEmpty ? nil : $0 }
        ?? FileManager.default.currentDirectoryPath
      let executable = try casebook.map { System.resolved($0) } ?? runningExecutable()
      let result = try PreReceiveHook.install(repository: path, casebook: executable, force: force)
      try global.output.emit(result) { "installed \(result.hook)\nruns \(result.casebook) hooks pre-receive" }
    }

    /// The absolute path of this process's executable.
    private func runningExecutable() throws -> String {
      #if os(Linux)
        let resolved = System.resolved("/proc/self/exe")
        if resolved != "/proc/self/exe" { return resolved }
      #endif
      let argv0 = CommandLine.arguments[0]
      guard argv0.contains("/") else {
        throw CasebookError.badInput("cannot tell where this casebook is installed; pass --casebook PATH")
      }
      return System.resolved(argv0)
    }
  }

  struct PreReceive: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "pre-receive",
      abstract: "git's pre-receive hook: check the pushed ref updates on standard input.",
      discussion: """
        Run by git in the bare repository, with '<old> <new> <ref>' lines on standard input and the \
        pushed objects in quarantine. Prints each refusal on standard error (git shows them to the \
        pusher) and exits 1 if there is any, which refuses the whole push; 0 otherwise.
        """)
    @OptionGroup var global: GlobalOptions

    /// Git's input: one line of about 100 bytes per pushed ref.
    static let inputLimit = 16 << 20

    func run() throws {
      let input = try System.readBounded("-", limit: Self.inputLimit, what: "pre-receive input")
      let updates = try String(decoding: input, as: UTF8.self).split(separator: "\n").map(RefUpdate.init(line:))
      let refusals = try ReceiveRules.check(updates, repository: global.repo)
      try global.output.emit(Wrapped(key: "refusals", value: refusals)) { "" }
      guard !refusals.isEmpty else { return }
      if !global.json {
        for refusal in refusals { System.writeError("casebook: refused \(refusal)\n") }
        System.writeError("casebook: push refused by \(refusals.count) rule violation(s); nothing was changed\n")
      }
      throw ExitCode(1)
    }
  }
}
