import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Who is calling: the user a bearer token stands for, never a field of the request.
public struct Caller: Sendable, Equatable {
  public enum Role: String, Sendable, Codable, CaseIterable { case reviewer }

  public let user: String
  public let roles: Set<Role>
  /// The projects the caller may see; nil: all of them.
  public let projects: Set<String>?

  public init(user: String, roles: Set<Role> = [], projects: Set<String>? = nil) {
    self.user = user
    self.roles = roles
    self.projects = projects
  }

  public func may(see project: String) -> Bool { projects?.contains(project) ?? true }
}

/// One operation of the store, as every front end offers it: the HTTP API as a route, the MCP
/// server as a tool. Everything but the transport lives here.
public struct StoreOperation: Sendable {
  public enum Method: String, Sendable {
    case get = "GET"
    case post = "POST"
  }

  /// Who may call it, beyond holding a token for the project.
  public enum Access: String, Sendable {
    /// Any user granted the project.
    case granted
    /// Only a user with the reviewer role.
    case reviewer
    /// Only the owner of the session named by `session_id`.
    case ownSession
  }

  /// The stable name (OpenAPI's operationId, the MCP tool's name).
  public let id: String
  public let summary: String
  public let method: Method
  /// The route, with `{name}` for each path parameter (`/projects/{project_id}/sessions/{session_id}`).
  /// Path parameters are input fields of the same name.
  public let path: String
  public let writes: Bool
  public let access: Access
  public let input: JSONSchema
  public let output: JSONSchema
  /// Runs the operation on an open project for `caller`, with the input checked against
  /// `input` already, and returns the result as JSON.
  public let run: @Sendable (Project, Caller, JSONValue, RequestID?) throws -> Data

  /// The names of the path's parameters, in order.
  public var pathParameters: [String] {
    path.split(separator: "/").compactMap { part in
      part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
    }
  }

  /// An operation whose input decodes into `I` and whose result encodes from `O`. A read whose
  /// result is a function of what `cacheKey` returns (a commit and the request's fields) is
  /// answered from `ResultCache.shared` when the same key was answered before.
  static func make<I: Decodable & Sendable, O: Encodable & Sendable>(
    _ id: String, _ summary: String, _ method: Method, _ path: String, writes: Bool, access: Access = .granted,
    input: JSONSchema, output: JSONSchema,
    cacheKey: (@Sendable (Project, I) throws -> String)? = nil,
    _ body: @escaping @Sendable (Project, Caller, I, RequestID?) throws -> O
  ) -> StoreOperation {
    StoreOperation(
      id: id, summary: summary, method: method, path: path, writes: writes, access: access, input: input,
      output: output,
      run: { project, caller, json, request in
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let value: I
        do {
          value = try decoder.decode(I.self, from: json.data())
        } catch {
          throw ServiceError.badInput("the request does not match \(id)'s input: \(error)")
        }
        guard let cacheKey else { return try CasebookJSON.encodeData(try body(project, caller, value, request)) }
        let key = try id + "\u{0}" + project.path + "\u{0}" + cacheKey(project, value)
        if let cached = ResultCache.shared.value(for: key) { return cached }
        let data = try CasebookJSON.encodeData(try body(project, caller, value, request))
        ResultCache.shared.insert(data, for: key)
        return data
      })
  }
}
