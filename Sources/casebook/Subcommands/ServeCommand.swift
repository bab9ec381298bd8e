import ArgumentParser
import Casebook

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `casebook serve ...`: hands the process over to `casebook-server` (found next to this
/// executable), as git does with git-http-backend, so that the CLI links no HTTP server and
/// starts as fast as before. `main.swift` execs it before parsing; this type is for `--help`.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the HTTP API (casebook-server): serve --repo PATH | --projects DIR; serve token add|list|remove.")

  @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

  func run() throws { try Self.exec(arguments) }

  /// Replaces this process with `casebook-server ARGUMENTS`; returns only by throwing.
  static func exec(_ arguments: [String]) throws -> Never {
    let server = serverPath()
    var argv: [UnsafeMutablePointer<CChar>?] = ([server] + arguments).map { strdup($0) }
    argv.append(nil)
    execv(server, &argv)
    let reason = String(cString: strerror(errno))
    throw CasebookError.repository("cannot start \(server): \(reason) (casebook-server is built with casebook)")
  }

  /// `CASEBOOK_SERVER`, else `casebook-server` in the folder of this executable.
  static func serverPath() -> String {
    if let path = getenv("CASEBOOK_SERVER").map({ String(cString: $0) }), !path.isEmpty { return path }
    var buffer = [CChar](repeating: 0, count: 4096)
    var own = CommandLine.arguments.first ?? "casebook"
    #if os(Linux)
      let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
      if n > 0 { own = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    #endif
    guard let slash = own.lastIndex(of: "/") else { return "casebook-server" }
    return String(own[..<slash]) + "/casebook-server"
  }
}
