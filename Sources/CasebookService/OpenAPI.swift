import YAML

/// The OpenAPI 3.1 document of the HTTP API, made from `StoreOperation.all`: an operationId,
/// a summary, parameters, a request body and responses (errors included) for every operation,
/// and the bearer security scheme.
public enum OpenAPI {
  /// The upload route, which only the HTTP server offers (its body is the file, streamed).
  public static let uploadPath = "/projects/{project_id}/sessions/{session_id}/inputs"

  public static func document(serverURL: String? = nil) -> JSONValue {
    var paths: [String: [String: JSONValue]] = [:]
    for operation in StoreOperation.all {
      var parameters: [JSONValue] = operation.pathParameters.map { name in
        .object([
          "name": .string(name), "in": .string("path"), "required": .bool(true),
          "schema": schema(of: name, in: operation),
        ])
      }
      var entry: [String: JSONValue] = [
        "operationId": .string(operation.id), "summary": .string(operation.summary),
        "security": .array([.object(["bearer": .array([])])]),
      ]
      let bodyFields = operation.input.properties.filter { !operation.pathParameters.contains($0.name) }
      if operation.method == .get {
        for field in bodyFields {
          parameters.append(
            .object([
              "name": .string(field.name), "in": .string("query"),
              "required": .bool(operation.input.required.contains(field.name)), "schema": field.schema.json,
            ]))
        }
      } else {
        var body = operation.input
        body.properties = bodyFields
        body.required = operation.input.required.filter { name in bodyFields.contains { $0.name == name } }
        entry["requestBody"] = .object([
          "required": .bool(!body.required.isEmpty),
          "content": .object(["application/json": .object(["schema": body.json])]),
        ])
        parameters.append(
          .object([
            "name": .string("Idempotency-Key"), "in": .string("header"), "required": .bool(false),
            "description": .string(
              "Makes the write safe to retry: the same key and request return the first result; another request under the key is 409."
            ),
            "schema": .object(["type": .string("string"), "maxLength": .int(200)]),
          ]))
      }
      if !parameters.isEmpty { entry["parameters"] = .array(parameters) }
      var responses: [String: JSONValue] = [
        "200": .object([
          "description": .string("The result."),
          "content": .object(["application/json": .object(["schema": operation.output.json])]),
        ])
      ]
      var statuses = [
        "400": "Bad input.", "401": "No valid bearer token.", "403": "Not allowed for this user.",
        "404": "No such project, session or section.", "409": "A conflict (lock, merge, lost race, reused key).",
      ]
      if operation.method == .post { statuses["413"] = "The body is too large." }
      for (status, description) in statuses {
        responses[status] = .object([
          "description": .string(description),
          "content": .object(["application/json": .object(["schema": ServiceError.schema.json])]),
        ])
      }
      entry["responses"] = .object(responses)
      paths[operation.path, default: [:]][operation.method.rawValue.lowercased()] = .object(entry)
    }
    paths[uploadPath, default: [:]]["post"] = upload
    let plain: JSONValue = .array([])
    paths["/health"] = [
      "get": .object([
        "operationId": .string("health"), "summary": .string("Whether the server is up (no token needed)."),
        "security": plain,
        "responses": .object([
          "200": .object([
            "description": .string("Up."),
            "content": .object([
              "application/json": .object([
                "schema": JSONSchema.object([("status", .string(allowed: ["ok"]))], required: ["status"]).json
              ])
            ]),
          ])
        ]),
      ])
    ]
    for (path, id, type, schema) in [
      ("/openapi.json", "openapiJSON", "application/json", JSONValue.object(["type": .string("object")])),
      ("/openapi.yaml", "openapiYAML", "application/yaml", JSONValue.object(["type": .string("object")])),
    ] {
      paths[path] = [
        "get": .object([
          "operationId": .string(id), "summary": .string("This document (no token needed)."), "security": plain,
          "responses": .object([
            "200": .object([
              "description": .string("The OpenAPI document."),
              "content": .object([type: .object(["schema": schema])]),
            ])
          ]),
        ])
      ]
    }
    var document: [String: JSONValue] = [
      "openapi": .string("3.1.0"),
      "info": .object([
        "title": .string("Casebook"), "version": .string("0.1.0"),
        "description": .string("Session memory for AI-assisted policy drafting, kept in git."),
      ]),
      "paths": .object(paths.mapValues { .object($0) }),
      "components": .object([
        "securitySchemes": .object(["bearer": .object(["type": .string("http"), "scheme": .string("bearer")])])
      ]),
    ]
    if let serverURL { document["servers"] = .array([.object(["url": .string(serverURL)])]) }
    return .object(document)
  }

