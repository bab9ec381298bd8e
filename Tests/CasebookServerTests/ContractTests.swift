import CasebookService
import Foundation
import TestSupport
import Testing

/// The served OpenAPI document against outside oracles from `make test-venv`:
/// openapi-spec-validator for the document, jsonschema for every response of a whole session,
/// and schemathesis fuzzing the real server for 5xx answers and undocumented responses.
@Suite(.serialized, .enabled(if: Contract.available, "no .venv with schemathesis: run make test-venv"))
struct ContractTests {
  @Test("openapi-spec-validator accepts /openapi.json and /openapi.yaml, and the two are the same document")
  func specValidator() async throws {
    let server = try ServerFixture()
    try server.start()
    let json = try await server.request("GET", "/openapi.json", token: nil)
    let yaml = try await server.request("GET", "/openapi.yaml", token: nil)
    #expect(json.status == 200 && yaml.status == 200)
    #expect(yaml.headers["content-type"] == "application/yaml")
    let jsonPath = server.home.appending("openapi.json")
    let yamlPath = server.home.appending("openapi.yaml")
    try json.body.write(to: URL(fileURLWithPath: jsonPath))
    try yaml.body.write(to: URL(fileURLWithPath: yamlPath))
    for path in [jsonPath, yamlPath] {
      let result = try runCommand(Contract.bin + "/openapi-spec-validator", [path])
      #expect(result.status == 0, "\(path): \(result.stdout) \(result.stderr)")
      #expect(result.stdout.contains("OK"))
    }
    let same = try runCommand(
      Contract.bin + "/python",
      [
        "-c", "import json,sys,yaml; sys.exit(json.load(open(sys.argv[1])) != yaml.safe_load(open(sys.argv[2])))",
        jsonPath, yamlPath,
      ])
    #expect(same.status == 0, "the YAML document differs from the JSON one: \(same.stderr)")
    let paths = try #require(try json.json["paths"] as? [String: [String: Any]])
    for path in ["/health", "/openapi.json", "/openapi.yaml", OpenAPI.uploadPath] {
      #expect(paths[path] != nil, "\(path)")
    }
    #expect(server.stop() == 0)
  }

