import Casebook

/// The store's operations, as the CLI's commands call them (Sources/casebook/Subcommands): the
/// one table the HTTP API routes and the MCP server lists. A new entry is a new route and a new
/// tool, covered by the tests that loop over the table.
extension StoreOperation {
  public static let all: [StoreOperation] =
    [
      startSession, listSessions, showSession, closeSession, showProfile, listSections, showSection,
      listSessionSections, showSessionSection, draftSection, reviseSection, commitSection, approveSection,
      recordExchange, listExchanges, getContext,
    ] + more

  /// The operations added after the first phase (Operations+More.swift).
  static let more: [StoreOperation] = [
    composeSection, reopenSection, diffSection, diffSessionSection, sectionSources, sessionSectionSources,
    blameSection, blameSessionSection, rollbackSession, getLog, getSessionLog, getAudit, exportDocument,
    listLocks, takeLock, releaseLock, breakLock, countTokens, listInputs, listSessionInputs, showInput,
    showSessionInput,
    inputCitations, sessionInputCitations,
  ]

  /// The operation named `id`.
  public static func named(_ id: String) -> StoreOperation? { all.first { $0.id == id } }

  // MARK: - Inputs

  static let projectField = ("project_id", JSONSchema.string("The project's id."))
  static let sessionField = ("session_id", JSONSchema.string("The session's id (from start_session)."))
  static let sectionField = ("section_id", JSONSchema.string("The section's id, e.g. rationale."))

  static func input(_ fields: [(String, JSONSchema)], required: [String] = []) -> JSONSchema {
    .object(fields, required: required)
  }

  struct ProjectInput: Decodable { let projectId: String }
  struct SessionInput: Decodable {
    let projectId: String
    let sessionId: String
  }
  struct SectionInput: Decodable {
    let projectId: String
    let sectionId: String
  }
  struct SessionSectionInput: Decodable {
    let projectId: String
    let sessionId: String
    let sectionId: String
  }

  // MARK: - Outputs

  static let commitField = (
    "commit", JSONSchema.string("The commit the write made (or made first, on a retry).")
  )
  static let writeOutput = JSONSchema.object(
    [commitField, ("branch", .string("The branch it is on."))], required: ["commit"], open: true)
  static let sectionWrittenOutput = JSONSchema.object(
    [
      ("section_id", .string()), ("session_id", .string()), ("action", .string()), ("revision", .integer()),
      ("status", .string()), commitField, ("main_commit", .string()),
    ], required: ["section_id", "session_id", "revision", "commit"], open: true)
  private static let sessionOutput = JSONSchema.object(
    [
      (
        "session",
        .object(
          [
            ("session_id", .string()), ("user_id", .string()), ("project_id", .string()),
            ("status", .string(allowed: ["active", "closed", "expired"])), ("started_at", .string()),
            ("last_active", .string()), ("ended_at", .string()), ("base", .string()), ("exchange_count", .integer()),
          ], required: ["session_id", "user_id", "status"], open: true)
      ),
      ("branch", .string()), ("head", .string()), ("merged", .boolean()),
    ], required: ["session", "branch", "head", "merged"], open: true)
  private static let sectionListing = JSONSchema.object(
    [
      ("section_id", .string()), ("title", .string()), ("required", .boolean()), ("status", .string()),
      ("revision", .integer()), ("locked", .boolean()), ("approval", .string()),
    ], required: ["section_id", "title"], open: true)
  private static let sectionView = JSONSchema.object(
    [
      ("record", .object([("section_id", .string()), ("revision", .integer())], open: true)),
      ("content", .string("The section's text.")), ("commit", .string()),
      ("approvals", .array(.object([], open: true))),
    ], required: ["record", "content", "commit"], open: true)

  // MARK: - Sessions

  struct StartSessionInput: Decodable {
    let projectId: String
    let userId: String
  }

  static let startSession = make(
    "startSession", "Start a drafting session (a branch off main) for the calling user.", .post, "/start_session",
    writes: true,
    input: input(
      [projectField, ("user_id", .string("The calling user: must be the user the bearer token stands for."))],
      required: ["project_id", "user_id"]),
    output: .object(
      [("session_id", .string("The new session's id.")), commitField, ("branch", .string())],
      required: ["session_id", "commit"], open: true)
  ) { (project, caller, input: StartSessionInput, request) in
    guard input.userId == caller.user else {
      throw ServiceError.forbidden("user_id '\(quoted(input.userId))' is not the user of this token (\(caller.user))")
    }
    return try project.startSession(request: request, by: User(caller.user))
  }

