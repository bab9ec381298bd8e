import Foundation
import TestSupport
import Testing

@testable import Casebook

/// The store in-process: the library an agent or the servers call.
@Suite("store")
struct StoreTests {
  static func makeProject(in dir: TemporaryDirectory, bare: Bool = false) throws -> Project {
    let template = try TemplateLibrary(searchPaths: [CLI.templates]).template("gate-0")
    let (project, _) = try Project.initialize(
      InitOptions(
        path: dir.path + "/p", template: template, projectID: "abc123", title: "Building Accessibility Upgrade",
        user: try User("alice"), bare: bare))
    return project
  }

  @Test("a bare project works without any working tree")
  func bareProject() throws {
    let dir = try TemporaryDirectory()
    let project = try Self.makeProject(in: dir, bare: true)
    let alice = try User("alice")
    let session = try project.startSession(by: alice).sessionId
    let written = try project.draftSection("rationale", session: session, edit: SectionEdit(), by: alice)
    #expect(written.revision == 1)
    let view = try project.section("rationale", session: session)
    #expect(view.content.contains("Building Accessibility Upgrade"), "the skeleton is filled from the profile")
    #expect(view.content.contains("Gate 0"))
    _ = try project.commitSection("rationale", session: session, by: alice)
    #expect(try project.section("rationale").record.locked)
    #expect(try runGit(["fsck", "--strict"], in: dir.path + "/p").status == 0)
  }

