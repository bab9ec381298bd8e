import Casebook
import Tokens

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The rest of the CLI's store commands as operations: compose and reopen, a section's diff,
/// sources and blame, rollback, log and audit, export, locks, token counts and inputs. A read
/// the CLI offers on main or in a session (`--session`) is two entries: one on main for anyone
/// granted the project, one under `/sessions/{session_id}` for the session's owner.
extension StoreOperation {
  private static let atField = (
    "at", JSONSchema.string("A git revision (commit, tag, branch) or a section revision number.")
  )
  private static let inputField = ("input_id", JSONSchema.string("The input's id (from listInputs or the upload)."))

  // MARK: - Outputs

  static let lockOutput = JSONSchema.object(
    [
      ("section_id", .string()), ("user_id", .string()), ("session_id", .string()),
      ("state", .string(allowed: ["held", "released"])), ("since", .string()), ("expires", .string()),
      ("released_by", .string()), ("released_at", .string()), ("reason", .string()), ("forced", .boolean()),
      commitField, ("expired", .boolean()),
    ], required: ["section_id", "user_id", "session_id", "state", "commit"], open: true)
  static let logEntryOutput = JSONSchema.object(
    [
      ("kind", .string("commit or approval.")), commitField, ("time", .string()), ("user", .string()),
      ("action", .string()), ("session", .string()), ("section", .string()), ("summary", .string()),
      ("trailers", .object([], open: true, "The commit's Casebook trailers.")), ("parents", .integer()),
    ], required: ["kind", "commit", "time", "user", "summary"], open: true)
  static let inputRecordOutput = JSONSchema.object(
    [
      ("input_id", .string()), ("name", .string()), ("media_type", .string()), ("size", .integer()),
      ("sha256", .string()), ("uploaded_by", .string()), ("uploaded_at", .string()), ("session", .string()),
      ("extracted", .boolean()), ("lines", .integer()), ("original", .string()), ("pages", .integer()),
      ("paragraphs", .integer()), ("headings", .integer()),
    ], required: ["input_id", "name", "media_type", "size", "sha256"], open: true)
  static let inputAddedOutput = JSONSchema.object(
    [
      ("input_id", .string()), ("commit", .string("The commit that added it; absent when it was there already.")),
      ("created", .boolean("False when the same bytes were there already.")), ("record", inputRecordOutput),
    ], required: ["input_id", "created", "record"], open: true)
  private static let inputViewOutput = JSONSchema.object(
    [
      ("record", inputRecordOutput), ("text", .string("The extracted text, for the formats Casebook reads.")),
      ("locators", .array(.string(), "The locators the text can be cited at.")),
    ], required: ["record"], open: true)
  private static let citedSourceOutput = JSONSchema.object(
    [
      ("input", .string()), ("locator", .string()), ("name", .string()), ("media_type", .string()),
      ("excerpt", .string("The cited text.")),
    ], required: ["input"], open: true)
  private static let blameOutput = JSONSchema.object(
    [
      ("section", .string()),
      (
        "lines",
        .array(
          .object(
            [
              ("line", .integer()), ("text", .string()), ("revision", .integer()), commitField,
              ("author", .string()), ("time", .string()), ("action", .string()), ("prompts", .array(.string())),
              ("feedback", .string()),
              (
                "exchange",
                .object(
                  [("id", .string()), ("tool", .string()), ("prompt", .string()), ("response", .string())],
                  open: true)
              ),
            ], required: ["line", "text", "commit", "author", "time"], open: true))
      ),
    ], required: ["section", "lines"])

  // MARK: - Compose and reopen

  struct ComposeInput: Decodable {
    let projectId: String
    let sessionId: String
    let sectionId: String
    let content: String
    let feedback: String?
    let sources: [String]?
    let prompt: String?
    let exchange: String?
  }

  static let composeSection = make(
    "composeSection",
    "Draft a new section, revise a changed one, or commit one whose text is final, as its state decides.", .post,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/compose", writes: true, access: .ownSession,
    input: input(
      [
        projectField, sessionField, sectionField, ("content", .string("The text.")),
        ("feedback", .string("The feedback this text answers (when it revises).")),
      ] + editFields, required: ["project_id", "session_id", "section_id", "content"]),
    output: sectionWrittenOutput
  ) { (project, caller, input: ComposeInput, request) in
    guard input.content.utf8.count <= Project.maxSectionTextBytes else {
      throw ServiceError.tooLarge("the section text is larger than \(Project.maxSectionTextBytes) bytes")
    }
    let edit = SectionEdit(
      content: input.content, sources: try (input.sources ?? []).map(SourceReference.init(parsing:)),
      prompt: input.prompt, feedback: input.feedback, exchange: input.exchange)
    return try project.compose(
      input.sectionId, session: input.sessionId, edit: edit, request: request, by: User(caller.user))
  }