  static let listSessions = make(
    "listSessions", "List the project's sessions, most recently active first.", .get, "/projects/{project_id}/sessions",
    writes: false,
    input: input([projectField, ("owner", .string("Only the sessions of this user."))], required: ["project_id"]),
    output: .object([("sessions", .array(sessionOutput))], required: ["sessions"])
  ) { (project, _, input: ListSessionsInput, _) in
    Wrapped(key: "sessions", value: try project.sessions(user: input.owner))
  }
  struct ListSessionsInput: Decodable {
    let projectId: String
    let owner: String?
  }

  static let showSession = make(
    "showSession", "Show one session: its owner, state, branch and head.", .get,
    "/projects/{project_id}/sessions/{session_id}", writes: false,
    input: input([projectField, sessionField], required: ["project_id", "session_id"]), output: sessionOutput
  ) { (project, _, input: SessionInput, _) in try project.session(input.sessionId) }

  static let closeSession = make(
    "closeSession", "Close one of your sessions; writes to it are refused until it is resumed.", .post,
    "/projects/{project_id}/sessions/{session_id}/close", writes: true, access: .ownSession,
    input: input([projectField, sessionField], required: ["project_id", "session_id"]), output: writeOutput
  ) { (project, caller, input: SessionInput, request) in
    try project.closeSession(input.sessionId, request: request, by: User(caller.user))
  }

  // MARK: - Profile

  static let showProfile = make(
    "showProfile", "The project profile (project_profile.yaml) on main, as JSON.", .get,
    "/projects/{project_id}/profile", writes: false,
    input: input([projectField], required: ["project_id"]),
    output: .object([("profile", .object([], open: true, "The profile's keys and values."))], required: ["profile"])
  ) { (project, _, _: ProjectInput, _) in Wrapped(key: "profile", value: JSONNode(try project.profile())) }

  // MARK: - Sections

  static let listSections = make(
    "listSections", "List the template's sections and any others on main, with their state.", .get,
    "/projects/{project_id}/sections", writes: false,
    input: input([projectField], required: ["project_id"]),
    output: .object([("sections", .array(sectionListing))], required: ["sections"])
  ) { (project, _, _: ProjectInput, _) in Wrapped(key: "sections", value: try project.sections()) }

  static let showSection = make(
    "showSection", "Show a section as it is on main: its record, text and approvals.", .get,
    "/projects/{project_id}/sections/{section_id}", writes: false,
    input: input([projectField, sectionField], required: ["project_id", "section_id"]), output: sectionView
  ) { (project, _, input: SectionInput, _) in try project.section(input.sectionId) }

  static let listSessionSections = make(
    "listSessionSections", "List the sections as one of your sessions has them.", .get,
    "/projects/{project_id}/sessions/{session_id}/sections", writes: false, access: .ownSession,
    input: input([projectField, sessionField], required: ["project_id", "session_id"]),
    output: .object([("sections", .array(sectionListing))], required: ["sections"])
  ) { (project, _, input: SessionInput, _) in
    Wrapped(key: "sections", value: try project.sections(session: input.sessionId))
  }

