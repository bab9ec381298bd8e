import ArgumentParser
import Casebook

struct ExchangeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exchange", abstract: "Record and read the assistant's tool calls (PromptLog and ToolLog).",
    subcommands: [Record.self, List.self])

  struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "record", abstract: "Record one tool call on a session.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Option(help: "The tool's name.") var tool: String
    @Option(help: "The input payload: a file, or - for standard input.") var prompt: String?
    @Option(help: "The output payload: a file, or - for standard input.") var response: String?
    @Option(help: "The status code.") var status: Int?
    @Option(name: .customLong("latency-ms"), help: "The latency in milliseconds.") var latencyMs: Int?
    @Option(help: "The section the call was about.") var section: String?
    @Option(
      name: .customLong("context-hash"),
      help: "The hash of the casebook context the call was made with (from casebook context --json).")
    var contextHash: String?
    @Option(name: .customLong("prompt-id"), help: "The client's id for the prompt (default: the exchange id).")
    var promptId: String?

    func validate() throws {
      guard !(prompt == "-" && response == "-") else {
        throw ValidationError("only one of --prompt and --response can read standard input")
      }
    }

    func run() throws {
      let project = try global.project()
      let exchange = ExchangeInput(
        tool: tool, prompt: try prompt.map { try readText($0, what: "prompt", limit: Project.maxPayloadBytes) },
        response: try response.map { try readText($0, what: "response", limit: Project.maxPayloadBytes) },
        statusCode: status, latencyMs: latencyMs,
        section: section, contextHash: contextHash, promptId: promptId)
      let result = try project.recordExchange(
        exchange, session: session.required("exchange record"), request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { "recorded exchange \(result.sequence)\ncommit \(result.commit)" }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "The session's latest exchanges, newest first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Option(help: "How many.") var limit = 20

    func run() throws {
      let exchanges = try global.project().exchanges(session: session.required("exchange list"), limit: limit)
      try global.output.emit(Wrapped(key: "exchanges", value: exchanges)) {
        exchanges.map {
          "\($0.sequence)  \($0.timestamp)  \($0.toolName)  status \($0.statusCode.map(String.init) ?? "-")  \($0.latencyMs.map { "\($0) ms" } ?? "")"
        }.joined(separator: "\n")
      }
    }
  }
}
