import Casebook
import CasebookService
import Dispatch
import Foundation
import Logging
import MCP

/// The store as an MCP server: one tool per entry of `StoreOperation.all` (name = the operation's
/// id, its summary, its input and output schemas), and the projects' texts as resources. Every
/// call goes through `OperationRunner.call`, so a tool has exactly the HTTP route's checks (the
/// caller's grant of the project, own sessions only, the reviewer role). Only the transport
/// differs: stdio here (`runStdio`), Streamable HTTP in CasebookServer.
public struct CasebookMCP: Sendable {
  /// Runs a blocking piece of work somewhere other than Swift's cooperative pool, and calls back.
  public typealias Offload = @Sendable (@escaping @Sendable () -> Void) -> Void

  public static let serverName = "casebook"
  public static let serverVersion = "0.1.0"

  public let runner: OperationRunner
  let offload: Offload

  /// `offload` defaults to Dispatch's pool, whose threads are bounded, which suits stdio's one
  /// client.
  public init(runner: OperationRunner, offload: @escaping Offload = CasebookMCP.onDispatch) {
    self.runner = runner
    self.offload = offload
  }

  static let storeQueue = DispatchQueue(label: "casebook.mcp.store", attributes: .concurrent)
  public static let onDispatch: Offload = { work in storeQueue.async { work() } }

  // MARK: - Tools

  /// The tools, made from the operations table: a new operation is a new tool.
  public static var tools: [Tool] { StoreOperation.all.map(tool(for:)) + [addInputTool] }

  /// `addInput`: the one tool that is not an entry of the table, since the HTTP route takes the
  /// file as its streamed body; here the file comes in the arguments, as text or as base64.
  static let addInputTool = Tool(
    name: "addInput",
    description:
      "Add a file to one of your sessions as an input (its text extracted, as casebook input add does): give its name and either its text or its bytes in base64.",
    inputSchema: .object([
      "type": "object", "additionalProperties": false,
      "required": ["project_id", "session_id", "name"],
      "properties": [
        "project_id": ["type": "string", "description": "The project's id."],
        "session_id": ["type": "string", "description": "The session's id (from startSession)."],
        "name": ["type": "string", "description": "The file's name, e.g. notes.md; its extension tells the format."],
        "text": ["type": "string", "description": "The file's content, when it is text."],
        "content_base64": ["type": "string", "description": "The file's bytes in base64 (PDF, DOCX, ...)."],
      ],
    ]),
    annotations: .init(readOnlyHint: false, destructiveHint: false, openWorldHint: false),
    outputSchema: .object([
      "type": "object", "required": ["input_id"],
      "properties": ["input_id": ["type": "string", "description": "The input's id, to cite as ID:L<line>."]],
    ]))

  /// Runs `addInput` for `caller`.
  func addInput(caller: Caller, arguments: [String: Value], idempotencyKey: String?) async -> CallTool.Result {
    let allowed: Set<String> = ["project_id", "session_id", "name", "text", "content_base64"]
    if let unknown = arguments.keys.sorted().first(where: { !allowed.contains($0) }) {
      return Self.toolResult(ServiceResponse(ServiceError.badInput("unknown field '\(unknown)' for addInput")))
    }
    guard let project = arguments["project_id"]?.stringValue, let session = arguments["session_id"]?.stringValue,
      let name = arguments["name"]?.stringValue
    else {
      return Self.toolResult(
        ServiceResponse(ServiceError.badInput("addInput needs project_id, session_id and name, as strings")))
    }
    let bytes: [UInt8]
    switch (arguments["text"], arguments["content_base64"]) {
    case (.string(let text)?, nil): bytes = Array(text.utf8)
    case (nil, .string(let encoded)?):
      guard let data = Data(base64Encoded: encoded) else {
        return Self.toolResult(ServiceResponse(ServiceError.badInput("content_base64 is not base64")))
      }
      bytes = Array(data)
    default:
      return Self.toolResult(
        ServiceResponse(ServiceError.badInput("give the file as exactly one of text and content_base64 (a string)")))
    }
    let runner = self.runner
    let response = await withCheckedContinuation { (done: CheckedContinuation<ServiceResponse, Never>) in
      offload {
        done.resume(
          returning: runner.addInputBytes(
            caller: caller, projectId: project, session: session, name: name, bytes: bytes,
            idempotencyKey: idempotencyKey))
      }
    }
    return Self.toolResult(response)
  }

  static func tool(for operation: StoreOperation) -> Tool {
    Tool(
      name: operation.id, description: operation.summary, inputSchema: value(operation.input.json),
      // Writes add commits and never rewrite history: not destructive.
      annotations: .init(
        readOnlyHint: !operation.writes, destructiveHint: operation.writes ? false : nil, openWorldHint: false),
      outputSchema: value(operation.output.json))
  }