  static let reopenSection = make(
    "reopenSection", "Unlock a committed section in one of your sessions so it can be revised.", .post,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/reopen", writes: true, access: .ownSession,
    input: input([projectField, sessionField, sectionField], required: ["project_id", "session_id", "section_id"]),
    output: sectionWrittenOutput
  ) { (project, caller, input: SessionSectionInput, request) in
    try project.reopenSection(input.sectionId, session: input.sessionId, request: request, by: User(caller.user))
  }

  // MARK: - Diff, sources, blame

  struct DiffInput: Decodable {
    let projectId: String
    let sessionId: String?
    let sectionId: String
    let from: String?
    let to: String?
  }
  private static let diffFields: [(String, JSONSchema)] = [
    ("from", .string("A git revision or section revision number (default: the latest change).")),
    ("to", .string("A git revision or section revision number (default: now).")),
  ]
  private static let diffOutput = JSONSchema.object(
    [("diff", .string("A unified diff of the section's text."))], required: ["diff"])

  static let diffSection = make(
    "diffSection", "Diff a section's text on main: the latest change, FROM to now, or FROM to TO.", .get,
    "/projects/{project_id}/sections/{section_id}/diff", writes: false,
    input: input([projectField, sectionField] + diffFields, required: ["project_id", "section_id"]),
    output: diffOutput
  ) { (project, _, input: DiffInput, _) in
    Wrapped(key: "diff", value: try project.sectionDiff(input.sectionId, from: input.from, to: input.to))
  }

  static let diffSessionSection = make(
    "diffSessionSection",
    "Diff a section's text in one of your sessions: the latest change, FROM to now, or FROM to TO.",
    .get, "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/diff", writes: false,
    access: .ownSession,
    input: input(
      [projectField, sessionField, sectionField] + diffFields, required: ["project_id", "session_id", "section_id"]),
    output: diffOutput
  ) { (project, _, input: DiffInput, _) in
    Wrapped(
      key: "diff",
      value: try project.sectionDiff(input.sectionId, session: input.sessionId, from: input.from, to: input.to))
  }

  struct AtInput: Decodable {
    let projectId: String
    let sessionId: String?
    let sectionId: String
    let at: String?
  }
  private static let sourcesOutput = JSONSchema.object(
    [("sources", .array(citedSourceOutput))], required: ["sources"])

  static let sectionSources = make(
    "sectionSources", "What supports a section on main: each cited input, its locator and the cited excerpt.", .get,
    "/projects/{project_id}/sections/{section_id}/sources", writes: false,
    input: input([projectField, sectionField, atField], required: ["project_id", "section_id"]),
    output: sourcesOutput
  ) { (project, _, input: AtInput, _) in
    Wrapped(key: "sources", value: try project.sectionSources(input.sectionId, at: input.at))
  }

  static let sessionSectionSources = make(
    "sessionSectionSources", "What supports a section in one of your sessions: each cited input and its excerpt.",
    .get, "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/sources", writes: false,
    access: .ownSession,
    input: input(
      [projectField, sessionField, sectionField, atField], required: ["project_id", "session_id", "section_id"]),
    output: sourcesOutput
  ) { (project, _, input: AtInput, _) in
    Wrapped(key: "sources", value: try project.sectionSources(input.sectionId, session: input.sessionId, at: input.at))
  }

  struct Blamed: Encodable, Sendable {
    let section: String
    let lines: [BlameLine]
  }

  static let blameSection = make(
    "blameSection",
    "For each line of a section on main: the revision, commit, author and time that last changed it, with its prompts.",
    .get, "/projects/{project_id}/sections/{section_id}/blame", writes: false,
    input: input([projectField, sectionField, atField], required: ["project_id", "section_id"]),
    output: blameOutput
  ) { (project, _, input: AtInput, _) in
    Blamed(section: input.sectionId, lines: try project.blame(input.sectionId, at: input.at))
  }