  @Test("every response of a whole session (all operations, the upload, and errors) matches its documented schema")
  func responsesMatchSchemas() async throws {
    let server = try ServerFixture()
    try server.start()
    let recorder = Recorder(server: server)
    let alice = server.tokens["alice"]
    let rita = server.tokens["rita"]
    let started = try await recorder.call(
      "startSession", "POST", "/start_session", alice, json: ["project_id": "p1", "user_id": "alice"])
    let session = try #require(try started.json["session_id"] as? String)
    let s = "/projects/p1/sessions/\(session)"
    let sec = s + "/sections/rationale"
    let upload = try await recorder.call(
      "uploadInput", "POST", s + "/inputs?name=notes.md", alice, body: Data("# Notes\n\nCost matters.\n".utf8))
    let input = try #require(try upload.json["input_id"] as? String)
    let calls: [(String, String, String, String?, [String: Any]?)] = [
      ("listSessions", "GET", "/projects/p1/sessions", alice, nil),
      ("showSession", "GET", s, alice, nil),
      ("showProfile", "GET", "/projects/p1/profile", alice, nil),
      ("listSections", "GET", "/projects/p1/sections", alice, nil),
      ("draftSection", "POST", sec + "/draft", alice, ["content": "Why.\n", "sources": ["\(input):para1"]]),
      ("reviseSection", "POST", sec + "/revise", alice, ["content": "Why now.\n", "feedback": "sharper"]),
      ("composeSection", "POST", s + "/sections/economic-case/compose", alice, ["content": "Costs.\n"]),
      ("recordExchange", "POST", s + "/exchanges", alice, ["tool": "draft", "prompt": "p", "response": "r"]),
      ("listExchanges", "GET", s + "/exchanges", alice, nil),
      ("getContext", "GET", s + "/context?section=rationale", alice, nil),
      ("listSessionSections", "GET", s + "/sections", alice, nil),
      ("showSessionSection", "GET", sec, alice, nil),
      ("diffSessionSection", "GET", sec + "/diff", alice, nil),
      ("sessionSectionSources", "GET", sec + "/sources?at=1", alice, nil),
      ("blameSessionSection", "GET", sec + "/blame", alice, nil),
      ("getSessionLog", "GET", s + "/log", alice, nil),
      ("listSessionInputs", "GET", s + "/inputs", alice, nil),
      ("showSessionInput", "GET", s + "/inputs/\(input)", alice, nil),
      ("takeLock", "POST", sec + "/lock", alice, nil),
      ("listLocks", "GET", "/projects/p1/locks", alice, nil),
      ("releaseLock", "POST", sec + "/lock/release", alice, nil),
      ("sessionInputCitations", "GET", s + "/inputs/\(input)/cited_by", alice, nil),
      ("takeLock", "POST", sec + "/lock", alice, nil),
      ("breakLock", "POST", "/projects/p1/sections/rationale/unlock", rita, ["reason": "stuck"]),
      ("rollbackSession", "POST", s + "/rollback", alice, ["last": 1]),
      ("commitSection", "POST", sec + "/commit", alice, nil),
      ("approveSection", "POST", "/projects/p1/sections/rationale/approve", rita, ["comment": "Fine."]),
      ("showSection", "GET", "/projects/p1/sections/rationale", alice, nil),
      ("diffSection", "GET", "/projects/p1/sections/rationale/diff", alice, nil),
      ("sectionSources", "GET", "/projects/p1/sections/rationale/sources", alice, nil),
      ("blameSection", "GET", "/projects/p1/sections/rationale/blame", alice, nil),
      ("getLog", "GET", "/projects/p1/log?limit=5", alice, nil),
      ("getAudit", "GET", "/projects/p1/audit", alice, nil),
      ("exportDocument", "GET", "/projects/p1/export?revision=main&format=html", alice, nil),
      ("exportDocument", "GET", "/projects/p1/export?revision=approved/rationale/v1&verify=true", alice, nil),
      ("countTokens", "POST", "/projects/p1/tokens", alice, ["text": "Hello, world."]),
      ("listInputs", "GET", "/projects/p1/inputs", alice, nil),
      ("showInput", "GET", "/projects/p1/inputs/\(input)", alice, nil),
      ("inputCitations", "GET", "/projects/p1/inputs/\(input)/cited_by", alice, nil),
    ]
    for (id, method, path, token, json) in calls {
      let reply = try await recorder.call(id, method, path, token, json: json ?? (method == "POST" ? [:] : nil))
      #expect(reply.status == 200, "\(id): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
    }
    // Errors are documented too: 400, 401, 403, 404, 409 and 413.
    let errors: [(String, String, String, String?, [String: Any]?, Int)] = [
      ("getLog", "GET", "/projects/p1/log?limit=0", alice, nil, 400),
      ("listLocks", "GET", "/projects/p1/locks", nil, nil, 401),
      ("rollbackSession", "POST", s + "/rollback", server.tokens["bob"], [:], 403),
      ("showInput", "GET", "/projects/p1/inputs/" + String(repeating: "a", count: 64), alice, nil, 404),
      ("composeSection", "POST", sec + "/compose", alice, ["content": "Committed.\n"], 409),
      ("countTokens", "POST", "/projects/p1/tokens", alice, ["text": String(repeating: "a", count: 2 << 20)], 413),
      ("exportDocument", "GET", "/projects/p1/export?revision=nope", alice, nil, 404),
    ]
    for (id, method, path, token, json, status) in errors {
      let reply = try await recorder.call(id, method, path, token, json: json)
      #expect(reply.status == status, "\(id): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
    }
    for (id, path) in [("reopenSection", sec + "/reopen"), ("closeSession", s + "/close")] {
      let reply = try await recorder.call(id, "POST", path, alice, json: [:])
      #expect(reply.status == 200, "\(id): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
    }
    let closed = try await recorder.call("draftSection", "POST", sec + "/draft", alice, json: ["content": "Late.\n"])
    #expect(closed.status == 400)
    // Every operation of the table, and the upload, answered 200 at least once.
    let answered = Set(recorder.records.filter { $0.status == 200 }.map(\.operation))
    for operation in StoreOperation.all {
      #expect(answered.contains(operation.id), "\(operation.id) never answered 200")
    }
    #expect(answered.contains("uploadInput"))

    let document = try await server.request("GET", "/openapi.json", token: nil)
    let documentPath = server.home.appending("openapi.json")
    try document.body.write(to: URL(fileURLWithPath: documentPath))
    let responsesPath = server.home.appending("responses.jsonl")
    try recorder.jsonl().write(to: URL(fileURLWithPath: responsesPath))
    let result = try runCommand(Contract.bin + "/python", [Contract.validator, documentPath, responsesPath])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout.contains("checked \(recorder.records.count) responses, 0 not as documented"), "\(result.stdout)")
    #expect(server.stop() == 0)
  }

  @Test("schemathesis against the real server: no 5xx, every response as documented, git fsck clean afterwards")
  func schemathesis() async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let upload = try await server.request(
      "POST", "/projects/p1/sessions/\(session)/inputs?name=a.txt", token: server.tokens["alice"],
      body: Data("Line one.\nLine two.\n".utf8), headers: ["Content-Type": "application/octet-stream"])
    let input = try #require(try upload.json["input_id"] as? String)
    // Real ids, so the fuzzing reaches the store rather than 404s.
    let work = server.home.appending("schemathesis")
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    try """
    [parameters]
    "path.project_id" = "p1"
    "path.session_id" = "\(session)"
    "path.section_id" = "rationale"
    "path.input_id" = "\(input)"

    """.write(toFile: work + "/schemathesis.toml", atomically: true, encoding: .utf8)
    var environment = ProcessInfo.processInfo.environment
    environment["HOME"] = server.home.path
    environment["NO_COLOR"] = "1"
    let result = try runCommand(
      Contract.bin + "/schemathesis",
      [
        "run", server.base + "/openapi.json", "--header", "Authorization: Bearer \(server.tokens["alice"]!)",
        "--checks", "not_a_server_error,response_schema_conformance", "--max-examples", "8", "--seed", "14",
        "--max-time", "60", "--workers", "2", "--request-timeout", "20", "--generation-database", "none",
        "--no-color",
      ], in: work, environment: environment)
    let summary = result.stdout.split(separator: "\n").suffix(25).joined(separator: "\n")
    #expect(result.status == 0, "schemathesis: \(result.stdout.suffix(6000)) \(result.stderr.suffix(2000))")
    #expect(result.stdout.contains("Tested:"), "\(summary)")
    #expect(!server.stderr.contains("status=5"), "the server answered 5xx: \(server.stderr.suffix(2000))")
    #expect(try runGit(["fsck", "--strict"], in: server.projects + "/p1").status == 0)
    #expect(server.stop() == 0)
  }
}

