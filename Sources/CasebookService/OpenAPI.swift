/// The OpenAPI 3.1 document of the HTTP API, made from `StoreOperation.all`: an operationId,
/// a summary, parameters, a request body and responses (errors included) for every operation,
/// and the bearer security scheme.
public enum OpenAPI {
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

  private static func schema(of name: String, in operation: StoreOperation) -> JSONValue {
    operation.input.properties.first { $0.name == name }?.schema.json ?? .object(["type": .string("string")])
  }
}
