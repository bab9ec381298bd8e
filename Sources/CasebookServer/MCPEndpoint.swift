import CasebookMCP
import CasebookService
import HTTPTypes
import Hummingbird
import Logging
import MCP
import NIOCore
import NIOPosix

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// MCP's Streamable HTTP transport at `/mcp`, beside the HTTP API and behind the same bearer
/// tokens: the SDK's `StatefulHTTPServerTransport`, one per MCP session (`Mcp-Session-Id`), each
/// with its own `Server` from `CasebookMCP`. A session belongs to the user whose token
/// initialised it; every request must carry a valid token (401) of that user (403), and each
/// tool call acts as the token presented with it.
///
/// The SDK's transport answers every POST with a `text/event-stream`; as Casebook sends nothing
/// but the one response on a request's stream, the endpoint answers `application/json` instead
/// (the spec lets a server choose, and every client must accept both). The SDK's own client
/// cannot read an event stream on Linux. There is no standalone GET stream (405, as the spec
/// allows): the server never speaks first.
struct MCPEndpoint: Sendable {
  let mcp: CasebookMCP
  let tokens: TokenCache
  let sessions: MCPSessions
  let maxBodyBytes: Int
  let pipeline: any HTTPRequestValidationPipeline
  let logger: Logger

  init(runner: OperationRunner, tokens: TokenCache, options: HTTPServer.Options, logger: Logger) {
    self.mcp = CasebookMCP(runner: runner) { work in NIOThreadPool.singleton.submit { _ in work() } }
    self.tokens = tokens
    self.sessions = MCPSessions()
    self.maxBodyBytes = options.maxBodyBytes
    self.logger = logger
    // DNS rebinding protection (Origin and Host must be loopback) when the server is only on
    // loopback; behind a reverse proxy the Host is the proxy's name, and the token guards.
    let loopback = ["127.0.0.1", "localhost", "::1"].contains(options.host)
    self.pipeline = StandardValidationPipeline(validators: [
      loopback ? OriginValidator.localhost() : OriginValidator.disabled,
      // Every answer is JSON, so a client need only accept JSON (the spec's clients accept both).
      AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator(),
      SessionValidator(),
    ])
  }

  static let path = "/mcp"

  func register(on router: Router<BasicRequestContext>) {
    for method in [HTTPTypes.HTTPRequest.Method.post, .get, .delete] {
      router.on(RouterPath(Self.path), method: method) { request, context in await self.handle(request, context) }
    }
  }

  func handle(_ request: Request, _ context: BasicRequestContext) async -> Response {
    let start = ContinuousClock.now
    var user = "-"
    let response: Response
    do {
      let caller = try tokens.requireCaller(request)
      user = caller.user
      var body: Data?
      if request.method == .post {
        do {
          body = Data(buffer: try await request.body.collect(upTo: maxBodyBytes))
        } catch let error as HTTPError where error.status == .contentTooLarge {
          throw ServiceError.tooLarge("the request body is larger than \(maxBodyBytes) bytes")
        } catch is NIOTooManyBytesError {
          throw ServiceError.tooLarge("the request body is larger than \(maxBodyBytes) bytes")
        }
      }
      var headers: [String: String] = [:]
      for field in request.headers {
        let name = field.name.canonicalName
        headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
      }
      let message = MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: body, path: Self.path)
      response = await Self.response(await route(message, caller: caller))
    } catch {
      let failure = ServiceError.from(error)
      var headers = HTTPFields()
      if failure.status == 401 { headers[.wwwAuthenticate] = #"Bearer realm="casebook""# }
      response = HTTPServer.json(failure.status, failure.body, headers: headers)
    }
    let elapsed = ContinuousClock.now - start
    let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
    logger.info(
      "request",
      metadata: [
        "route": .string("\(request.method.rawValue) \(Self.path)"), "user": .string(user),
        "status": .stringConvertible(response.status.code), "latency_ms": .string(String(format: "%.1f", milliseconds)),
      ])
    return response
  }