/// Where the oracles are: the repository's `.venv` (make test-venv).
enum Contract {
  static let bin = Reference.repository + "/.venv/bin"
  static let validator = Reference.repository + "/Tests/CasebookServerTests/validate_responses.py"
  static let available =
    FileManager.default.isExecutableFile(atPath: bin + "/schemathesis")
    && FileManager.default.isExecutableFile(atPath: bin + "/openapi-spec-validator")
}

/// Sends requests and keeps each answer with its operationId, for validate_responses.py.
final class Recorder: @unchecked Sendable {
  let server: ServerFixture
  var records: [(operation: String, status: Int, body: Data)] = []

  init(server: ServerFixture) { self.server = server }

  func call(
    _ operation: String, _ method: String, _ path: String, _ token: String?, json: [String: Any]? = nil,
    body: Data? = nil
  ) async throws -> ServerFixture.Reply {
    let reply = try await server.request(
      method, path, token: token, json: json, body: body,
      headers: body != nil ? ["Content-Type": "application/octet-stream"] : [:])
    records.append((operation, reply.status, reply.body))
    return reply
  }

  func jsonl() throws -> Data {
    var out = Data()
    for record in records {
      let body = try JSONSerialization.jsonObject(with: record.body, options: [.fragmentsAllowed])
      out += try JSONSerialization.data(withJSONObject: [
        "operation": record.operation, "status": record.status, "body": body,
      ])
      out.append(0x0A)
    }
    return out
  }
}
