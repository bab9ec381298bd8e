import Casebook

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What a front end gets back for one call: a status, the JSON body, and warnings (a replayed
/// request says so) to pass on beside the body.
public struct ServiceResponse: Sendable {
  public let status: Int
  public let body: Data
  public let warnings: [String]

  public init(status: Int, body: Data, warnings: [String] = []) {
    self.status = status
    self.body = body
    self.warnings = warnings
  }

  public init(_ error: ServiceError) { self.init(status: error.status, body: error.body) }
}

/// Runs operations for authenticated callers: checks the input against the operation's schema,
/// the caller's grant of the project, the role or the session's owner the operation needs, maps
/// an idempotency key to the store's request id, and maps every error to `ServiceError`. The
/// HTTP and MCP front ends do only transport and authentication around `call`.
public struct OperationRunner: Sendable {
  public let projects: Projects

  public init(projects: Projects) { self.projects = projects }

  /// Runs `operation` for `caller` on `input` (body fields and path parameters as one object).
  /// Blocking: front ends call it off their event loops.
  public func call(_ operation: StoreOperation, caller: Caller, input: JSONValue, idempotencyKey: String?)
    -> ServiceResponse
  {
    do {
      return try run(operation, caller: caller, input: input, idempotencyKey: idempotencyKey)
    } catch {
      return ServiceResponse(ServiceError.from(error))
    }
  }

  private func run(_ operation: StoreOperation, caller: Caller, input: JSONValue, idempotencyKey: String?) throws
    -> ServiceResponse
  {
    try operation.input.validate(input)
    guard let projectId = input["project_id"]?.string else {
      throw ServiceError.badInput("field 'project_id' is required")
    }
    try Projects.checked(projectId)
    guard caller.may(see: projectId) else {
      throw ServiceError.forbidden("\(caller.user) is not granted project '\(projectId)'")
    }
    if operation.access == .reviewer, !caller.roles.contains(.reviewer) {
      throw ServiceError.forbidden("\(operation.id) needs the reviewer role, which \(caller.user) does not have")
    }
    let request: RequestID?
    if operation.writes, let idempotencyKey {
      request = try RequestID(idempotencyKey)
    } else {
      request = nil
    }
    return try projects.with(projectId) { project in
      if operation.access == .ownSession {
        guard let session = input["session_id"]?.string else {
          throw ServiceError.badInput("field 'session_id' is required")
        }
        let owner = try project.sessionOwner(session)
        guard owner == caller.user else {
          throw ServiceError.forbidden(
            "session \(session) belongs to another user; \(caller.user) acts only in their own sessions")
        }
      }
      let body = try operation.run(project, caller, input, request)
      return ServiceResponse(status: 200, body: body, warnings: project.takeWarnings())
    }
  }
}

/// Uploads: a file the front end has streamed to a temporary path, added as an input. Not in
/// `StoreOperation.all` (an MCP tool must never name a path on the server's disk); the HTTP
/// server alone offers it, with the body streamed to a file.
extension OperationRunner {
  /// The refusal, if any, of `caller` uploading to `session` of `projectId`: the grant and the
  /// session's owner, checked before a byte of the body is read.
  public func refusalOfUpload(caller: Caller, projectId: String, session: String) -> ServiceError? {
    do {
      try Projects.checked(projectId)
      guard caller.may(see: projectId) else {
        throw ServiceError.forbidden("\(caller.user) is not granted project '\(projectId)'")
      }
      try projects.with(projectId) { project in
        let owner = try project.sessionOwner(session)
        guard owner == caller.user else {
          throw ServiceError.forbidden(
            "session \(session) belongs to another user; \(caller.user) acts only in their own sessions")
        }
      }
      return nil
    } catch {
      return ServiceError.from(error)
    }
  }

  /// Adds the file at `file` (a temporary copy of the upload, named as the upload is) to
  /// `session` as `caller`, as `casebook input add` does. Blocking.
  public func addInput(
    caller: Caller, projectId: String, session: String, file: String, idempotencyKey: String?
  ) -> ServiceResponse {
    do {
      if let error = refusalOfUpload(caller: caller, projectId: projectId, session: session) { throw error }
      let request = try idempotencyKey.map { try RequestID($0) }
      return try projects.with(projectId) { project in
        let added = try project.addInput(file: file, session: session, request: request, by: User(caller.user))
        return ServiceResponse(
          status: 200, body: try CasebookJSON.encodeData(added), warnings: project.takeWarnings())
      }
    } catch {
      return ServiceResponse(ServiceError.from(error))
    }
  }

  /// The most bytes an input given inline (`addInputBytes`) may have.
  public static let maxInlineInputBytes = 16 << 20

  /// A file name from a request: one path component, no control characters, at most 255 bytes.
  public static func checkedFileName(_ name: String) throws(ServiceError) -> String {
    guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), name.utf8.count <= 255,
      !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
    else {
      throw ServiceError.badInput(
        "name '\(quoted(name))' must be a file name: one path component, no control characters, at most 255 bytes")
    }
    return name
  }

  /// Adds an input given as its bytes, named `name` (the MCP tool's way: a tool's arguments carry
  /// the file, never a path on the server's disk). The bytes are written to a new temporary
  /// folder, added as `addInput` adds an upload, and removed whatever happens. Blocking.
  public func addInputBytes(
    caller: Caller, projectId: String, session: String, name: String, bytes: [UInt8], idempotencyKey: String?
  ) -> ServiceResponse {
    do {
      let fileName = try Self.checkedFileName(name)
      guard bytes.count <= Self.maxInlineInputBytes else {
        throw ServiceError.tooLarge("the input is larger than \(Self.maxInlineInputBytes) bytes")
      }
      if let error = refusalOfUpload(caller: caller, projectId: projectId, session: session) { throw error }
      let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
      var template = Array((base + "/casebook-input-XXXXXX").utf8CString)
      guard
        let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) })
      else {
        throw ServiceError(status: 500, code: "repository", message: "cannot make a folder in \(base)", exitCode: 4)
      }
      let path = folder + "/" + fileName
      defer {
        unlink(path)
        rmdir(folder)
      }
      do {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
      } catch {
        throw ServiceError(status: 500, code: "repository", message: "cannot write \(path): \(error)", exitCode: 4)
      }
      return addInput(
        caller: caller, projectId: projectId, session: session, file: path, idempotencyKey: idempotencyKey)
    } catch {
      return ServiceResponse(ServiceError.from(error))
    }
  }
}