  /// Hands the request to its session's transport, or makes a session for an initialize.
  func route(_ request: MCP.HTTPRequest, caller: Caller) async -> MCP.HTTPResponse {
    if request.method == "GET" {
      return .error(
        statusCode: 405, .invalidRequest("Method Not Allowed: this server sends nothing unasked; POST requests"),
        extraHeaders: ["Allow": "POST, DELETE"])
    }
    if let id = request.header(HTTPHeaderName.sessionID) {
      guard let session = await sessions.session(id) else {
        return .error(statusCode: 404, .invalidRequest("Not Found: no MCP session \(id.prefix(64))"))
      }
      guard session.user == caller.user else {
        return .error(statusCode: 403, .invalidRequest("Forbidden: this MCP session belongs to another user"))
      }
      let response = await session.transport.handleRequest(request)
      if request.method == "DELETE", response.statusCode == 200 { await sessions.close(id) }
      return response
    }
    let isInitialize =
      request.method == "POST" && request.body.flatMap { try? JSONValue.parse($0) }?["method"]?.string == "initialize"
    guard isInitialize else {
      return .error(statusCode: 400, .invalidRequest("Bad Request: Mcp-Session-Id header required"))
    }
    let id = UUID().uuidString
    // The transport's own log lines name session ids at info: only its warnings.
    var quiet = logger
    quiet.logLevel = .warning
    let transport = StatefulHTTPServerTransport(
      sessionIDGenerator: FixedSessionID(id: id), validationPipeline: pipeline, logger: quiet)
    let server = await mcp.makeServer(caller: Self.caller(tokens: tokens, user: caller.user))
    do {
      try await server.start(transport: transport)
    } catch {
      return .error(statusCode: 500, .internalError("cannot start an MCP session: \(error)"))
    }
    guard await sessions.add(id, MCPSessions.Session(user: caller.user, server: server, transport: transport)) else {
      await server.stop()
      return .error(statusCode: 503, .internalError("Service Unavailable: too many MCP sessions; try again later"))
    }
    let response = await transport.handleRequest(request)
    if response.statusCode >= 400 { await sessions.close(id) }
    return response
  }

  /// Who a tool call acts for: the user of the token on the HTTP request that carried it, who
  /// must be the session's.
  static func caller(tokens: TokenCache, user: String) -> @Sendable () async throws -> Caller {
    {
      let header = Server.currentHandlerContext?.httpContext?.header(HTTPHeaderName.authorization)
      guard let caller = try tokens.caller(for: header) else {
        throw ServiceError.unauthorized("a valid bearer token is required (Authorization: Bearer TOKEN)")
      }
      guard caller.user == user else { throw ServiceError.forbidden("this MCP session belongs to another user") }
      return caller
    }
  }

  /// The transport's answer as Hummingbird's; a request's event stream as the one JSON message
  /// it carried.
  static func response(_ answer: MCP.HTTPResponse) async -> Response {
    var status = answer.statusCode
    var headers = answer.headers
    var body = answer.bodyData ?? Data()
    if case .stream(let stream, _) = answer {
      var events = Data()
      do {
        for try await chunk in stream { events.append(chunk) }
      } catch {}
      if let message = lastMessage(in: events) {
        body = message
        headers[HTTPHeaderName.contentType] = "application/json"
        headers[HTTPHeaderName.cacheControl] = "no-store"
        headers[HTTPHeaderName.connection] = nil
      } else {
        status = 500
        let error = MCP.HTTPResponse.error(statusCode: 500, .internalError("the MCP session ended without an answer"))
        body = error.bodyData ?? Data()
        headers = error.headers
      }
    }
    var fields = HTTPFields()
    for (name, value) in headers {
      guard let name = HTTPField.Name(name) else { continue }
      fields[name] = value
    }
    if status == 202 || status == 200, body.isEmpty {
      return Response(status: .init(code: status), headers: fields)
    }
    var buffer = ByteBuffer()
    buffer.writeBytes(body)
    return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: buffer))
  }

  /// The data of the last `message` event of a server-sent event stream.
  static func lastMessage(in events: Data) -> Data? {
    let text = String(decoding: events, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    var last: String?
    for event in text.components(separatedBy: "\n\n") {
      let data = event.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> Substring? in
        guard line.hasPrefix("data:") else { return nil }
        let value = line.dropFirst(5)
        return value.hasPrefix(" ") ? value.dropFirst() : value
      }.joined(separator: "\n")
      if !data.isEmpty { last = data }
    }
    return last.map { Data($0.utf8) }
  }
}

/// The session id the endpoint chose, for the transport to announce.
struct FixedSessionID: SessionIDGenerator {
  let id: String
  func generateSessionID() -> String { id }
}

/// The open MCP sessions: at most `limit`, each closed after `idle` without a request.
actor MCPSessions {
  struct Session: Sendable {
    let user: String
    let server: Server
    let transport: StatefulHTTPServerTransport
  }

  private var open: [String: (session: Session, used: ContinuousClock.Instant)] = [:]
  let limit: Int
  let idle: Duration

  init(limit: Int = 1_000, idle: Duration = .seconds(3_600)) {
    self.limit = limit
    self.idle = idle
  }

  func session(_ id: String) -> Session? {
    guard let entry = open[id] else { return nil }
    open[id]?.used = .now
    return entry.session
  }

  /// Adds a session, after closing the idle ones; false when `limit` are open still.
  func add(_ id: String, _ session: Session) async -> Bool {
    let now = ContinuousClock.now
    for (id, entry) in open where now - entry.used > idle { await close(id) }
    guard open.count < limit else { return false }
    open[id] = (session, now)
    return true
  }

  func close(_ id: String) async {
    guard let entry = open.removeValue(forKey: id) else { return }
    await entry.session.server.stop()
  }
}