  @Test("concurrent writers on one session lose nothing: every exchange lands once, in sequence")
  func concurrentWriters() throws {
    let dir = try TemporaryDirectory()
    let path = try Self.makeProject(in: dir).path
    let session = try Project.open(at: path).startSession(by: try User("alice")).sessionId
    let threads = 4
    let each = 25
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      do {
        let project = try Project.open(at: path)
        for i in 0..<each {
          _ = try project.recordExchange(
            ExchangeInput(tool: "worker\(worker)", prompt: "call \(i)"), session: session, by: try User("alice"))
        }
      } catch {
        failures.withLock { $0.append("\(error)") }
      }
    }
    #expect(failures.withLock { $0 }.isEmpty)
    let project = try Project.open(at: path)
    let exchanges = try project.exchanges(session: session, limit: 1_000)
    #expect(exchanges.count == threads * each)
    #expect(Set(exchanges.map(\.sequence)) == Set(1...(threads * each)))
    for worker in 0..<threads {
      let prompts = exchanges.filter { $0.toolName == "worker\(worker)" }.compactMap(\.prompt)
      #expect(Set(prompts) == Set((0..<each).map { "call \($0)" }))
    }
    #expect(try project.session(session).session.exchangeCount == threads * each)
    #expect(try runGit(["fsck", "--strict"], in: path).status == 0)
  }

  @Test("a section committed on main is locked against sessions that branched before")
  func lockedOnMain() throws {
    let dir = try TemporaryDirectory()
    let project = try Self.makeProject(in: dir)
    let alice = try User("alice")
    let bob = try User("bob")
    let a = try project.startSession(by: alice).sessionId
    let b = try project.startSession(by: bob).sessionId
    // Bob drafts first and gives up his section lock (while he holds it, alice could not draft).
    _ = try project.draftSection("rationale", session: b, edit: SectionEdit(content: "# R\n\nBob's text.\n"), by: bob)
    _ = try project.releaseSectionLock("rationale", session: b, by: bob)
    _ = try project.draftSection(
      "rationale", session: a, edit: SectionEdit(content: "# R\n\nAlice's text.\n"), by: alice)
    _ = try project.commitSection("rationale", session: a, by: alice)
    #expect(throws: CasebookError.self) {
      try project.reviseSection("rationale", session: b, edit: SectionEdit(content: "# R\n\nMore.\n"), by: bob)
    }
    let main = try project.section("rationale")
    #expect(main.content.contains("Alice's text."))
    do {
      _ = try project.mergeSession(b, by: bob)
      Issue.record("merging bob's session over a locked section must conflict")
    } catch let error as CasebookError {
      #expect(error.exitCode == 3)
      #expect(!error.conflicts.isEmpty)
    }
    #expect(try project.section("rationale").content == main.content)
  }

  @Test("reopen, revise and commit again; approvals number up")
  func reopenAndApproveAgain() throws {
    let dir = try TemporaryDirectory()
    let project = try Self.makeProject(in: dir)
    let alice = try User("alice")
    let s = try project.startSession(by: alice).sessionId
    _ = try project.draftSection("rationale", session: s, edit: SectionEdit(content: "v1\n"), by: alice)
    _ = try project.commitSection("rationale", session: s, by: alice)
    let first = try project.approve(
      "rationale", reviewer: "finance", decision: .changesRequested, comment: "more", by: alice)
    #expect(first.tag == "approved/rationale/v1")
    _ = try project.reopenSection("rationale", session: s, by: alice)
    let revised = try project.reviseSection(
      "rationale", session: s, edit: SectionEdit(content: "v2\n", feedback: "more"), by: alice)
    #expect(revised.revision == 2)
    _ = try project.commitSection("rationale", session: s, by: alice)
    let second = try project.approve("rationale", reviewer: "finance", decision: .approved, comment: nil, by: alice)
    #expect(second.tag == "approved/rationale/v2")
    #expect(second.revision == 2)
    #expect(try project.approvals(section: "rationale").map(\.decision) == [.changesRequested, .approved])
    #expect(try project.section("rationale", at: "approved/rationale/v1").content == "v1\n")
    #expect(try project.section("rationale", at: "1").content == "v1\n")
  }

  @Test("compose drafts, then revises, then commits")
  func compose() throws {
    let dir = try TemporaryDirectory()
    let project = try Self.makeProject(in: dir)
    let alice = try User("alice")
    let s = try project.startSession(by: alice).sessionId
    #expect(
      try project.compose("rationale", session: s, edit: SectionEdit(content: "a\n"), by: alice).action == "draft")
    #expect(
      try project.compose("rationale", session: s, edit: SectionEdit(content: "b\n"), by: alice).action == "revise")
    let committed = try project.compose("rationale", session: s, edit: SectionEdit(content: "b\n"), by: alice)
    #expect(committed.action == "commit")
    #expect(committed.mainCommit != nil)
  }

  @Test("resume reactivates the user's latest session")
  func resume() throws {
    let dir = try TemporaryDirectory()
    let project = try Self.makeProject(in: dir)
    let alice = try User("alice")
    let s = try project.startSession(by: alice).sessionId
    _ = try project.closeSession(s, by: alice)
    #expect(try project.session(s).session.status == .closed)
    #expect(try project.resumeSession(by: alice).sessionId == s)
    #expect(try project.session(s).session.status == .active)
    #expect(throws: CasebookError.notFound("bob has no session to resume; start one with 'casebook session start'")) {
      try project.resumeSession(by: try User("bob"))
    }
  }

  @Test(
    "SHA-256 matches the FIPS 180-4 vectors",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
    ])
  func sha256(input: String, digest: String) {
    var hash = SHA256()
    // Fed in uneven pieces, to cross block boundaries.
    let bytes = Array(input.utf8)
    var i = 0
    while i < bytes.count {
      let n = min(7, bytes.count - i)
      hash.update(Data(bytes[i..<i + n]))
      i += n
    }
    #expect(hash.finalize() == digest)
  }

  @Test("a million a's")
  func sha256Long() {
    var hash = SHA256()
    hash.update(Data(repeating: 0x61, count: 1_000_000))
    #expect(hash.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}

/// A lock-protected value, for collecting results from threads in tests.
final class Mutex<Value>: @unchecked Sendable {
  private var value: Value
  private let lock = NSLock()
  init(_ value: Value) { self.value = value }
  func withLock<T>(_ body: (inout Value) -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body(&value)
  }
}
