import CasebookService
import Foundation
import MCP
import TestSupport
import Testing

/// The same client over Streamable HTTP, against the real server's /mcp.
@Suite struct MCPHTTPTests {
  @Test("Streamable HTTP at /mcp: initialise, list tools, a write; 401 without a token; sessions are per user")
  func overHTTP() async throws {
    let fixture = try MCPFixture()
    try fixture.startServer()
    let alice = Client(name: "casebook-tests", version: "1")
    let initialized = try await bounded {
      try await alice.connect(transport: fixture.http(token: fixture.tokens["alice"]))
    }
    #expect(initialized.serverInfo.name == "casebook")
    let tools = try await bounded { try await alice.listTools().tools }
    #expect(Set(tools.map(\.name)) == Set(StoreOperation.all.map(\.id) + ["addInput"]))
    let started = try await alice.call("startSession", ["project_id": "p1", "user_id": "alice"])
    let session = try #require(started["session_id"]?.stringValue, "\(started.text ?? "")")
    let drafted = try await alice.call(
      "draftSection",
      ["project_id": "p1", "session_id": .string(session), "section_id": "rationale", "content": "Over HTTP.\n"])
    #expect(drafted["revision"] == .int(1), "\(drafted.text ?? "")")
    let denied = try await alice.call("approveSection", ["project_id": "p1", "section_id": "rationale"])
    #expect(denied.errorCode == "forbidden")
    await alice.disconnect()
    let shown = try runGit(["show", "sessions/\(session):sections/rationale.md"], in: fixture.projects + "/p1")
    #expect(shown.stdout == "Over HTTP.\n", "\(shown.stderr)")

    // No token, or a wrong one: 401, and the SDK's client cannot connect.
    let initialize =
      #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#
    let accept = ["Accept": "application/json, text/event-stream", "Content-Type": "application/json"]
    for token in [nil, "cbk_wrong"] {
      var headers = accept
      if let token { headers["Authorization"] = "Bearer \(token)" }
      let refused = try await bounded { [headers] in
        try await fixture.request("POST", "/mcp", headers: headers, body: initialize)
      }
      #expect(refused.status == 401)
      #expect(refused.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
      #expect(refused.body.contains("unauthorized"))
    }
    let anonymous = Client(name: "casebook-tests", version: "1")
    await #expect(throws: (any Error).self) {
      try await bounded { try await anonymous.connect(transport: fixture.http(token: nil)) }
    }

    // A raw client: the answer is JSON with a session id, and the session is its user's only.
    var headers = accept
    headers["Authorization"] = "Bearer \(fixture.tokens["alice"]!)"
    let opened = try await bounded { [headers] in
      try await fixture.request("POST", "/mcp", headers: headers, body: initialize)
    }
    #expect(opened.status == 200, "\(opened.body)")
    #expect(opened.headers["content-type"] == "application/json")
    #expect(opened.body.contains(#""serverInfo""#))
    let id = try #require(opened.headers["mcp-session-id"])
    headers["Mcp-Session-Id"] = id
    headers["MCP-Protocol-Version"] = "2025-06-18"
    let list = #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#
    headers["Authorization"] = "Bearer \(fixture.tokens["bob"]!)"
    let stolen = try await bounded { [headers] in
      try await fixture.request("POST", "/mcp", headers: headers, body: list)
    }
    #expect(stolen.status == 403)
    headers["Authorization"] = "Bearer \(fixture.tokens["alice"]!)"
    let listed = try await bounded { [headers] in
      try await fixture.request("POST", "/mcp", headers: headers, body: list)
    }
    #expect(listed.status == 200)
    #expect(listed.body.contains(#""startSession""#))
    // A body past the API's 1 MiB limit is refused before it reaches the session.
    let huge =
      #"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"pad":""# + String(repeating: "x", count: 2 << 20)
      + #""}}"#
    let tooLarge = try await bounded { [headers] in
      try await fixture.request("POST", "/mcp", headers: headers, body: huge)
    }
    #expect(tooLarge.status == 413)
    // No standalone stream: the server never speaks first.
    let stream = try await bounded { [headers] in try await fixture.request("GET", "/mcp", headers: headers) }
    #expect(stream.status == 405)
    let ended = try await bounded { [headers] in try await fixture.request("DELETE", "/mcp", headers: headers) }
    #expect(ended.status == 200)
    let gone = try await bounded { [headers] in try await fixture.request("POST", "/mcp", headers: headers, body: list)
    }
    #expect(gone.status == 404)

    let fsck = try runGit(["fsck", "--strict"], in: fixture.projects + "/p1")
    #expect(fsck.status == 0, "git fsck: \(fsck.stderr)")
    #expect(!fixture.serverStderr.contains(fixture.tokens["alice"]!), "a token was logged")
    #expect(fixture.stopServer() == 0)
  }
}