  static let blameSessionSection = make(
    "blameSessionSection",
    "For each line of a section in one of your sessions: the revision, commit, author and time that last changed it.",
    .get, "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/blame", writes: false,
    access: .ownSession,
    input: input(
      [projectField, sessionField, sectionField, atField], required: ["project_id", "session_id", "section_id"]),
    output: blameOutput
  ) { (project, _, input: AtInput, _) in
    Blamed(section: input.sectionId, lines: try project.blame(input.sectionId, session: input.sessionId, at: input.at))
  }

  // MARK: - Rollback

  struct RollbackInput: Decodable {
    let projectId: String
    let sessionId: String
    let to: String?
    let last: Int?
    let reason: String?
    let exchange: String?
  }

  static let rollbackSession = make(
    "rollbackSession",
    "Undo one of your sessions' latest writes as a new commit (last N writes, or back to an earlier commit).", .post,
    "/projects/{project_id}/sessions/{session_id}/rollback", writes: true, access: .ownSession,
    input: input(
      [
        projectField, sessionField, ("to", .string("An earlier commit of the session to go back to.")),
        ("last", .integer("How many of the session's latest writes to undo.", minimum: 1, maximum: 1_000)),
        ("reason", .string("Why, recorded in the commit.")),
        ("exchange", .string("The exchange whose failure this rollback answers (its exchange_id).")),
      ], required: ["project_id", "session_id"]),
    output: .object(
      [
        ("session_id", .string()), commitField, ("restored", .string("The commit whose state was restored.")),
        (
          "undone",
          .array(
            .object(
              [("commit", .string()), ("action", .string()), ("summary", .string())], required: ["commit"],
              open: true))
        ),
      ], required: ["session_id", "commit", "restored", "undone"], open: true)
  ) { (project, caller, input: RollbackInput, request) in
    try project.rollback(
      session: input.sessionId, to: input.to, last: input.last, reason: input.reason, exchange: input.exchange,
      request: request, by: User(caller.user))
  }

  // MARK: - Log, audit, export

  struct LogInput: Decodable {
    let projectId: String
    let sessionId: String?
    let section: String?
    let limit: Int?
  }
  private static let logFields: [(String, JSONSchema)] = [
    ("section", .string("Only commits that change this section.")),
    ("limit", .integer("At most this many.", minimum: 1, maximum: 100_000)),
  ]
  private static let logOutput = JSONSchema.object([("commits", .array(logEntryOutput))], required: ["commits"])

  static let getLog = make(
    "getLog", "The history of main, newest first, optionally of one section.", .get, "/projects/{project_id}/log",
    writes: false, input: input([projectField] + logFields, required: ["project_id"]), output: logOutput
  ) { (project, _, input: LogInput, _) in
    Wrapped(key: "commits", value: try project.log(section: input.section, limit: input.limit))
  }

  static let getSessionLog = make(
    "getSessionLog", "The history of one of your sessions, newest first, optionally of one section.", .get,
    "/projects/{project_id}/sessions/{session_id}/log", writes: false, access: .ownSession,
    input: input([projectField, sessionField] + logFields, required: ["project_id", "session_id"]),
    output: logOutput
  ) { (project, _, input: LogInput, _) in
    Wrapped(
      key: "commits", value: try project.log(session: input.sessionId, section: input.section, limit: input.limit))
  }

  static let getAudit = make(
    "getAudit", "The whole audit trail: every commit on every branch, and every approval.", .get,
    "/projects/{project_id}/audit", writes: false, input: input([projectField], required: ["project_id"]),
    output: .object([("events", .array(logEntryOutput))], required: ["events"])
  ) { (project, _, _: ProjectInput, _) in Wrapped(key: "events", value: try project.audit()) }

  struct ExportInput: Decodable {
    let projectId: String
    let revision: String
    let format: String?
    let verify: Bool?
  }
  struct Exported: Encodable, Sendable {
    let format: String
    let sha256: String
    let commit: String
    let asOf: String?
    let verified: Bool?
    let recorded: String?
    let content: String
  }