  static let showSessionSection = make(
    "showSessionSection", "Show a section as one of your sessions has it.", .get,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}", writes: false, access: .ownSession,
    input: input([projectField, sessionField, sectionField], required: ["project_id", "session_id", "section_id"]),
    output: sectionView
  ) { (project, _, input: SessionSectionInput, _) in try project.section(input.sectionId, session: input.sessionId) }

  static let editFields: [(String, JSONSchema)] = [
    (
      "sources",
      .array(
        .string("INPUT or INPUT:LOCATOR — L4-9 (lines), p3-5 (PDF pages), para12 (paragraphs), #Heading/Sub."),
        "The inputs the text cites.")
    ),
    ("prompt", .string("The prompt that produced this text.")),
    ("exchange", .string("The exchange (from recordExchange) whose tool call produced this text.")),
  ]

  struct DraftInput: Decodable {
    let projectId: String
    let sessionId: String
    let sectionId: String
    let content: String?
    let title: String?
    let sources: [String]?
    let prompt: String?
    let exchange: String?
  }

  static let draftSection = make(
    "draftSection", "Draft a section in one of your sessions (the text given, or the template's skeleton).", .post,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/draft", writes: true, access: .ownSession,
    input: input(
      [
        projectField, sessionField, sectionField, ("content", .string("The text (default: the template's skeleton).")),
        ("title", .string("The title, for a section that is not the template's.")),
      ] + editFields, required: ["project_id", "session_id", "section_id"]),
    output: sectionWrittenOutput
  ) { (project, caller, input: DraftInput, request) in
    let edit = SectionEdit(
      content: input.content, sources: try (input.sources ?? []).map(SourceReference.init(parsing:)),
      prompt: input.prompt, title: input.title, exchange: input.exchange)
    return try project.draftSection(
      input.sectionId, session: input.sessionId, edit: edit, request: request, by: User(caller.user))
  }

  struct ReviseInput: Decodable {
    let projectId: String
    let sessionId: String
    let sectionId: String
    let content: String
    let feedback: String?
    let sources: [String]?
    let prompt: String?
    let exchange: String?
  }

  static let reviseSection = make(
    "reviseSection", "Revise a section in one of your sessions with new text and the feedback behind it.", .post,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/revise", writes: true, access: .ownSession,
    input: input(
      [
        projectField, sessionField, sectionField, ("content", .string("The new text.")),
        ("feedback", .string("The feedback this revision answers.")),
      ] + editFields, required: ["project_id", "session_id", "section_id", "content"]),
    output: sectionWrittenOutput
  ) { (project, caller, input: ReviseInput, request) in
    let edit = SectionEdit(
      content: input.content, sources: try (input.sources ?? []).map(SourceReference.init(parsing:)),
      prompt: input.prompt, feedback: input.feedback, exchange: input.exchange)
    return try project.reviseSection(
      input.sectionId, session: input.sessionId, edit: edit, request: request, by: User(caller.user))
  }

  static let commitSection = make(
    "commitSection", "Mark a section committed and locked, and merge your session into main.", .post,
    "/projects/{project_id}/sessions/{session_id}/sections/{section_id}/commit", writes: true, access: .ownSession,
    input: input([projectField, sessionField, sectionField], required: ["project_id", "session_id", "section_id"]),
    output: sectionWrittenOutput
  ) { (project, caller, input: SessionSectionInput, request) in
    try project.commitSection(input.sectionId, session: input.sessionId, request: request, by: User(caller.user))
  }

  struct ApproveInput: Decodable {
    let projectId: String
    let sectionId: String
    let decision: String?
    let comment: String?
  }

  static let approveSection = make(
    "approveSection", "Record a reviewer's decision on a committed section (an approval tag). Reviewers only.", .post,
    "/projects/{project_id}/sections/{section_id}/approve", writes: true, access: .reviewer,
    input: input(
      [
        projectField, sectionField,
        ("decision", .string("Default approved.", allowed: Approval.Decision.allCases.map(\.rawValue))),
        ("comment", .string("The reviewer's comment.")),
      ], required: ["project_id", "section_id"]),
    output: .object(
      [
        ("tag", .string()), ("section", .string()), ("version", .integer()), ("decision", .string()),
        ("reviewer", .string()), ("revision", .integer()), commitField,
      ], required: ["tag", "section", "decision", "reviewer"], open: true)
  ) { (project, caller, input: ApproveInput, request) in
    let decision = Approval.Decision(rawValue: input.decision ?? "approved") ?? .approved
    return try project.approve(
      input.sectionId, reviewer: caller.user, decision: decision, comment: input.comment, request: request,
      by: User(caller.user))
  }

  // MARK: - Exchanges and context

  struct RecordExchangeInput: Decodable {
    let projectId: String
    let sessionId: String
    let tool: String
    let prompt: String?
    let response: String?
    let statusCode: Int?
    let latencyMs: Int?
    let section: String?
    let contextHash: String?
    let promptId: String?
  }

  static let recordExchange = make(
    "recordExchange", "Record one of the assistant's tool calls (prompt and response) on one of your sessions.",
    .post, "/projects/{project_id}/sessions/{session_id}/exchanges", writes: true, access: .ownSession,
    input: input(
      [
        projectField, sessionField, ("tool", .string("The tool's name.")), ("prompt", .string("The input payload.")),
        ("response", .string("The output payload.")), ("status_code", .integer("The status code.")),
        ("latency_ms", .integer("The latency in milliseconds.", minimum: 0)),
        ("section", .string("The section the call was about.")),
        ("context_hash", .string("The hash of the context the call was made with (getContext's hash).")),
        ("prompt_id", .string("The client's id for the prompt (default: the exchange id).")),
      ], required: ["project_id", "session_id", "tool"]),
    output: .object(
      [("exchange_id", .string()), ("sequence", .integer()), ("path", .string()), commitField],
      required: ["exchange_id", "sequence", "commit"], open: true)
  ) { (project, caller, input: RecordExchangeInput, request) in
    let exchange = ExchangeInput(
      tool: input.tool, prompt: input.prompt, response: input.response, statusCode: input.statusCode,
      latencyMs: input.latencyMs, section: input.section, contextHash: input.contextHash, promptId: input.promptId)
    return try project.recordExchange(exchange, session: input.sessionId, request: request, by: User(caller.user))
  }

  struct ListExchangesInput: Decodable {
    let projectId: String
    let sessionId: String
    let limit: Int?
  }

  static let listExchanges = make(
    "listExchanges", "The latest exchanges of one of your sessions, newest first.", .get,
    "/projects/{project_id}/sessions/{session_id}/exchanges", writes: false, access: .ownSession,
    input: input(
      [projectField, sessionField, ("limit", .integer("How many (default 20).", minimum: 1, maximum: 10_000))],
      required: ["project_id", "session_id"]),
    output: .object(
      [
        (
          "exchanges",
          .array(
            .object(
              [
                ("exchange_id", .string()), ("sequence", .integer()), ("tool_name", .string()),
                ("timestamp", .string()),
                ("prompt", .string()), ("response", .string()),
              ], required: ["exchange_id", "sequence"], open: true))
        )
      ], required: ["exchanges"])
  ) { (project, _, input: ListExchangesInput, _) in
    Wrapped(key: "exchanges", value: try project.exchanges(session: input.sessionId, limit: input.limit ?? 20))
  }

  struct ContextInput: Decodable {
    let projectId: String
    let sessionId: String
    let section: String?
    let budget: Int?
    let encoding: String?
    let cursor: String?
    let at: String?
  }

  /// What a context is a function of: the session's tip and the request (Project.context).
  @Sendable static func contextKey(_ project: Project, _ input: ContextInput) throws -> String {
    [
      try project.sessionHead(input.sessionId), input.section ?? "", String(input.budget ?? 8_000),
      input.encoding ?? "o200k_base", input.cursor ?? "", input.at ?? "",
    ].joined(separator: "\u{0}")
  }

  static let getContext = make(
    "getContext", "One of your sessions' memory as context for the assistant, within a token budget.", .get,
    "/projects/{project_id}/sessions/{session_id}/context", writes: false, access: .ownSession,
    input: input(
      [
        projectField, sessionField, ("section", .string("The section being worked on.")),
        (
          "budget",
          .integer(
            "The most tokens the context may have (default 8000).", minimum: 1, maximum: ContextRequest.maxBudget)
        ),
        ("encoding", .string("The encoding tokens are counted in.", allowed: ["o200k_base", "cl100k_base"])),
        ("cursor", .string("Where a previous context left off (its next_cursor).")),
        ("at", .string("A commit of the session's branch to assemble from (default: its tip).")),
      ], required: ["project_id", "session_id"]),
    output: .object(
      [
        ("text", .string("The context.")), ("tokens", .integer()), ("budget", .integer()), ("encoding", .string()),
        ("hash", .string()), ("commit", .string()), ("blocks", .array(.object([], open: true))),
        ("next_cursor", .string("Pass as cursor to fetch what was left out; absent when everything fit.")),
      ], required: ["text", "tokens", "hash", "commit"], open: true),
    cacheKey: contextKey
  ) { (project, _, input: ContextInput, _) in
    try project.context(
      ContextRequest(
        session: input.sessionId, section: input.section, budget: input.budget ?? 8_000, cursor: input.cursor,
        at: input.at),
      encoding: input.encoding ?? "o200k_base")
  }
}
