import ArgumentParser
import Casebook

struct SectionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "section", abstract: "Draft, revise, commit and read sections.",
    subcommands: [Draft.self, Revise.self, Commit.self, Show.self, Diff.self, List.self, Reopen.self, Sources.self])

  /// What a draft or a revision takes besides the section id.
  struct EditOptions: ParsableArguments {
    @Option(
      help:
        "Cite an input: INPUT or INPUT:LOCATOR — L4-9 (lines), p3-5 (PDF pages), para12 (paragraphs), #Heading/Sub. Repeatable."
    )
    var source: [String] = []
    @Option(help: "The prompt that produced this text.") var prompt: String?
    @Option(help: "The exchange (as exchange record printed its id) whose tool call produced this text.")
    var exchange: String?

    func edit(content: String?, feedback: String? = nil, title: String? = nil) throws -> SectionEdit {
      SectionEdit(
        content: content, sources: try source.map(SourceReference.init(parsing:)), prompt: prompt, feedback: feedback,
        title: title, exchange: exchange)
    }
  }

  struct Draft: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "draft",
      abstract: "Draft a section in a session (from a file, standard input, or the template's skeleton).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var id: String
    @Option(help: "The text: a file, or - for standard input.") var from: String?
    @Option(help: "The title, for a section that is not the template's.") var title: String?
    @OptionGroup var edit: EditOptions

    func run() throws {
      let project = try global.project()
      let content = try from.map { try readText($0, what: "section text", limit: Project.maxSectionTextBytes) }
      let result = try project.draftSection(
        id, session: session.required("section draft"), edit: edit.edit(content: content, title: title),
        request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { "drafted \(id) revision \(result.revision)\ncommit \(result.commit)" }
    }
  }

  struct Revise: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "revise", abstract: "Revise a section with new text and the feedback behind it.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var id: String
    @Option(help: "The new text: a file, or - for standard input.") var from: String
    @Option(help: "The feedback this revision answers.") var feedback: String?
    @OptionGroup var edit: EditOptions

    func run() throws {
      let project = try global.project()
      let result = try project.reviseSection(
        id, session: session.required("section revise"),
        edit: edit.edit(
          content: readText(from, what: "section text", limit: Project.maxSectionTextBytes), feedback: feedback),
        request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { "revised \(id) to revision \(result.revision)\ncommit \(result.commit)" }
    }
  }

  struct Commit: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "commit",
      abstract: "Mark a section committed and locked, and merge the session into main.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var id: String

    func run() throws {
      let project = try global.project()
      let result = try project.commitSection(
        id, session: session.required("section commit"), request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) {
        "committed \(id) at revision \(result.revision)\ncommit \(result.commit)"
          + (result.mainCommit.map { "\nmain   \($0)" } ?? "")
      }
      global.output.warnings(project)
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a section on main, in a session, or at a revision (a git revision or a revision number).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Argument var id: String
    @Option(help: "A git revision (commit, tag, branch) or a section revision number.") var at: String?
    @Flag(help: "Also print each cited source with its excerpt.") var sources = false

    func run() throws {
      let project = try global.project()
      let view = try project.section(id, session: session.resolved, at: at)
      let cited = sources ? try project.sectionSources(id, session: session.resolved, at: view.commit) : nil
      try global.output.emit(WithSources(view: view, sources: cited)) {
        let r = view.record
        var lines = [
          "section   \(r.sectionId) — \(r.title)",
          "status    \(r.status.rawValue), revision \(r.revision)\(r.locked ? ", locked" : "")",
          "updated   \(r.updatedAt) by \(r.updatedBy) in session \(r.session)",
        ]
        if !r.sources.isEmpty { lines.append("sources   \(r.sources.map(\.description).joined(separator: ", "))") }
        if let feedback = r.feedback { lines.append("feedback  \(feedback)") }
        for approval in view.approvals {
          lines.append(
            "approval  \(approval.tag): \(approval.decision.rawValue) by \(approval.reviewer) (revision \(approval.revision))"
          )
        }
        return lines.joined(separator: "\n") + "\n\n" + view.content.trimmingTrailingNewline
          + (cited.map { "\n\n" + Sources.describe($0) } ?? "")
      }
    }

    /// The section's JSON, with `--sources` its cited sources added as `cited_sources`.
    struct WithSources: Encodable {
      let view: SectionView
      let sources: [CitedSource]?

      enum CodingKeys: String, CodingKey { case citedSources }

      func encode(to encoder: Encoder) throws {
        try view.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(sources, forKey: .citedSources)
      }
    }
  }

  struct Sources: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sources",
      abstract: "List what supports a section: each cited input, its locator and the cited excerpt.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Argument var id: String
    @Option(help: "A git revision (commit, tag, branch) or a section revision number.") var at: String?

    func run() throws {
      let cited = try global.project().sectionSources(id, session: session.resolved, at: at)
      try global.output.emit(Wrapped(key: "sources", value: cited)) { Self.describe(cited) }
    }

    /// One block per citation: input, name and locator, then the excerpt indented.
    static func describe(_ cited: [CitedSource]) -> String {
      guard !cited.isEmpty else { return "no sources" }
      return cited.map { source in
        let name = source.name ?? "(missing input)"
        var head = "\(source.input)\(source.locator.map { ":\($0)" } ?? "")  \(name)"
        if let excerpt = source.excerpt { head += "\n    \(excerpt.isEmpty ? "(no text at this locator)" : excerpt)" }
        return head
      }.joined(separator: "\n")
    }
  }

  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "diff",
      abstract: "Diff a section's text: the latest change, REV to now, or REV to REV.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption
    @Argument var id: String
    @Argument(help: "Git revisions or section revision numbers.") var revisions: [String] = []

    func validate() throws {
      guard revisions.count <= 2 else { throw ValidationError("give at most two revisions") }
    }

    func run() throws {
      let diff = try global.project().sectionDiff(
        id, session: session.resolved, from: revisions.first, to: revisions.count > 1 ? revisions[1] : nil)
      try global.output.emit(Wrapped(key: "diff", value: diff)) { diff.trimmingTrailingNewline }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List the template's sections and any others, with their state.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOption

    func run() throws {
      let sections = try global.project().sections(session: session.resolved)
      try global.output.emit(Wrapped(key: "sections", value: sections)) {
        sections.map { s in
          let state = s.status.map { "\($0.rawValue) r\(s.revision ?? 0)\(s.locked ? " locked" : "")" } ?? "not started"
          let approval = s.approval.map { tag in
            s.approvalState == .stale ? "  (\(tag): STALE, changed since)" : "  (\(tag))"
          }
          return "\(s.sectionId.padded(to: 22)) \(state.padded(to: 24)) \(s.title)\(s.required ? "" : " (optional)")"
            + (approval ?? "")
        }.joined(separator: "\n")
      }
    }
  }

  struct Reopen: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "reopen", abstract: "Unlock a committed section in a session so it can be revised.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var id: String

    func run() throws {
      let project = try global.project()
      let result = try project.reopenSection(
        id, session: session.required("section reopen"), request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { "reopened \(id)\ncommit \(result.commit)" }
    }
  }
}
