import YAML

/// One tool call of the drafting assistant: the seed's PromptLog and ToolLog in one record,
/// committed on the session branch at `exchanges/<session>/<bucket>/<sequence>.yaml`.
public struct ExchangeRecord: Sendable, Equatable, Encodable {
  public let exchangeId: String
  public let sequence: Int
  public let sessionId: String
  public let userId: String
  public let toolName: String
  public let timestamp: String
  public let statusCode: Int?
  public let latencyMs: Int?
  public let section: String?
  /// The input payload (the prompt).
  public let prompt: String?
  /// The output payload (the tool's response).
  public let response: String?
  /// The SHA-256 of the `casebook context` the call was made with, so that an auditor can
  /// rebuild exactly what the assistant saw (`casebook context --at`).
  public let contextHash: String?
  /// The seed's PromptLog `prompt_id`: the client's id for the prompt, or the exchange id.
  public let promptId: String
  /// The request id the exchange was recorded with (`--request-id`), if any.
  public let requestId: String?

  init(
    sequence: Int, sessionId: String, userId: String, toolName: String, timestamp: String, statusCode: Int?,
    latencyMs: Int?, section: String?, prompt: String?, response: String?, contextHash: String? = nil,
    promptId: String? = nil, requestId: String? = nil
  ) {
    self.exchangeId = "\(sessionId)-\(sequence)"
    self.promptId = promptId ?? exchangeId
    self.requestId = requestId
    self.sequence = sequence
    self.sessionId = sessionId
    self.userId = userId
    self.toolName = toolName
    self.timestamp = timestamp
    self.statusCode = statusCode
    self.latencyMs = latencyMs
    self.section = section
    self.prompt = prompt
    self.response = response
    self.contextHash = contextHash
  }

  init(_ map: Mapping, path: String) throws {
    guard let sequence = map["sequence"]?.int, let session = map["session_id"]?.string,
      let tool = map["tool_name"]?.string
    else { throw CasebookError.repository("\(path) lacks sequence, session_id or tool_name") }
    self.init(
      sequence: try RecordNumber.check(sequence, RecordNumber.counts, "sequence", in: path), sessionId: session,
      userId: map["user_id"]?.string ?? "", toolName: tool,
      timestamp: map["timestamp"]?.string ?? "", statusCode: try RecordNumber.read(map, "status_code", in: path),
      latencyMs: try RecordNumber.read(map, "latency_ms", in: path),
      section: map["section"]?.string, prompt: map["prompt"]?.string, response: map["response"]?.string,
      contextHash: map["context_hash"]?.string, promptId: map["prompt_id"]?.string,
      requestId: map["request_id"]?.string)
  }

  var node: Node {
    var map = Mapping()
    map["exchange_id"] = .string(exchangeId)
    map["prompt_id"] = .string(promptId)
    map["sequence"] = .int(sequence)
    map["session_id"] = .string(sessionId)
    map["user_id"] = .string(userId)
    map["tool_name"] = .string(toolName)
    map["timestamp"] = .string(timestamp)
    if let statusCode { map["status_code"] = .int(statusCode) }
    if let latencyMs { map["latency_ms"] = .int(latencyMs) }
    if let section { map["section"] = .string(section) }
    map["prompt"] = prompt.map(Node.string) ?? .null
    map["response"] = response.map(Node.string) ?? .null
    if let contextHash { map["context_hash"] = .string(contextHash) }
    if let requestId { map["request_id"] = .string(requestId) }
    return .mapping(map)
  }
}

/// The outcome of `exchange record`.
public struct ExchangeRecorded: Sendable, Codable {
  public let exchangeId: String
  public let sequence: Int
  public let path: String
  public let commit: String
}

extension ExchangeRecorded: ReplayableResult {
  func replayed(commit: String, in project: Project) -> ExchangeRecorded {
    ExchangeRecorded(exchangeId: exchangeId, sequence: sequence, path: path, commit: commit)
  }
}
