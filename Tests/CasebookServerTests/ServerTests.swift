import CasebookService
import Foundation
import TestSupport
import Testing

/// The real `casebook-server` over HTTP: a whole session, identity on every route, bad
/// requests, idempotency keys, and SIGTERM.
@Suite(.serialized)
struct ServerTests {
  /// The path and body of a valid call of `operation` by `user`, in `project`, on `session`.
  static func call(_ operation: StoreOperation, user: String, project: String = "p1", session: String)
    -> (path: String, body: [String: Any])
  {
    let values: [String: Any] = [
      "project_id": project, "session_id": session, "section_id": "rationale", "user_id": user, "tool": "search",
      "content": "Text.\n",
      "input_id": String(repeating: "0", count: 64), "revision": "main", "text": "Hello.",
    ]
    var path = operation.path
    for name in operation.pathParameters { path = path.replacingOccurrences(of: "{\(name)}", with: "\(values[name]!)") }
    var body: [String: Any] = [:]
    for name in operation.input.required where !operation.pathParameters.contains(name) { body[name] = values[name] }
    return (path, body)
  }

  func send(_ server: ServerFixture, _ operation: StoreOperation, token: String?, user: String, session: String)
    async throws -> ServerFixture.Reply
  {
    let (path, body) = Self.call(operation, user: user, session: session)
    if operation.method == .get, !body.isEmpty {
      let query = body.keys.sorted().map { "\($0)=\(body[$0]!)" }.joined(separator: "&")
      return try await server.request("GET", path + "?" + query, token: token)
    }
    return try await server.request(
      operation.method.rawValue, path, token: token, json: operation.method == .post ? body : nil)
  }

  @Test("a whole session over HTTP lands in git as commits git fsck accepts")
  func wholeSession() async throws {
    let server = try ServerFixture()
    try server.start()
    let alice = server.tokens["alice"]
    let session = try await server.startSession("alice")
    let base = "/projects/p1/sessions/\(session)"

    let drafted = try await server.request(
      "POST", base + "/sections/rationale/draft", token: alice, json: ["content": "First draft.\n"])
    #expect(drafted.status == 200)
    #expect(try drafted.json["revision"] as? Int == 1)
    let revised = try await server.request(
      "POST", base + "/sections/rationale/revise", token: alice,
      json: ["content": "Second draft.\n", "feedback": "shorter"])
    #expect(revised.status == 200)
    #expect(try revised.json["revision"] as? Int == 2)
    let recorded = try await server.request(
      "POST", base + "/exchanges", token: alice,
      json: ["tool": "draft_section", "prompt": "Write it", "response": "Done", "status_code": 200, "latency_ms": 12])
    #expect(recorded.status == 200)
    #expect(try recorded.json["sequence"] as? Int == 1)

    let context = try await server.request("GET", base + "/context?section=rationale&budget=2000", token: alice)
    #expect(context.status == 200)
    let text = try #require(try context.json["text"] as? String)
    #expect(text.contains("Second draft."))
    #expect(try context.json["budget"] as? Int == 2000)

    let exchanges = try await server.request("GET", base + "/exchanges?limit=5", token: alice)
    #expect((try exchanges.json["exchanges"] as? [Any])?.count == 1)
    let shown = try await server.request("GET", base + "/sections/rationale", token: alice)
    #expect(try shown.json["content"] as? String == "Second draft.\n")
    let sessions = try await server.request("GET", "/projects/p1/sessions", token: alice)
    #expect((try sessions.json["sessions"] as? [Any])?.count == 1)
    let profile = try await server.request("GET", "/projects/p1/profile", token: alice)
    #expect(try profile.json["profile"] is [String: Any])
    let health = try await server.request("GET", "/health", token: nil)
    #expect(health.status == 200)

    let dir = server.projects + "/p1"
    let log = try runGit(["log", "--format=%s", "sessions/\(session)"], in: dir).stdout
    #expect(log.split(separator: "\n").count >= 4, "git log: \(log)")
    let fsck = try runGit(["fsck", "--strict"], in: dir)
    #expect(fsck.status == 0, "git fsck: \(fsck.stderr)")
    #expect(!server.stderr.contains(alice!), "a token was logged")
    #expect(server.stop() == 0)
  }