  static let exportDocument = make(
    "exportDocument",
    "Render the whole business case at a commit, branch or tag as Markdown or HTML, with its sha256.", .get,
    "/projects/{project_id}/export", writes: false,
    input: input(
      [
        projectField, ("revision", .string("A commit, branch or tag, e.g. main, a1b2c3d, approved/rationale/v1.")),
        ("format", .string("md (default) or html.", allowed: ExportFormat.allCases.map(\.rawValue))),
        (
          "verify", .boolean("Check an approval tag's export against the sha256 the tag records (409 when it differs).")
        ),
      ], required: ["project_id", "revision"]),
    output: .object(
      [
        ("format", .string()), ("sha256", .string("SHA-256 of content's bytes, lowercase hex.")), commitField,
        ("as_of", .string("The approval an approval tag's export is rendered as of.")),
        ("verified", .boolean()), ("recorded", .string("The sha256 the approval tag records.")),
        ("content", .string("The document.")),
      ], required: ["format", "sha256", "commit", "content"], open: true)
  ) { (project, _, input: ExportInput, _) in
    let format = ExportFormat(rawValue: input.format ?? "md") ?? .md
    var recorded: String?
    let export: Export
    if input.verify == true {
      let verification = try project.verifyExport(input.revision, format: format)
      export = verification.export
      recorded = verification.recorded
    } else {
      export = try project.export(input.revision, format: format)
    }
    return Exported(
      format: format.rawValue, sha256: export.sha256, commit: export.commit, asOf: export.asOf,
      verified: input.verify == true ? true : nil, recorded: recorded,
      content: String(decoding: export.content, as: UTF8.self))
  }

  // MARK: - Locks

  static let listLocks = make(
    "listLocks", "The section locks held now, expired ones marked.", .get, "/projects/{project_id}/locks",
    writes: false, input: input([projectField], required: ["project_id"]),
    output: .object([("locks", .array(lockOutput))], required: ["locks"])
  ) { (project, _, _: ProjectInput, _) in Wrapped(key: "locks", value: try project.sectionLocks()) }

  struct TakeLockInput: Decodable {
    let projectId: String
    let sessionId: String
    let sectionId: String
    let remote: String?
  }

  static let takeLock = make(
    "takeLock", "Take (or extend) a section's lock for one of your sessions.", .post,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/lock", writes: true, access: .ownSession,
    input: input(
      [
        projectField, sessionField, sectionField,
        ("remote", .string("The remote that confirms the lock (default: origin, or the only remote; none: none).")),
      ], required: ["project_id", "session_id", "section_id"]),
    output: .object(
      [
        ("lock", lockOutput), ("acquired", .boolean("False when the session held it already (extended).")),
        ("confirmed_by", .string("The remote that confirmed the lock.")),
        ("unconfirmed", .string("Why the lock is taken here only.")),
      ], required: ["lock", "acquired"], open: true)
  ) { (project, caller, input: TakeLockInput, request) in
    try project.takeSectionLock(
      input.sectionId, session: input.sessionId, request: request, by: User(caller.user), remote: input.remote)
  }

  static let releaseLock = make(
    "releaseLock", "Release a section lock one of your sessions holds.", .post,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/lock/release", writes: true,
    access: .ownSession,
    input: input([projectField, sessionField, sectionField], required: ["project_id", "session_id", "section_id"]),
    output: .object([("lock", lockOutput), commitField], required: ["lock", "commit"], open: true)
  ) { (project, caller, input: SessionSectionInput, request) in
    try project.releaseSectionLock(input.sectionId, session: input.sessionId, by: User(caller.user), request: request)
  }

  struct BreakLockInput: Decodable {
    let projectId: String
    let sectionId: String
    let reason: String?
  }

  static let breakLock = make(
    "breakLock",
    "Break a section lock whoever holds it, recorded on the lock's history (casebook unlock --force). Reviewers only.",
    .post, "/projects/{project_id}/sections/{section_id}/unlock", writes: true, access: .reviewer,
    input: input(
      [projectField, sectionField, ("reason", .string("Why the lock is broken (recorded with the break)."))],
      required: ["project_id", "section_id"]),
    output: .object([("lock", lockOutput), commitField], required: ["lock", "commit"], open: true)
  ) { (project, caller, input: BreakLockInput, request) in
    try project.forceUnlock(input.sectionId, by: User(caller.user), reason: input.reason, request: request)
  }

  // MARK: - Tokens

  struct TokensInput: Decodable {
    let projectId: String
    let text: String
    let encoding: String?
  }
  struct TokenCountResult: Encodable, Sendable {
    let tokens: Int
    let encoding: String
    let bytes: Int
  }

