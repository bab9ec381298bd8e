import Casebook

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