  /// The upload route: the body is the file's bytes, not JSON.
  static var upload: JSONValue {
    let string = JSONValue.object(["type": .string("string")])
    var responses: [String: JSONValue] = [
      "200": .object([
        "description": .string("The input added (or found: the same bytes give the same id and no new commit)."),
        "content": .object(["application/json": .object(["schema": StoreOperation.inputAddedOutput.json])]),
      ])
    ]
    for (status, description) in [
      ("400", "Bad input (a bad name, a body shorter than its Content-Length, a file that is not what it claims)."),
      ("401", "No valid bearer token."), ("403", "Not allowed for this user (another user's session)."),
      ("404", "No such project or session."), ("409", "A conflict (closed session, reused key)."),
      ("413", "The upload is larger than the server's limit (casebook serve --max-upload-bytes)."),
    ] {
      responses[status] = .object([
        "description": .string(description),
        "content": .object(["application/json": .object(["schema": ServiceError.schema.json])]),
      ])
    }
    return .object([
      "operationId": .string("uploadInput"),
      "summary": .string(
        "Upload a file to one of your sessions as an input: the raw request body is the file (streamed to disk, never held in memory); text is extracted from text, Markdown, HTML, PDF and DOCX."
      ),
      "security": .array([.object(["bearer": .array([])])]),
      "parameters": .array([
        .object([
          "name": .string("project_id"), "in": .string("path"), "required": .bool(true), "schema": string,
        ]),
        .object([
          "name": .string("session_id"), "in": .string("path"), "required": .bool(true), "schema": string,
        ]),
        .object([
          "name": .string("name"), "in": .string("query"), "required": .bool(false),
          "description": .string(
            "The file's name, e.g. brief.pdf (its extension decides how text is extracted; default: upload). Or the Casebook-File-Name header."
          ),
          "schema": .object(["type": .string("string"), "maxLength": .int(255)]),
        ]),
        .object([
          "name": .string("Idempotency-Key"), "in": .string("header"), "required": .bool(false),
          "description": .string("Makes the upload safe to retry."),
          "schema": .object(["type": .string("string"), "maxLength": .int(200)]),
        ]),
      ]),
      "requestBody": .object([
        "required": .bool(true),
        "content": .object([
          "application/octet-stream": .object([
            "schema": .object(["type": .string("string"), "contentMediaType": .string("application/octet-stream")])
          ])
        ]),
      ]),
      "responses": .object(responses),
    ])
  }

  /// The document as YAML (GET /openapi.yaml): the same values, in the project's YAML emitter's form.
  public static func yaml(_ document: JSONValue) -> String { YAML.emit(node(document)) }

  static func node(_ value: JSONValue) -> Node {
    switch value {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .double(let d): return .float(d)
    case .string(let s): return .string(s)
    case .array(let a): return .sequence(a.map(node))
    case .object(let o): return .mapping(Mapping(o.keys.sorted().map { ($0, node(o[$0]!)) }))
    }
  }

  private static func schema(of name: String, in operation: StoreOperation) -> JSONValue {
    operation.input.properties.first { $0.name == name }?.schema.json ?? .object(["type": .string("string")])
  }
}