  static let countTokens = make(
    "countTokens", "Count a text's tokens exactly as OpenAI's tiktoken does.", .post,
    "/projects/{project_id}/tokens", writes: false,
    input: input(
      [
        projectField, ("text", .string("The text to count.")),
        (
          "encoding",
          .string(
            "o200k_base (default; GPT-4o and later) or cl100k_base (GPT-4, GPT-3.5).",
            allowed: TokenEncoding.allCases.map(\.rawValue))
        ),
      ], required: ["project_id", "text"]),
    output: .object(
      [("tokens", .integer()), ("encoding", .string()), ("bytes", .integer("The text's UTF-8 bytes."))],
      required: ["tokens", "encoding", "bytes"])
  ) { (_, _, input: TokensInput, _) in
    let encoding = TokenEncoding(rawValue: input.encoding ?? "o200k_base") ?? .o200kBase
    let tokenizer: Tokenizer
    do { tokenizer = try Tokenizer.shared(encoding) } catch { throw CasebookError.repository("\(error)") }
    let count = tokenizer.count(bytes: Array(input.text.utf8))
    return TokenCountResult(tokens: count.tokens, encoding: encoding.rawValue, bytes: count.bytes)
  }

  // MARK: - Inputs

  struct InputsInput: Decodable {
    let projectId: String
    let sessionId: String?
  }
  private static let inputsOutput = JSONSchema.object([("inputs", .array(inputRecordOutput))], required: ["inputs"])

  static let listInputs = make(
    "listInputs", "The inputs on main.", .get, "/projects/{project_id}/inputs", writes: false,
    input: input([projectField], required: ["project_id"]), output: inputsOutput
  ) { (project, _, _: InputsInput, _) in Wrapped(key: "inputs", value: try project.inputs()) }

  static let listSessionInputs = make(
    "listSessionInputs", "The inputs one of your sessions has (main's and its own uploads).", .get,
    "/projects/{project_id}/sessions/{session_id}/inputs", writes: false, access: .ownSession,
    input: input([projectField, sessionField], required: ["project_id", "session_id"]), output: inputsOutput
  ) { (project, _, input: InputsInput, _) in
    Wrapped(key: "inputs", value: try project.inputs(session: input.sessionId))
  }

  struct ShowInputInput: Decodable {
    let projectId: String
    let sessionId: String?
    let inputId: String
  }

  static let showInput = make(
    "showInput", "An input on main: its metadata, extracted text and locators.", .get,
    "/projects/{project_id}/inputs/{input_id}", writes: false,
    input: input([projectField, inputField], required: ["project_id", "input_id"]), output: inputViewOutput
  ) { (project, _, input: ShowInputInput, _) in try project.input(input.inputId) }

  static let showSessionInput = make(
    "showSessionInput", "An input as one of your sessions has it: its metadata, extracted text and locators.", .get,
    "/projects/{project_id}/sessions/{session_id}/inputs/{input_id}", writes: false, access: .ownSession,
    input: input([projectField, sessionField, inputField], required: ["project_id", "session_id", "input_id"]),
    output: inputViewOutput
  ) { (project, _, input: ShowInputInput, _) in try project.input(input.inputId, session: input.sessionId) }

  private static let citationsOutput = JSONSchema.object(
    [
      ("input_id", .string()),
      (
        "current",
        .array(
          .object(
            [
              ("section_id", .string()), ("title", .string()), ("revision", .integer()), ("status", .string()),
              ("locators", .array(.string())),
            ], required: ["section_id", "revision"], open: true), "The sections that cite the input now.")
      ),
      (
        "history",
        .array(
          .object(
            [
              commitField, ("time", .string()), ("user", .string()), ("action", .string()),
              ("section_id", .string()), ("revision", .integer()), ("locator", .string()),
            ], required: ["commit"], open: true), "The writes that cited it.")
      ),
    ], required: ["input_id", "current", "history"], open: true)

  static let inputCitations = make(
    "inputCitations", "Where an input is cited on main: the sections, revisions and commits that cite it.", .get,
    "/projects/{project_id}/inputs/{input_id}/cited_by", writes: false,
    input: input([projectField, inputField], required: ["project_id", "input_id"]), output: citationsOutput
  ) { (project, _, input: ShowInputInput, _) in try project.inputCitations(input.inputId) }

  static let sessionInputCitations = make(
    "sessionInputCitations", "Where an input is cited in one of your sessions: the sections, revisions and commits.",
    .get, "/projects/{project_id}/sessions/{session_id}/inputs/{input_id}/cited_by", writes: false,
    access: .ownSession,
    input: input([projectField, sessionField, inputField], required: ["project_id", "session_id", "input_id"]),
    output: citationsOutput
  ) { (project, _, input: ShowInputInput, _) in try project.inputCitations(input.inputId, session: input.sessionId) }
}
