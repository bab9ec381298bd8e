import ArgumentParser

/// `casebook mcp ...`: hands the process over to `casebook-server mcp`, as `casebook serve` does,
/// so that the CLI links neither the MCP SDK nor NIO. `main.swift` execs it before parsing; this
/// type is for `--help`.
struct MCPCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mcp",
    abstract:
      "Serve MCP on standard input and output (casebook-server mcp): mcp --repo PATH | --projects DIR, as the user of CASEBOOK_TOKEN."
  )

  @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

  func run() throws { try ServeCommand.exec(["mcp"] + arguments) }
}
