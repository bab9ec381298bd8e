import CasebookService
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

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

/// The HTTP API: one route per entry of `StoreOperation.all`, JSON in and out, bearer tokens.
/// Only transport lives here: authentication, the body limit, query and path parameters, and
/// the request log; everything else is `OperationRunner.call`.
public struct HTTPServer: Sendable {
  public struct Options: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var tokensPath: String
    /// The largest JSON body accepted.
    public var maxBodyBytes = 1 << 20
    /// The largest upload (an input's bytes) accepted; streamed to a file, never held in memory.
    public var maxUploadBytes = 2 << 30
    /// Where uploads are streamed to before they are added (default: $TMPDIR, else /tmp).
    public var uploadDirectory =
      ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"

    public init(tokensPath: String) { self.tokensPath = tokensPath }
  }

  public let options: Options
  public let runner: OperationRunner
  let tokens: TokenCache
  let logger: Logger

  public init(options: Options, projects: Projects, logger: Logger) {
    self.options = options
    self.runner = OperationRunner(projects: projects)
    self.tokens = TokenCache(path: options.tokensPath)
    self.logger = logger
  }

  static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
  static let warningHeader = HTTPField.Name("Casebook-Warning")!

  /// Serves until SIGTERM or SIGINT, then stops accepting, lets requests in flight finish, and
  /// returns. The first line on standard output is `listening on http://HOST:PORT`.
  public func run() async throws {
    let router = Router()
    router.middlewares.add(ErrorShape(logger: logger))
    router.get("/health") { _, _ in Self.json(200, Data(#"{"status":"ok"}"#.utf8)) }
    let openAPI = OpenAPI.document().data()
    router.get("/openapi.json") { _, _ in Self.json(200, openAPI) }
    let openAPIYAML = OpenAPI.yaml(OpenAPI.document())
    router.get("/openapi.yaml") { _, _ in
      var buffer = ByteBuffer()
      buffer.writeString(openAPIYAML)
      return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: buffer))
    }
    router.post(RouterPath(OpenAPI.uploadPath)) { request, context in await self.upload(request, context) }
    for operation in StoreOperation.all {
      let method = HTTPRequest.Method(rawValue: operation.method.rawValue)!
      router.on(RouterPath(operation.path), method: method) { request, context in
        await self.handle(operation, request, context)
      }
    }
    // MCP's Streamable HTTP at /mcp (MCPEndpoint.swift): the same table, tokens and runner.
    MCPEndpoint(runner: runner, tokens: tokens, options: options, logger: logger).register(on: router)
    let app = Application(
      router: router,
      configuration: .init(address: .hostname(options.host, port: options.port), serverName: "casebook"),
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? 0
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        let line = Array("listening on http://\(host):\(port)\n".utf8)
        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
      },
      logger: logger)
    // SIGTERM and SIGINT: graceful shutdown (ServiceLifecycle's default signals).
    try await app.runService()
  }

  func handle(_ operation: StoreOperation, _ request: Request, _ context: BasicRequestContext) async -> Response {
    let start = ContinuousClock.now
    var user = "-"
    let response: Response
    do {
      let caller = try tokens.requireCaller(request)
      user = caller.user
      let input = try await self.input(for: operation, request, context)
      let key = request.headers[Self.idempotencyKey]
      let runner = self.runner
      let result = try await NIOThreadPool.singleton.runIfActive {
        runner.call(operation, caller: caller, input: input, idempotencyKey: key)
      }
      var headers = HTTPFields()
      for warning in result.warnings {
        let printable = warning.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }
        headers.append(HTTPField(name: Self.warningHeader, value: String(String.UnicodeScalarView(printable))))
      }
      response = Self.json(result.status, result.body, headers: headers)
    } catch {
      let failure = (error as? ServiceError) ?? ServiceError.from(error)
      response = Self.json(failure.status, failure.body)
    }
    let elapsed = ContinuousClock.now - start
    let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
    logger.info(
      "request",
      metadata: [
        "route": .string("\(operation.method.rawValue) \(operation.path)"), "operation": .string(operation.id),
        "user": .string(user), "status": .stringConvertible(response.status.code),
        "latency_ms": .string(String(format: "%.1f", milliseconds)),
      ])
    return response
  }

  static let fileNameHeader = HTTPField.Name("Casebook-File-Name")!

  /// POST /projects/{project_id}/sessions/{session_id}/inputs: the raw body is the file, `name`
  /// (query, or the Casebook-File-Name header) its name. The caller's grant and session are
  /// checked before the body is read; the body is streamed to a file in a fresh temporary
  /// folder, the limit checked as bytes arrive; the file is added with `addInput` and the folder
  /// removed whatever happens (a client that goes away mid-upload leaves nothing behind).
  func upload(_ request: Request, _ context: BasicRequestContext) async -> Response {
    let start = ContinuousClock.now
    var user = "-"
    let response: Response
    do {
      let caller = try tokens.requireCaller(request)
      user = caller.user
      let projectId = context.parameters.get("project_id") ?? ""
      let session = context.parameters.get("session_id") ?? ""
      var name = request.headers[Self.fileNameHeader]
      for (key, value) in request.uri.queryParameters {
        guard key == "name" else {
          throw ServiceError.badInput("query parameter '\(quoted(String(key)))' is not allowed here (known: name)")
        }
        name = String(value)
      }
      let fileName = try OperationRunner.checkedFileName(name ?? "upload")
      let key = request.headers[Self.idempotencyKey]
      let runner = self.runner
      if let refusal = try await NIOThreadPool.singleton.runIfActive({
        runner.refusalOfUpload(caller: caller, projectId: projectId, session: session)
      }) {
        throw refusal
      }
      let limit = options.maxUploadBytes
      let declared = request.headers[.contentLength].flatMap { Int($0) }
      if let declared, declared > limit {
        throw ServiceError.tooLarge("the upload is larger than \(limit) bytes")
      }
      var template = Array((options.uploadDirectory + "/casebook-upload-XXXXXX").utf8CString)
      guard
        let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) })
      else {
        throw ServiceError(
          status: 500, code: "repository", message: "cannot make a folder for the upload in \(options.uploadDirectory)",
          exitCode: 4)
      }
      let path = folder + "/" + fileName
      defer {
        unlink(path)
        rmdir(folder)
      }
      let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
      guard fd >= 0 else {
        throw ServiceError(
          status: 500, code: "repository", message: "cannot write the upload to \(folder)", exitCode: 4)
      }
      var written = 0
      do {
        defer { close(fd) }
        for try await buffer in request.body {
          written += buffer.readableBytes
          guard written <= limit else { throw ServiceError.tooLarge("the upload is larger than \(limit) bytes") }
          try await NIOThreadPool.singleton.runIfActive { try Self.writeAll(fd, buffer) }
        }
      }
      if let declared, declared != written {
        throw ServiceError.badInput("the upload ended after \(written) of its \(declared) bytes")
      }
      let result = try await NIOThreadPool.singleton.runIfActive {
        runner.addInput(caller: caller, projectId: projectId, session: session, file: path, idempotencyKey: key)
      }
      response = Self.json(result.status, result.body, headers: Self.warningHeaders(result.warnings))
    } catch {
      let failure = (error as? ServiceError) ?? ServiceError.from(error)
      response = Self.json(failure.status, failure.body)
    }
    log(
      route: "POST \(OpenAPI.uploadPath)", operation: "uploadInput", user: user, status: response.status.code,
      since: start)
    return response
  }

  static func writeAll(_ fd: Int32, _ buffer: ByteBuffer) throws {
    try buffer.withUnsafeReadableBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          throw ServiceError(
            status: 500, code: "repository", message: "cannot write the upload: errno \(errno)", exitCode: 4)
        }
        offset += n
      }
    }
  }

  static func warningHeaders(_ warnings: [String]) -> HTTPFields {
    var headers = HTTPFields()
    for warning in warnings {
      let printable = warning.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }
      headers.append(HTTPField(name: Self.warningHeader, value: String(String.UnicodeScalarView(printable))))
    }
    return headers
  }

  func log(route: String, operation: String, user: String, status: Int, since start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
    logger.info(
      "request",
      metadata: [
        "route": .string(route), "operation": .string(operation), "user": .string(user),
        "status": .stringConvertible(status), "latency_ms": .string(String(format: "%.1f", milliseconds)),
      ])
  }

  /// The operation's input: the JSON body (POST) or the query (GET), with the path's
  /// parameters added; a body field that names a path parameter must agree with it.
  func input(for operation: StoreOperation, _ request: Request, _ context: BasicRequestContext) async throws
    -> JSONValue
  {
    var fields: [String: JSONValue] = [:]
    if operation.method == .post {
      let buffer: ByteBuffer
      do {
        buffer = try await request.body.collect(upTo: options.maxBodyBytes)
      } catch let error as HTTPError where error.status == .contentTooLarge {
        throw ServiceError.tooLarge("the request body is larger than \(options.maxBodyBytes) bytes")
      } catch is NIOTooManyBytesError {
        throw ServiceError.tooLarge("the request body is larger than \(options.maxBodyBytes) bytes")
      }
      let bytes = buffer.readableBytesView
      if !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
        guard case .object(let object) = try JSONValue.parse(bytes) else {
          throw ServiceError.badInput("the request body must be a JSON object")
        }
        fields = object
      }
    } else {
      for (name, value) in request.uri.queryParameters {
        let name = String(name)
        let value = String(value)
        let kind = operation.input.properties.first { $0.name == name }?.schema.kind
        if kind == .integer {
          guard let number = Int(value) else {
            throw ServiceError.badInput("query parameter '\(quoted(name))' must be an integer")
          }
          fields[name] = .int(number)
        } else if kind == .boolean {
          guard value == "true" || value == "false" else {
            throw ServiceError.badInput("query parameter '\(quoted(name))' must be true or false")
          }
          fields[name] = .bool(value == "true")
        } else {
          fields[name] = .string(value)
        }
      }
    }
    for name in operation.pathParameters {
      guard let value = context.parameters.get(name) else { continue }
      if let given = fields[name], given != .string(value) {
        throw ServiceError.badInput("field '\(name)' disagrees with the path")
      }
      fields[name] = .string(value)
    }
    return .object(fields)
  }

  static func json(_ status: Int, _ body: Data, headers: HTTPFields = [:]) -> Response {
    var headers = headers
    headers[.contentType] = "application/json"
    var buffer = ByteBuffer()
    buffer.writeBytes(body)
    return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: buffer))
  }
}

