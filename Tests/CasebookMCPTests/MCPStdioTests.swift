import CasebookService
import Foundation
import MCP
import TestSupport
import Testing

/// The SDK's own client against the real `casebook mcp` over stdio.
@Suite struct MCPStdioTests {
  @Test("a whole drafting session over stdio: start, add input, context, draft, revise, commit, approve")
  func wholeSession() async throws {
    let fixture = try MCPFixture()
    let dir = fixture.projects + "/p1"
    let (process, transport) = try fixture.stdio("alice")
    let alice = Client(name: "casebook-tests", version: "1")
    let initialized = try await bounded { try await alice.connect(transport: transport) }
    #expect(initialized.serverInfo.name == "casebook")
    #expect(initialized.capabilities.tools != nil)
    #expect(initialized.capabilities.resources != nil)

    // One tool per operation of the table, and addInput (the file in its arguments), each with
    // both schemas.
    let tools = try await bounded { try await alice.listTools().tools }
    #expect(Set(tools.map(\.name)) == Set(StoreOperation.all.map(\.id) + ["addInput"]))
    for tool in tools {
      #expect(tool.inputSchema.objectValue?["type"] == .string("object"), "\(tool.name)")
      #expect(tool.outputSchema?.objectValue?["type"] == .string("object"), "\(tool.name) has no output schema")
      if tool.name != "addInput" { #expect(tool.description == StoreOperation.named(tool.name)?.summary) }
    }

    let key = Metadata(additionalFields: ["casebook/idempotency_key": "start-1"])
    let started = try await alice.call("startSession", ["project_id": "p1", "user_id": "alice"], meta: key)
    #expect(started.isError == false, "\(started.text ?? "")")
    let session = try #require(started["session_id"]?.stringValue)
    // A retry under the same idempotency key gets the first result, and says so.
    let retried = try await alice.call("startSession", ["project_id": "p1", "user_id": "alice"], meta: key)
    #expect(retried["session_id"] == .string(session))
    #expect(retried.content.count == 2, "\(retried.content)")
    // The text content is the same JSON as the structured content.
    let copy = try JSONDecoder().decode(Value.self, from: Data(try #require(started.text).utf8))
    #expect(copy == started.structuredContent)

    // An input, added over the protocol: its text in the arguments.
    let added = try await alice.call(
      "addInput",
      [
        "project_id": "p1", "session_id": .string(session), "name": "notes.md",
        "text": "# Notes\n\nThe pilot cut waiting times by a third.\n",
      ])
    #expect(added.isError == false, "\(added.text ?? "")")
    let input = try #require(added["input_id"]?.stringValue)
    // Bytes in base64 work alike; bad arguments are tool errors in the CLI's shape, writing nothing.
    let table = try await alice.call(
      "addInput",
      [
        "project_id": "p1", "session_id": .string(session), "name": "data.csv",
        "content_base64": .string(Data("site,cost\nA,10\n".utf8).base64EncodedString()),
      ])
    #expect(table.isError == false, "\(table.text ?? "")")
    let state = { try runGit(["for-each-ref"], in: dir).stdout + runGit(["count-objects"], in: dir).stdout }
    let before = try state()
    for bad: [String: Value] in [
      ["project_id": "p1", "session_id": .string(session), "name": "../escape.md", "text": "x"],
      ["project_id": "p1", "session_id": .string(session), "name": "a.md"],
      ["project_id": "p1", "session_id": .string(session), "name": "a.md", "text": "x", "content_base64": "eA=="],
      ["project_id": "p1", "session_id": .string(session), "name": "a.md", "content_base64": "%%%"],
      ["project_id": "p1", "session_id": .string(session), "name": "a.md", "text": "x", "path": "/etc/passwd"],
    ] {
      let refused = try await alice.call("addInput", bad)
      #expect(refused.errorCode == "bad_input", "\(bad): \(refused.text ?? "")")
    }
    #expect(try state() == before)

    let drafted = try await alice.call(
      "draftSection",
      [
        "project_id": "p1", "session_id": .string(session), "section_id": "rationale",
        "content": "The pilot cut waiting times.\n", "sources": [.string(input + ":L3")], "prompt": "Draft it",
      ])
    #expect(drafted.isError == false, "\(drafted.text ?? "")")
    #expect(drafted["revision"] == .int(1))
    let context = try await alice.call(
      "getContext", ["project_id": "p1", "session_id": .string(session), "section": "rationale", "budget": 2000])
    #expect(context.isError == false, "\(context.text ?? "")")
    #expect(context["text"]?.stringValue?.contains("The pilot cut waiting times.") == true)
    let hash = try #require(context["hash"]?.stringValue)
    let recorded = try await alice.call(
      "recordExchange",
      [
        "project_id": "p1", "session_id": .string(session), "tool": "reviseSection", "prompt": "Shorter",
        "response": "Done", "context_hash": .string(hash),
      ])
    #expect(recorded["sequence"] == .int(1), "\(recorded.text ?? "")")
    let revised = try await alice.call(
      "reviseSection",
      [
        "project_id": "p1", "session_id": .string(session), "section_id": "rationale",
        "content": "The pilot cut waiting times by a third.\n", "feedback": "say how much",
        "exchange": recorded["exchange_id"] ?? .null,
      ])
    #expect(revised["revision"] == .int(2), "\(revised.text ?? "")")
    let committed = try await alice.call(
      "commitSection", ["project_id": "p1", "session_id": .string(session), "section_id": "rationale"])
    #expect(committed.isError == false, "\(committed.text ?? "")")
    #expect(committed["status"] == .string("committed"))

    // Errors are tool errors with the CLI's codes.
    let missing = try await alice.call("showSection", ["project_id": "p1", "section_id": "no-such-section"])
    #expect(missing.isError == true)
    #expect(missing.errorCode == "not_found", "\(missing.text ?? "")")
    #expect(missing.structuredContent == nil)
    let malformed = try await alice.call("draftSection", ["project_id": "p1", "session_id": .string(session)])
    #expect(malformed.errorCode == "bad_input", "\(malformed.text ?? "")")
    let notReviewer = try await alice.call("approveSection", ["project_id": "p1", "section_id": "rationale"])
    #expect(notReviewer.errorCode == "forbidden", "\(notReviewer.text ?? "")")

    // Resources: the profile, the committed section's text, the input's extracted text.
    let templates = try await bounded { try await alice.listResourceTemplates().templates }
    #expect(templates.count == 3)
    let resources = try await bounded { try await alice.listResources().resources.map(\.uri) }
    let sectionURI = "casebook://projects/p1/sections/rationale"
    let inputURI = "casebook://projects/p1/inputs/\(input)"
    #expect(resources.contains("casebook://projects/p1/profile"))
    #expect(resources.contains(sectionURI), "\(resources)")
    #expect(resources.contains(inputURI), "\(resources)")
    let sectionText = try await bounded { try await alice.readResource(uri: sectionURI) }
    #expect(sectionText.first?.text == "The pilot cut waiting times by a third.\n")
    let inputText = try await bounded { try await alice.readResource(uri: inputURI) }
    #expect(inputText.first?.text?.contains("waiting times by a third") == true)
    let profile = try await bounded { try await alice.readResource(uri: "casebook://projects/p1/profile") }
    #expect(profile.first?.mimeType == "application/json")
    await #expect(throws: (any Error).self) {
      try await bounded { try await alice.readResource(uri: "casebook://projects/p1/sections/no-such-section") }
    }

    // Another user may not act in alice's session, nor approve without the role.
    let (bobProcess, bobTransport) = try fixture.stdio("bob")
    let bob = Client(name: "casebook-tests", version: "1")
    _ = try await bounded { try await bob.connect(transport: bobTransport) }
    let intruding = try await bob.call(
      "reviseSection",
      ["project_id": "p1", "session_id": .string(session), "section_id": "rationale", "content": "Mine now.\n"])
    #expect(intruding.errorCode == "forbidden", "\(intruding.text ?? "")")
    let impersonating = try await bob.call("startSession", ["project_id": "p1", "user_id": "alice"])
    #expect(impersonating.errorCode == "forbidden", "\(impersonating.text ?? "")")
    await bob.disconnect()

    // The reviewer approves; the approval is a tag in git.
    let (ritaProcess, ritaTransport) = try fixture.stdio("rita")
    let rita = Client(name: "casebook-tests", version: "1")
    _ = try await bounded { try await rita.connect(transport: ritaTransport) }
    let approved = try await rita.call(
      "approveSection", ["project_id": "p1", "section_id": "rationale", "comment": "Fine."])
    #expect(approved.isError == false, "\(approved.text ?? "")")
    #expect(approved["reviewer"] == .string("rita"))
    let tag = try #require(approved["tag"]?.stringValue)
    await rita.disconnect()
    await alice.disconnect()

    let tags = try runGit(["tag", "--list", "approved/*"], in: dir).stdout
    #expect(tags.split(separator: "\n").map(String.init).contains(tag), "tags: \(tags)")
    let onMain = try runGit(["show", "main:sections/rationale.md"], in: dir)
    #expect(onMain.stdout.contains("by a third"), "\(onMain.stderr)")
    let log = try runGit(["log", "--format=%s", "sessions/\(session)"], in: dir).stdout
    #expect(log.split(separator: "\n").count >= 5, "git log: \(log)")
    let fsck = try runGit(["fsck", "--strict"], in: dir)
    #expect(fsck.status == 0, "git fsck: \(fsck.stderr)")

    // Closing standard input ends each server cleanly.
    for child in [process, bobProcess, ritaProcess] {
      try? (child.standardInput as? Pipe)?.fileHandleForWriting.close()
      #expect(fixture.exitStatus(of: child) == 0)
    }
  }

  @Test("a token's grants bound its tools and resources alike")
  func grants() async throws {
    let fixture = try MCPFixture()
    fixture.tokens["carol"] = try fixture.cli(["serve", "token", "add", "carol", "--project", "p2"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let (process, transport) = try fixture.stdio("carol")
    let carol = Client(name: "casebook-tests", version: "1")
    _ = try await bounded { try await carol.connect(transport: transport) }
    let listed = try await carol.call("listSessions", ["project_id": "p1"])
    #expect(listed.errorCode == "forbidden", "\(listed.text ?? "")")
    let unknown = try await carol.call("listSessions", ["project_id": "../p1"])
    #expect(unknown.errorCode == "bad_input", "\(unknown.text ?? "")")
    #expect(try await bounded { try await carol.listResources().resources }.isEmpty)
    await #expect(throws: (any Error).self) {
      try await bounded { try await carol.readResource(uri: "casebook://projects/p1/profile") }
    }
    await #expect(throws: (any Error).self) {
      try await bounded { try await carol.callTool(name: "noSuchTool", arguments: [:]) }
    }
    await carol.disconnect()
    try? (process.standardInput as? Pipe)?.fileHandleForWriting.close()
    #expect(fixture.exitStatus(of: process) == 0)
  }

  @Test("casebook mcp without a valid CASEBOOK_TOKEN refuses to start")
  func noToken() throws {
    let fixture = try MCPFixture()
    for token in ["", "cbk_not-a-token"] {
      let (process, _) = try fixture.stdio("alice", token: token)
      let status = fixture.exitStatus(of: process)
      #expect(status != nil && status != 0)
    }
  }
}