  /// A server with the tools and resources, acting for whoever `caller` returns at each call
  /// (it throws `ServiceError.unauthorized` when there is no one).
  public func makeServer(caller: @escaping @Sendable () async throws -> Caller) async -> Server {
    let server = Server(
      name: Self.serverName, version: Self.serverVersion, title: "Casebook",
      instructions: """
        Casebook keeps a policy's drafting memory in git. Start a session with startSession (user_id: \
        your own user), draft and revise sections in it, read getContext before writing, record your \
        tool calls with recordExchange, and commitSection to merge a finished section into main. \
        Errors come back as tool errors whose text is {"error":{"code","message"}}.
        """,
      capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
    let service = self
    await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: Self.tools) }
    await server.withMethodHandler(CallTool.self) { params in
      let operation = StoreOperation.named(params.name)
      guard operation != nil || params.name == Self.addInputTool.name else {
        throw MCPError.invalidParams("unknown tool '\(params.name)'")
      }
      let who: Caller
      do { who = try await caller() } catch { return Self.toolResult(ServiceResponse(ServiceError.from(error))) }
      let key = params._meta?[Self.idempotencyKey]?.stringValue
      guard let operation else {
        return await service.addInput(caller: who, arguments: params.arguments ?? [:], idempotencyKey: key)
      }
      return await service.call(operation, caller: who, arguments: params.arguments ?? [:], idempotencyKey: key)
    }
    await server.withMethodHandler(ListResourceTemplates.self) { _ in
      ListResourceTemplates.Result(templates: ResourceAddress.templates)
    }
    await server.withMethodHandler(ListResources.self) { _ in
      let who = try await Self.resourceCaller(caller)
      return ListResources.Result(resources: try await service.blocking { try service.resources(for: who) })
    }
    await server.withMethodHandler(ReadResource.self) { params in
      let who = try await Self.resourceCaller(caller)
      let content = try await service.blocking { try service.read(params.uri, for: who) }
      return ReadResource.Result(contents: [content])
    }
    return server
  }

  /// The `_meta` key of a `tools/call` that carries what HTTP's `Idempotency-Key` header does: a
  /// write retried under the same key gets the first result (and a warning) instead of a second
  /// write.
  public static let idempotencyKey = "casebook/idempotency_key"

  /// Runs `operation` for `caller` and gives its result as a tool result: the JSON as
  /// structured content and as text; a refusal as a tool error whose text is the CLI's error
  /// JSON (`{"error":{"code","message","exit_code"}}`).
  public func call(
    _ operation: StoreOperation, caller: Caller, arguments: [String: Value], idempotencyKey: String? = nil
  ) async -> CallTool.Result {
    let input: JSONValue
    do {
      input = try Self.json(.object(arguments))
    } catch {
      return Self.toolResult(ServiceResponse(ServiceError.badInput("the arguments are not JSON")))
    }
    let runner = self.runner
    let response = await withCheckedContinuation { (done: CheckedContinuation<ServiceResponse, Never>) in
      offload {
        done.resume(returning: runner.call(operation, caller: caller, input: input, idempotencyKey: idempotencyKey))
      }
    }
    return Self.toolResult(response)
  }

  static func toolResult(_ response: ServiceResponse) -> CallTool.Result {
    var content: [Tool.Content] = [
      .text(text: String(decoding: response.body, as: UTF8.self), annotations: nil, _meta: nil)
    ]
    for warning in response.warnings {
      content.append(.text(text: "warning: \(warning)", annotations: nil, _meta: nil))
    }
    guard response.status == 200 else {
      // No structured content on an error: it would not match the tool's output schema, which
      // clients may check it against.
      return CallTool.Result(content: content, isError: true)
    }
    let structured = (try? JSONValue.parse(response.body)).map(value)
    return CallTool.Result(content: content, structuredContent: structured, isError: false)
  }

  /// A resource request's caller; a refusal is a JSON-RPC error (resources have no tool errors).
  static func resourceCaller(_ caller: @Sendable () async throws -> Caller) async throws -> Caller {
    do { return try await caller() } catch { throw mcpError(ServiceError.from(error)) }
  }

  /// Runs blocking work through `offload`; a store error becomes a JSON-RPC error with the CLI's
  /// code in its message.
  func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    let result = await withCheckedContinuation { (done: CheckedContinuation<Result<T, ServiceError>, Never>) in
      offload {
        do { done.resume(returning: .success(try work())) } catch {
          done.resume(returning: .failure(ServiceError.from(error)))
        }
      }
    }
    switch result {
    case .success(let value): return value
    case .failure(let error): throw Self.mcpError(error)
    }
  }

  /// A store refusal as a JSON-RPC error: not found is MCP's resource-not-found (-32002).
  static func mcpError(_ error: ServiceError) -> MCPError {
    let message = "\(error.code): \(error.message)"
    switch error.code {
    case "not_found": return .serverError(code: -32002, message: message)
    case "bad_input": return .invalidParams(message)
    case "unauthorized", "forbidden": return .invalidRequest(message)
    default: return .internalError(message)
    }
  }

  // MARK: - Stdio

  /// Serves one client on standard input and output until it closes standard input, acting
  /// for whoever `caller` returns at each call.
  public func runStdio(caller: @escaping @Sendable () async throws -> Caller, logger: Logger) async throws {
    let server = await makeServer(caller: caller)
    try await server.start(transport: StdioTransport(logger: logger))
    await server.waitUntilCompleted()
    await server.stop()
  }

  // MARK: - JSON

  /// A Casebook JSON value as the SDK's.
  static func value(_ json: JSONValue) -> Value {
    switch json {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .double(let d): return .double(d)
    case .string(let s): return .string(s)
    case .array(let a): return .array(a.map(value))
    case .object(let o): return .object(o.mapValues(value))
    }
  }

  /// The SDK's value as Casebook's (a data value as the data URL it was sent as).
  static func json(_ value: Value) throws -> JSONValue {
    switch value {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .double(let d): return .double(d)
    case .string(let s): return .string(s)
    case .data: return try JSONValue.parse(try JSONEncoder().encode(value))
    case .array(let a): return .array(try a.map(json))
    case .object(let o): return .object(try o.mapValues(json))
    }
  }
}