  @Test("401 without a token or with a wrong one, on every route; nothing written")
  func unauthenticated() async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let before = try server.refs()
    for operation in StoreOperation.all {
      for token: String? in [nil, "cbk_" + String(repeating: "0", count: 64), server.tokens["alice"]! + "x"] {
        let reply = try await send(server, operation, token: token, user: "alice", session: session)
        #expect(reply.status == 401, "\(operation.id) with token \(token ?? "none")")
        #expect(reply.errorCode == "unauthorized", "\(operation.id)")
      }
    }
    #expect(try server.refs() == before)
  }

  @Test("403 for a project not granted, another user's session, or approving without the reviewer role, on every route")
  func forbidden() async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let before = try server.refs()
    for operation in StoreOperation.all {
      // carol is granted p2 only.
      let ungranted = try await send(server, operation, token: server.tokens["carol"], user: "carol", session: session)
      #expect(ungranted.status == 403, "\(operation.id) by carol in p1")
      #expect(ungranted.errorCode == "forbidden")
      // bob in alice's session, or bob (no reviewer role) approving.
      let bob = try await send(server, operation, token: server.tokens["bob"], user: "bob", session: session)
      switch operation.access {
      case .ownSession, .reviewer:
        #expect(bob.status == 403, "\(operation.id) by bob")
        #expect(bob.errorCode == "forbidden")
      case .granted:
        #expect(bob.status != 403 && bob.status != 401, "\(operation.id) by bob: \(bob.status)")
      }
    }
    // start_session for someone else.
    let other = try await server.request(
      "POST", "/start_session", token: server.tokens["bob"], json: ["project_id": "p1", "user_id": "alice"])
    #expect(other.status == 403)
    // Bob's successful startSession above wrote; compare only alice's branch and main.
    let after = try server.refs()
    for line in before.split(separator: "\n") { #expect(after.contains(line)) }
  }

  @Test(
    "bad requests are 4xx in the error shape and write nothing",
    arguments: [
      ("malformed JSON", "POST", "/exchanges", Data("{\"tool\": ".utf8), 400),
      ("not an object", "POST", "/exchanges", Data("[1]".utf8), 400),
      ("wrong type", "POST", "/exchanges", Data(#"{"tool": 5}"#.utf8), 400),
      ("wrong integer type", "POST", "/exchanges", Data(#"{"tool": "t", "latency_ms": "5"}"#.utf8), 400),
      ("unknown field", "POST", "/exchanges", Data(#"{"tool": "t", "user_id": "bob"}"#.utf8), 400),
      ("missing field", "POST", "/sections/rationale/revise", Data("{}".utf8), 400),
      ("path disagrees", "POST", "/exchanges", Data(#"{"tool": "t", "session_id": "x"}"#.utf8), 400),
      (
        "oversize", "POST", "/exchanges", Data(("{\"tool\": \"" + String(repeating: "a", count: 2 << 20) + "\"}").utf8),
        413
      ),
      ("bad section id", "POST", "/sections/..%2F..%2Fetc/draft", Data("{}".utf8), 400),
      ("unknown section path", "GET", "/sections/nope", Data(), 404),
      ("bad query integer", "GET", "/exchanges?limit=many", Data(), 400),
      ("budget out of range", "GET", "/context?budget=0", Data(), 400),
    ])
  func badRequests(_ name: String, _ method: String, _ suffix: String, _ body: Data, _ status: Int) async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let before = try server.refs()
    let reply = try await server.request(
      method, "/projects/p1/sessions/\(session)" + suffix, token: server.tokens["alice"],
      body: method == "POST" ? body : nil)
    #expect(reply.status == status, "\(name): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
    #expect(reply.errorCode != nil, "\(name): no error shape")
    #expect(try server.refs() == before, "\(name) wrote")
  }

  @Test("unknown projects, path tricks in ids, unknown sessions and routes: 4xx in the error shape")
  func unknownThings() async throws {
    let server = try ServerFixture()
    try server.start()
    let alice = server.tokens["alice"]
    let before = try server.refs()
    for (path, status) in [
      ("/projects/nope/sessions", 404), ("/projects/..%2Fp1/sessions", 400), ("/projects/.git/sessions", 400),
      ("/projects/p1/sessions/..%2F..%2Fmain", 400), ("/projects/p1/sessions/0123456789abcdef0123456789abcdef", 404),
      ("/no/such/route", 404),
    ] {
      let reply = try await server.request("GET", path, token: alice)
      #expect(reply.status == status, "\(path): \(String(decoding: reply.body, as: UTF8.self))")
      #expect(reply.errorCode != nil, "\(path)")
    }
    let unknown = try await server.request(
      "POST", "/start_session", token: alice, json: ["project_id": "nope", "user_id": "alice"])
    #expect(unknown.status == 404)
    #expect(try server.refs() == before)
  }

  @Test("Idempotency-Key: a retry gets the first result and a warning; another request under the key is 409")
  func idempotency() async throws {
    let server = try ServerFixture()
    try server.start()
    let alice = server.tokens["alice"]
    let session = try await server.startSession("alice")
    let path = "/projects/p1/sessions/\(session)/exchanges"
    let key = ["Idempotency-Key": "2f1c-retry-1"]
    let first = try await server.request("POST", path, token: alice, json: ["tool": "search"], headers: key)
    #expect(first.status == 200)
    #expect(first.headers["casebook-warning"] == nil)
    let refs = try server.refs()
    let again = try await server.request("POST", path, token: alice, json: ["tool": "search"], headers: key)
    #expect(again.status == 200)
    #expect(again.body == first.body)
    #expect(again.headers["casebook-warning"]?.contains("done already") == true)
    #expect(try server.refs() == refs)
    let other = try await server.request("POST", path, token: alice, json: ["tool": "other"], headers: key)
    #expect(other.status == 409)
    #expect(other.errorCode == "conflict")
    let bad = try await server.request(
      "POST", path, token: alice, json: ["tool": "search"], headers: ["Idempotency-Key": "has space"])
    #expect(bad.status == 400)
    #expect(try server.refs() == refs)
  }

  @Test("SIGTERM stops the server with exit status 0")
  func sigterm() async throws {
    let server = try ServerFixture()
    try server.start()
    _ = try await server.startSession("alice")
    #expect(server.stop() == 0)
  }

  @Test("token list never shows tokens; the file is mode 0600 and holds only hashes")
  func tokenFile() throws {
    let server = try ServerFixture()
    let list = try server.cli(["serve", "token", "list"])
    #expect(list.contains("alice") && list.contains("reviewer") && list.contains("p2"))
    let file = try String(contentsOfFile: server.tokensPath, encoding: .utf8)
    for token in server.tokens.values {
      #expect(!list.contains(token))
      #expect(!file.contains(token))
    }
    let attributes = try FileManager.default.attributesOfItem(atPath: server.tokensPath)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    try server.cli(["serve", "token", "remove", "carol"])
    #expect(!(try server.cli(["serve", "token", "list"])).contains("carol"))
  }
}

@Suite struct OpenAPITests {
  @Test("GET /openapi.json: OpenAPI 3.1 with an operationId, a bearer scheme and error responses for every operation")
  func document() async throws {
    let server = try ServerFixture()
    try server.start()
    let reply = try await server.request("GET", "/openapi.json", token: nil)
    #expect(reply.status == 200)
    let document = try reply.json
    #expect(document["openapi"] as? String == "3.1.0")
    let paths = try #require(document["paths"] as? [String: [String: Any]])
    for operation in StoreOperation.all {
      let entry = try #require(
        paths[operation.path]?[operation.method.rawValue.lowercased()] as? [String: Any], "\(operation.id)")
      #expect(entry["operationId"] as? String == operation.id)
      let responses = try #require(entry["responses"] as? [String: Any])
      for status in ["200", "400", "401", "403", "404"] {
        #expect(responses[status] != nil, "\(operation.id) \(status)")
      }
    }
    #expect(server.stop() == 0)
  }
}

@Suite struct ServerFlowTests {
  @Test("draft, commit, and a reviewer approves; the approval tag is in git")
  func commitAndApprove() async throws {
    let server = try ServerFixture()
    try server.start()
    let alice = server.tokens["alice"]
    let session = try await server.startSession("alice")
    let base = "/projects/p1/sessions/\(session)/sections/rationale"
    #expect(try await server.request("POST", base + "/draft", token: alice, json: ["content": "Why.\n"]).status == 200)
    let committed = try await server.request("POST", base + "/commit", token: alice)
    #expect(committed.status == 200, "\(String(decoding: committed.body, as: UTF8.self))")
    let approved = try await server.request(
      "POST", "/projects/p1/sections/rationale/approve", token: server.tokens["rita"], json: ["comment": "Fine."])
    #expect(approved.status == 200, "\(String(decoding: approved.body, as: UTF8.self))")
    #expect(try approved.json["reviewer"] as? String == "rita")
    let tags = try runGit(["tag", "--list", "approved/*"], in: server.projects + "/p1").stdout
    #expect(tags.contains("approved/rationale/"))
    let onMain = try await server.request("GET", "/projects/p1/sections/rationale", token: server.tokens["bob"])
    #expect(try onMain.json["content"] as? String == "Why.\n")
    #expect(server.stop() == 0)
  }

  @Test("--repo serves one project under its folder's name; other ids are not found")
  func oneRepository() async throws {
    let server = try ServerFixture()
    try server.start(["--repo", server.projects + "/p2"])
    let alice = server.tokens["alice"]
    #expect(try await server.request("GET", "/projects/p2/sessions", token: alice).status == 200)
    let other = try await server.request("GET", "/projects/p1/sessions", token: alice)
    #expect(other.status == 404)
    #expect(other.errorCode == "not_found")
    #expect(server.stop() == 0)
  }
}

@Suite struct ShutdownTests {
  @Test("SIGTERM during writes: every acknowledged write is in git, and the server exits 0")
  func sigtermDuringWrites() async throws {
    let server = try ServerFixture()
    try server.start()
    let alice = server.tokens["alice"]
    let session = try await server.startSession("alice")
    let path = "/projects/p1/sessions/\(session)/exchanges"
    let acknowledged = await withTaskGroup(of: Bool.self) { group in
      for i in 0..<12 {
        group.addTask {
          let reply = try? await server.request("POST", path, token: alice, json: ["tool": "t\(i)"])
          return reply?.status == 200
        }
      }
      try? await Task.sleep(for: .milliseconds(30))
      kill(server.pid, SIGTERM)
      var count = 0
      for await ok in group where ok { count += 1 }
      return count
    }
    #expect(server.stop() == 0)
    let count = try runGit(["rev-list", "--count", "main..sessions/\(session)"], in: server.projects + "/p1").stdout
    let written = (Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) - 1  // less the session's start
    #expect(written >= acknowledged, "\(acknowledged) acknowledged, \(written) in git")
    #expect(try runGit(["fsck", "--strict"], in: server.projects + "/p1").status == 0)
  }
}

@Suite struct MoreOperationsTests {
  @Test("compose, reopen, diff, sources, blame, rollback, log, audit, export, locks, tokens and inputs over HTTP")
  func moreOperations() async throws {
    let server = try ServerFixture()
    try server.start()
    let alice = server.tokens["alice"]
    let session = try await server.startSession("alice")
    let base = "/projects/p1/sessions/\(session)"
    func ok(_ method: String, _ path: String, _ json: [String: Any]? = nil) async throws -> [String: Any] {
      let reply = try await server.request(method, path, token: alice, json: json)
      #expect(reply.status == 200, "\(method) \(path): \(String(decoding: reply.body.prefix(400), as: UTF8.self))")
      return try reply.json
    }

    // Upload an input the section cites.
    let note = Data("First line.\nSecond line about cost.\nThird line.\n".utf8)
    let upload = try await server.request(
      "POST", base + "/inputs?name=notes.txt", token: alice, body: note,
      headers: ["Content-Type": "application/octet-stream"])
    #expect(upload.status == 200, "\(String(decoding: upload.body, as: UTF8.self))")
    let inputId = try #require(try upload.json["input_id"] as? String)

    let composed = try await ok(
      "POST", base + "/sections/rationale/compose", ["content": "One.\n", "sources": ["\(inputId):L2"]])
    #expect(composed["action"] as? String == "draft")
    let revised = try await ok("POST", base + "/sections/rationale/compose", ["content": "One.\nTwo.\n"])
    #expect(revised["revision"] as? Int == 2)
    let diff = try await ok("GET", base + "/sections/rationale/diff")
    #expect((diff["diff"] as? String)?.contains("+Two.") == true)
    let diffRange = try await ok("GET", base + "/sections/rationale/diff?from=1&to=2")
    #expect((diffRange["diff"] as? String)?.contains("+Two.") == true)
    let sources = try await ok("GET", base + "/sections/rationale/sources?at=1")
    let cited = try #require((sources["sources"] as? [[String: Any]])?.first)
    #expect((cited["excerpt"] as? String)?.contains("cost") == true)
    let blame = try await ok("GET", base + "/sections/rationale/blame")
    #expect((blame["lines"] as? [Any])?.count == 2)

    let lock = try await ok("POST", base + "/sections/rationale/lock")
    #expect((lock["lock"] as? [String: Any])?["state"] as? String == "held")
    let locks = try await ok("GET", "/projects/p1/locks")
    #expect((locks["locks"] as? [Any])?.count == 1)
    let released = try await ok("POST", base + "/sections/rationale/lock/release")
    #expect((released["lock"] as? [String: Any])?["state"] as? String == "released")

    let rolled = try await ok("POST", base + "/rollback", ["last": 1, "reason": "too long"])
    #expect((rolled["undone"] as? [Any])?.count == 1)
    let shown = try await ok("GET", base + "/sections/rationale")
    #expect(shown["content"] as? String == "One.\n")

    let committed = try await ok("POST", base + "/sections/rationale/compose", ["content": "One.\n"])
    #expect(committed["action"] as? String == "commit")
    let reopened = try await ok("POST", base + "/sections/rationale/reopen")
    #expect(reopened["status"] as? String != "committed")

    let sessionLog = try await ok("GET", base + "/log?section=rationale&limit=3")
    #expect((sessionLog["commits"] as? [Any])?.count == 3)
    let mainLog = try await ok("GET", "/projects/p1/log")
    #expect(((mainLog["commits"] as? [Any])?.count ?? 0) >= 2)
    let audit = try await ok("GET", "/projects/p1/audit")
    #expect(((audit["events"] as? [Any])?.count ?? 0) > ((mainLog["commits"] as? [Any])?.count ?? 0))
    #expect(((try await ok("GET", "/projects/p1/sections/rationale/blame"))["lines"] as? [Any])?.count == 1)
    #expect((try await ok("GET", "/projects/p1/sections/rationale/diff"))["diff"] is String)
    #expect((try await ok("GET", "/projects/p1/sections/rationale/sources"))["sources"] is [Any])

    let export = try await ok("GET", "/projects/p1/export?revision=main&format=md")
    let content = try #require(export["content"] as? String)
    #expect(content.contains("One."))
    let exported = server.home.appending("export.md")
    try Data(content.utf8).write(to: URL(fileURLWithPath: exported))
    let sha = try runCommand("/usr/bin/env", ["sha256sum", exported]).stdout
    #expect(sha.hasPrefix(try #require(export["sha256"] as? String)))
    let html = try await ok("GET", "/projects/p1/export?revision=main&format=html")
    #expect((html["content"] as? String)?.contains("<html") == true)

    let tokens = try await ok("POST", "/projects/p1/tokens", ["text": "hello world", "encoding": "cl100k_base"])
    #expect(tokens["tokens"] as? Int == 2)
    #expect(tokens["bytes"] as? Int == 11)

    let inputs = try await ok("GET", base + "/inputs")
    #expect((inputs["inputs"] as? [[String: Any]])?.first?["name"] as? String == "notes.txt")
    let input = try await ok("GET", base + "/inputs/\(inputId)")
    #expect((input["text"] as? String)?.contains("Second line") == true)
    let onMain = try await ok("GET", "/projects/p1/inputs/\(inputId)")
    #expect((onMain["record"] as? [String: Any])?["input_id"] as? String == inputId)
    #expect(((try await ok("GET", "/projects/p1/inputs"))["inputs"] as? [Any])?.count == 1)

    let fsck = try runGit(["fsck", "--strict"], in: server.projects + "/p1")
    #expect(fsck.status == 0, "git fsck: \(fsck.stderr)")
    #expect(server.stop() == 0)
  }
}

@Suite struct UploadTests {
  func uploadHead(_ server: ServerFixture, session: String, length: Int?, chunked: Bool = false) -> [UInt8] {
    var head = "POST /projects/p1/sessions/\(session)/inputs?name=big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += "Authorization: Bearer \(server.tokens["alice"]!)\r\nContent-Type: application/octet-stream\r\n"
    if let length { head += "Content-Length: \(length)\r\n" }
    if chunked { head += "Transfer-Encoding: chunked\r\n" }
    return Array((head + "\r\n").utf8)
  }

  /// Waits (at most 10 s) for the upload folder to be empty, and says whether it is.
  func uploadsEmpty(_ server: ServerFixture) -> Bool {
    for _ in 0..<500 {
      if (try? FileManager.default.contentsOfDirectory(atPath: server.uploads))?.isEmpty == true { return true }
      Thread.sleep(forTimeInterval: 0.02)
    }
    return false
  }

  @Test("a client that hangs up mid-upload leaves no ref, no object and no temporary file behind")
  func hangUp() async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let refs = try server.refs()
    let objects = try server.objects()
    let part = [UInt8](repeating: 0x61, count: 1 << 20)
    var streamed = 0
    _ = try server.raw(uploadHead(server, session: session, length: 100 << 20) + part, hangUp: true) {
      // Mid-upload, the part sent is on disk in the upload folder, not in the server's memory.
      let folders = (try? FileManager.default.contentsOfDirectory(atPath: server.uploads)) ?? []
      for folder in folders {
        let file = server.uploads + "/" + folder + "/big.bin"
        streamed = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
      }
    }
    #expect(streamed == 1 << 20, "\(streamed) bytes on disk mid-upload")
    #expect(
      uploadsEmpty(server), "left: \((try? FileManager.default.contentsOfDirectory(atPath: server.uploads)) ?? [])")
    #expect(try server.refs() == refs)
    #expect(try server.objects() == objects)
    // The server is still serving.
    #expect(try await server.request("GET", "/health", token: nil).status == 200)
    #expect(server.stop() == 0)
  }

  @Test("an upload over the limit is 413 in the error shape, whether its length is declared or not; nothing written")
  func oversize() async throws {
    let server = try ServerFixture()
    try server.start(extra: ["--max-upload-bytes", "4096"])
    let session = try await server.startSession("alice")
    let refs = try server.refs()
    let objects = try server.objects()
    let declared = try await server.request(
      "POST", "/projects/p1/sessions/\(session)/inputs?name=big.txt", token: server.tokens["alice"],
      body: Data(repeating: 0x61, count: 10_000), headers: ["Content-Type": "application/octet-stream"])
    #expect(declared.status == 413)
    #expect(declared.errorCode == "too_large")
    // Chunked, no length: refused as the bytes pass the limit.
    var chunked = uploadHead(server, session: session, length: nil, chunked: true)
    for _ in 0..<8 { chunked += Array("400\r\n".utf8) + [UInt8](repeating: 0x62, count: 1024) + Array("\r\n".utf8) }
    chunked += Array("0\r\n\r\n".utf8)
    let reply = try server.raw(chunked)
    #expect(reply.hasPrefix("HTTP/1.1 413"), "\(reply.prefix(300))")
    #expect(reply.contains("\"too_large\""))
    #expect(uploadsEmpty(server))
    #expect(try server.refs() == refs)
    #expect(try server.objects() == objects)
    // Under the limit it is added, and the temporary copy is gone.
    let small = try await server.request(
      "POST", "/projects/p1/sessions/\(session)/inputs", token: server.tokens["alice"], body: Data("Hi.\n".utf8),
      headers: ["Casebook-File-Name": "hi.txt", "Content-Type": "application/octet-stream"])
    #expect(small.status == 200, "\(String(decoding: small.body, as: UTF8.self))")
    #expect((try small.json["record"] as? [String: Any])?["name"] as? String == "hi.txt")
    #expect(uploadsEmpty(server))
    #expect(server.stop() == 0)
  }

  @Test("an upload retried under its Idempotency-Key gets the first result; the same bytes again are found, not added")
  func uploadRetry() async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let path = "/projects/p1/sessions/\(session)/inputs?name=brief.md"
    let bytes = Data("# Brief\n\nThe case.\n".utf8)
    let key = ["Idempotency-Key": "upload-1", "Content-Type": "application/octet-stream"]
    let first = try await server.request("POST", path, token: server.tokens["alice"], body: bytes, headers: key)
    #expect(first.status == 200)
    #expect(try first.json["created"] as? Bool == true)
    let refs = try server.refs()
    let again = try await server.request("POST", path, token: server.tokens["alice"], body: bytes, headers: key)
    #expect(again.status == 200)
    #expect(again.body == first.body)
    #expect(again.headers["casebook-warning"]?.contains("done already") == true)
    let same = try await server.request(
      "POST", path, token: server.tokens["alice"], body: bytes, headers: ["Content-Type": "application/octet-stream"])
    #expect(try same.json["created"] as? Bool == false)
    #expect(try same.json["input_id"] as? String == (try first.json["input_id"] as? String))
    #expect(try server.refs() == refs)
    #expect(server.stop() == 0)
  }

  @Test(
    "bad uploads are 4xx in the error shape and write nothing",
    arguments: [
      ("a path as the name", "?name=..%2Fx", "alice", 400), ("dot-dot", "?name=..", "alice", 400),
      ("unknown query", "?name=a&kind=b", "alice", 400), ("another user's session", "?name=a", "bob", 403),
      ("no token", "?name=a", "", 401), ("carol, not granted", "?name=a", "carol", 403),
    ])
  func badUploads(_ name: String, _ query: String, _ user: String, _ status: Int) async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let refs = try server.refs()
    let reply = try await server.request(
      "POST", "/projects/p1/sessions/\(session)/inputs" + query, token: server.tokens[user], body: Data("x".utf8),
      headers: ["Content-Type": "application/octet-stream"])
    #expect(reply.status == status, "\(name): \(String(decoding: reply.body, as: UTF8.self))")
    #expect(reply.errorCode != nil, "\(name)")
    #expect(uploadsEmpty(server))
    #expect(try server.refs() == refs)
  }
}

@Suite struct BadInputPerRouteTests {
  /// A value of the wrong kind for `schema`, as JSON (POST) or as query text (GET); nil where
  /// the query has no wrong kind (any text is a string).
  static func wrong(_ schema: JSONSchema, query: Bool) -> Any? {
    switch schema.kind {
    case .integer: return query ? "many" : "many"
    case .boolean: return query ? "maybe" : "yes"
    case .string: return schema.allowed != nil ? "not-one-of-them" : (query ? nil : 5)
    case .array: return query ? nil : "not-an-array"
    case .object: return query ? nil : 5
    case .any: return nil
    }
  }

  @Test(
    "on every route of the table: an unknown field and each field of the wrong kind are 400 in the error shape; nothing written"
  )
  func badInputEveryRoute() async throws {
    let server = try ServerFixture()
    try server.start()
    let session = try await server.startSession("alice")
    let alice = server.tokens["alice"]
    let rita = server.tokens["rita"]
    let before = try server.refs()
    let objects = try server.objects()
    var checked = 0
    for operation in StoreOperation.all {
      let (path, valid) = ServerTests.call(operation, user: "alice", session: session)
      let token = operation.access == .reviewer ? rita : alice
      let fields = operation.input.properties.filter { !operation.pathParameters.contains($0.name) }
      var cases: [(String, [String: Any])] = [("unknown field", valid.merging(["no_such_field": "x"]) { $1 })]
      for field in fields {
        if let bad = Self.wrong(field.schema, query: operation.method == .get) {
          cases.append(("\(field.name) of the wrong kind", valid.merging([field.name: bad]) { $1 }))
        }
      }
      for (name, body) in cases {
        let reply: ServerFixture.Reply
        if operation.method == .get {
          var components = URLComponents()
          components.queryItems = body.keys.sorted().map { URLQueryItem(name: $0, value: "\(body[$0]!)") }
          reply = try await server.request("GET", path + "?" + (components.percentEncodedQuery ?? ""), token: token)
        } else {
          reply = try await server.request("POST", path, token: token, json: body)
        }
        #expect(
          reply.status == 400, "\(operation.id), \(name): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
        #expect(reply.errorCode == "bad_input", "\(operation.id), \(name)")
        checked += 1
      }
    }
    #expect(checked > StoreOperation.all.count * 2)
    #expect(try server.refs() == before)
    #expect(try server.objects() == objects)
    #expect(server.stop() == 0)
  }
}