/// Gives Hummingbird's own refusals (no such route, wrong method) the API's error shape.
struct ErrorShape<Context: RequestContext>: RouterMiddleware {
  let logger: Logger

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    do {
      return try await next(request, context)
    } catch let error as HTTPError {
      let code: String
      switch error.status.code {
      case 404: code = "not_found"
      case 405: code = "method_not_allowed"
      case 413: code = "too_large"
      default: code = "bad_input"
      }
      let failure = ServiceError(
        status: Int(error.status.code), code: code, message: error.body ?? error.status.reasonPhrase)
      logger.info(
        "request",
        metadata: ["route": "-", "user": "-", "status": .stringConvertible(error.status.code)])
      return HTTPServer.json(failure.status, failure.body)
    }
  }
}

/// The tokens file, read again when it changes (so `token add` and `token remove` take effect
/// without a restart).
final class TokenCache: @unchecked Sendable {
  let path: String
  private let lock = NIOLock()
  private var store: TokenStore?
  private var stamp: (Int, Int, Int) = (-1, -1, -1)

  init(path: String) { self.path = path }

  /// The caller a request's bearer token stands for; unauthorized (401) without a valid one.
  func requireCaller(_ request: Request) throws -> Caller {
    guard let caller = try caller(for: request.headers[.authorization]) else {
      throw ServiceError.unauthorized("a valid bearer token is required (Authorization: Bearer TOKEN)")
    }
    return caller
  }

  /// The caller for an `Authorization` header's value; nil for none, another scheme, or an
  /// unknown token.
  func caller(for header: String?) throws -> Caller? {
    guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
    let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    guard !token.isEmpty else { return nil }
    return try lock.withLock {
      var info = stat()
      let current =
        stat(path, &info) == 0 ? (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_ino)) : (0, 0, 0)
      if store == nil || current != stamp {
        store = try TokenStore(path: path)
        stamp = current
      }
      return store?.caller(for: token)
    }
  }
}
