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

/// Moves the global options that stand before the command name to the end, where the leaf
/// command parses them (`casebook --json --repo X session list`).
func hoistGlobalOptions(_ args: [String]) -> [String] {
  var front: [String] = []
  var rest: [String] = []
  var i = 0
  while i < args.count {
    let arg = args[i]
    if arg == "--" || !arg.hasPrefix("-") {
      rest.append(contentsOf: args[i...])
      break
    }
    let name = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
    if GlobalOptions.flags.contains(arg) || (GlobalOptions.valued.contains(name) && arg.contains("=")) {
      front.append(arg)
      i += 1
    } else if GlobalOptions.valued.contains(arg), i + 1 < args.count {
      front.append(contentsOf: [arg, args[i + 1]])
      i += 2
    } else {
      rest.append(arg)
      i += 1
    }
  }
  guard !front.isEmpty, let terminator = rest.firstIndex(of: "--") else { return rest + front }
  return Array(rest[..<terminator]) + front + Array(rest[terminator...])
}

// `casebook serve ...` and `casebook mcp ...` are casebook-server's: hand over before anything
// else starts.
if CommandLine.arguments.count > 1, ["serve", "mcp"].contains(CommandLine.arguments[1]) {
  let rest = Array(CommandLine.arguments.dropFirst(2))
  do { try ServeCommand.exec(CommandLine.arguments[1] == "mcp" ? ["mcp"] + rest : rest) } catch {
    System.writeError("casebook: \(Project.describe(error)?.message ?? "\(error)")\n")
    exit(4)
  }
}

CertificateDeferral.initializeLibgit2()
do { try Libgit2Tuning.apply() } catch {
  System.writeError("casebook: cannot set libgit2's options: \(error)\n")
  exit(4)
}

let arguments = hoistGlobalOptions(Array(CommandLine.arguments.dropFirst()))
let wantsJSON = arguments.contains("--json")

func fail(code: String, message: String, exit status: Int32, conflicts: [ConflictRecord] = []) -> Never {
  OpenedProjects.flushWarnings()
  if wantsJSON {
    let object = ErrorObject(
      error: .init(code: code, message: message, exitCode: status, conflicts: conflicts.isEmpty ? nil : conflicts))
    print((try? Output.encode(object)) ?? #"{"error":{"code":"internal","message":"cannot encode error"}}"#)
  } else {
    System.writeError("casebook: \(message)\n")
  }
  exit(status)
}

do {
  var command = try CasebookCommand.parseAsRoot(arguments)
  try command.run()
  OpenedProjects.flushWarnings()
} catch let error as CasebookError {
  fail(code: error.code, message: error.explanation, exit: error.exitCode, conflicts: error.conflicts)
} catch let error as ExitCode {
  exit(error.rawValue)
} catch {
  let status = CasebookCommand.exitCode(for: error)
  if status == .success {
    // --help, --version: ArgumentParser's own clean exits.
    CasebookCommand.exit(withError: error)
  }
  if let described = Project.describe(error) {
    fail(code: described.code, message: described.message, exit: described.exitCode)
  }
  if wantsJSON {
    fail(code: "usage", message: CasebookCommand.message(for: error), exit: status.rawValue)
  }
  CasebookCommand.exit(withError: error)
}
