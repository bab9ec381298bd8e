import Casebook

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A refusal of the service, as every front end reports it: the CLI's JSON error shape
/// (`{"error": {"code", "message", "exit_code"?}}`, with the CLI's codes for the store's errors)
/// and the HTTP status that goes with it.
public struct ServiceError: Error, Sendable, Equatable {
  public let status: Int
  public let code: String
  public let message: String
  /// The CLI's exit code for the same error, where the CLI has one.
  public let exitCode: Int32?

  public init(status: Int, code: String, message: String, exitCode: Int32? = nil) {
    self.status = status
    self.code = code
    self.message = message
    self.exitCode = exitCode
  }

  public static func badInput(_ message: String) -> ServiceError {
    ServiceError(status: 400, code: "bad_input", message: message, exitCode: 1)
  }
  public static func unauthorized(_ message: String) -> ServiceError {
    ServiceError(status: 401, code: "unauthorized", message: message)
  }
  public static func forbidden(_ message: String) -> ServiceError {
    ServiceError(status: 403, code: "forbidden", message: message)
  }
  public static func notFound(_ message: String) -> ServiceError {
    ServiceError(status: 404, code: "not_found", message: message, exitCode: 2)
  }
  public static func tooLarge(_ message: String) -> ServiceError {
    ServiceError(status: 413, code: "too_large", message: message, exitCode: 1)
  }

  /// Any error a store call threw, classified as the CLI classifies it: bad input 400, not
  /// found 404, conflict (merge, lock, lost race, a request id used for another request) 409,
  /// repository 500, remote 502.
  public static func from(_ error: Error) -> ServiceError {
    if let error = error as? ServiceError { return error }
    guard let described = Project.describe(error) else {
      return ServiceError(status: 500, code: "internal", message: "internal error: \(error)", exitCode: 4)
    }
    let status: Int
    switch described.code {
    case "bad_input": status = 400
    case "not_found": status = 404
    case "conflict": status = 409
    case "remote": status = 502
    default: status = 500
    }
    return ServiceError(status: status, code: described.code, message: described.message, exitCode: described.exitCode)
  }

  /// The error as the JSON body every front end sends.
  public var body: Data {
    var inner: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
    if let exitCode { inner["exit_code"] = .int(Int(exitCode)) }
    return JSONValue.object(["error": .object(inner)]).data()
  }

  /// The schema of `body`, for the operations' documents.
  public static let schema = JSONSchema.object(
    [
      (
        "error",
        .object(
          [
            (
              "code",
              .string("A stable name: bad_input, unauthorized, forbidden, not_found, conflict, too_large, repository.")
            ),
            ("message", .string("What was wrong, for a person.")),
            ("exit_code", .integer("The casebook CLI's exit code for the same error, where it has one.")),
          ], required: ["code", "message"], open: true)
      )
    ], required: ["error"])
}

/// Text from a request made safe to quote in a message: at most 64 characters, control
/// characters escaped.
public func quoted(_ text: String) -> String {
  var out = ""
  for scalar in text.unicodeScalars.prefix(64) {
    if scalar.value < 0x20 || scalar.value == 0x7F {
      out += "\\u{\(String(scalar.value, radix: 16))}"
    } else {
      out.unicodeScalars.append(scalar)
    }
  }
  return text.unicodeScalars.count > 64 ? out + "…" : out
}
