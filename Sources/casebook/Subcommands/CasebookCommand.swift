import ArgumentParser

/// The `casebook` command: session memory for drafting business cases, kept in git.
struct CasebookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "casebook",
    abstract: "Session memory for AI-assisted business cases, kept in a git repository.",
    discussion: """
      Global options (--repo, --json, --user) may come before or after the command.
      Exit codes: 0 ok, 1 bad input, 2 not found, 3 conflict, 4 repository error, 5 remote error, 64 usage.
      """,
    version: "0.1.0",
    subcommands: [
      InitCommand.self, ProfileCommand.self, SessionCommand.self, InputCommand.self, SectionCommand.self,
      ComposeCommand.self, ApproveCommand.self, ExchangeCommand.self, LogCommand.self, AuditCommand.self,
      MergeYAMLCommand.self, ExportCommand.self, TemplateCommand.self, GateCommand.self, ResolveCommand.self,
      LockCommand.self, UnlockCommand.self, DoctorCommand.self, BlameCommand.self, TokensCommand.self,
      ContextCommand.self, RollbackCommand.self, CloneCommand.self, RemoteCommand.self, SyncCommand.self,
      StatusCommand.self, HooksCommand.self, ApprovalsCommand.self, ApproverCommand.self, SignerCommand.self,
      VerifyCommand.self, ServeCommand.self, MCPCommand.self,
    ])
}
