import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What one exchange record carries.
public struct ExchangeInput: Sendable {
  public var tool: String
  public var prompt: String?
  public var response: String?
  public var statusCode: Int?
  public var latencyMs: Int?
  public var section: String?
  /// The `hash` of the `casebook context` the call was made with (64 lowercase hex digits).
  public var contextHash: String?
  /// The client's id for the prompt (the seed's PromptLog `prompt_id`); the exchange id if nil.
  public var promptId: String?

  public init(
    tool: String, prompt: String? = nil, response: String? = nil, statusCode: Int? = nil, latencyMs: Int? = nil,
    section: String? = nil, contextHash: String? = nil, promptId: String? = nil
  ) {
    self.promptId = promptId
    self.tool = tool
    self.prompt = prompt
    self.response = response
    self.statusCode = statusCode
    self.latencyMs = latencyMs
    self.section = section
    self.contextHash = contextHash
  }
}

extension Project {
  public static let maxPayloadBytes = 8 << 20

  /// Records one exchange (a prompt and the tool's response) on the session's branch: the
  /// session's newest exchange is its short-term memory.
  ///
  /// With a request id, a retry gets the first result and records nothing.
  public func recordExchange(
    _ exchange: ExchangeInput, session: String, request: RequestID? = nil, by user: User
  ) throws -> ExchangeRecorded {
    let session = try SessionID(session)
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    guard !exchange.tool.isEmpty, exchange.tool.count <= 64, exchange.tool.allSatisfy({ allowed.contains($0) }) else {
      throw CasebookError.badInput(
        "tool name '\(Identifier.printable(exchange.tool))' must be 1 to 64 letters, digits or ._-")
    }
    if let status = exchange.statusCode, !(0...999).contains(status) {
      throw CasebookError.badInput("status \(status) is out of range 0 to 999")
    }
    if let latency = exchange.latencyMs, latency < 0 { throw CasebookError.badInput("latency must not be negative") }
    if let hash = exchange.contextHash,
      hash.utf8.count != 64 || !hash.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
    {
      throw CasebookError.badInput(
        "context hash '\(Identifier.printable(hash))' is not a SHA-256: expected 64 lowercase hex digits, as casebook context prints"
      )
    }
    if let prompt = exchange.promptId {
      guard !prompt.isEmpty, prompt.utf8.count <= 200, prompt.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
        throw CasebookError.badInput(
          "prompt id '\(Identifier.printable(prompt))' is not valid: use 1 to 200 printable ASCII characters without spaces"
        )
      }
    }
    let section = try exchange.section.map(SectionID.init)
    let ticket = RequestTicket.make(
      request, action: "record-exchange",
      [
        ("session", session.text), ("tool", exchange.tool), ("prompt", exchange.prompt),
        ("response", exchange.response),
        ("status", exchange.statusCode.map(String.init)), ("latency", exchange.latencyMs.map(String.init)),
        ("section", section?.text), ("context-hash", exchange.contextHash), ("prompt-id", exchange.promptId),
      ])
    for payload in [exchange.prompt, exchange.response].compactMap({ $0 })
    where payload.utf8.count > Self.maxPayloadBytes {
      throw CasebookError.badInput("a payload is larger than \(Self.maxPayloadBytes >> 20) MiB")
    }
    return try once(ticket, session: session) {
      try recordExchangeOnce(exchange, section: section, session: session, ticket: ticket, by: user)
    }
  }

  private func recordExchangeOnce(
    _ exchange: ExchangeInput, section: SectionID?, session: SessionID, ticket: RequestTicket?, by user: User
  ) throws -> ExchangeRecorded {
    var recorded: ExchangeRecord?
    func result(_ commit: String) -> ExchangeRecorded {
      let entry = recorded!
      return ExchangeRecorded(
        exchangeId: entry.exchangeId, sequence: entry.sequence,
        path: Layout.exchange(session: session, sequence: entry.sequence), commit: commit)
    }
    let commit = try writeSession(session, by: user, request: ticket, result: result("")) {
      snapshot, record, pending in
      let entry = ExchangeRecord(
        sequence: try lastExchangeSequence(session, in: snapshot) + 1, sessionId: session.text, userId: user.id,
        toolName: exchange.tool,
        timestamp: record.lastActive, statusCode: exchange.statusCode, latencyMs: exchange.latencyMs,
        section: section?.text,
        prompt: exchange.prompt, response: exchange.response, contextHash: exchange.contextHash,
        promptId: exchange.promptId, requestId: ticket?.id.key)
      try pending.put(Layout.exchange(session: session, sequence: entry.sequence), yaml: entry.node)
      recorded = entry
      var extra = [("Casebook-Tool", exchange.tool), ("Casebook-Exchange", entry.exchangeId)]
      if let status = exchange.statusCode { extra.append(("Casebook-Status", String(status))) }
      if let latency = exchange.latencyMs { extra.append(("Casebook-Latency-Ms", String(latency))) }
      if let hash = exchange.contextHash { extra.append(("Casebook-Context-Hash", hash)) }
      return CommitMessage(
        summary: "record exchange \(entry.sequence) with \(exchange.tool)", action: "record-exchange", user: user.id,
        session: session, section: section, extra: extra)
    }
    return result(commit.hex)
  }

  /// The session's exchanges, newest first, at most `limit`.
  public func exchanges(session: String, limit: Int = 20) throws -> [ExchangeRecord] {
    let session = try SessionID(session)
    let snapshot = try sessionSnapshot(session)
    let record = try sessionRecord(session, in: snapshot)
    var out: [ExchangeRecord] = []
    var sequence = record.exchangeCount
    while sequence >= 1 && out.count < limit {
      let path = Layout.exchange(session: session, sequence: sequence)
      if let map = try snapshot.mapping(path) { out.append(try ExchangeRecord(map, path: path)) }
      sequence -= 1
    }
    return out
  }
}
