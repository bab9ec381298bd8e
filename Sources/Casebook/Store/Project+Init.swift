import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What `init` needs.
public struct InitOptions: Sendable {
  public var path: String
  public var template: Template
  public var projectID: String
  public var title: String
  public var user: User
  public var bare: Bool

  public init(path: String, template: Template, projectID: String, title: String, user: User, bare: Bool = false) {
    self.path = path
    self.template = template
    self.projectID = projectID
    self.title = title
    self.user = user
    self.bare = bare
  }
}

/// What `init` reports.
public struct InitResult: Sendable, Encodable {
  public let path: String
  public let projectId: String
  public let template: String
  public let commit: String
}

extension Project {
  /// Creates a new project: a git repository whose first commit on main holds `casebook.yaml`,
  /// the profile stub from the template and `.gitattributes` for the YAML merge driver.
  /// Everything is validated before anything is created.
  public static func initialize(_ options: InitOptions, now: @escaping @Sendable () -> Date = { Date() }) throws -> (
    Project, InitResult
  ) {
    let projectID = try Identifier.project(options.projectID)
    let title = options.title.trimmingWhitespace()
    guard !title.isEmpty, !title.contains("\n") else {
      throw CasebookError.badInput("--title must be one non-empty line")
    }
    let fm = FileManager.default
    let existing = System.kind(options.path)
    let existed = existing != nil
    if existed {
      guard existing == .folder else { throw CasebookError.badInput("\(options.path) exists and is not a folder") }
      let contents = (try? fm.contentsOfDirectory(atPath: options.path)) ?? []
      guard contents.isEmpty else {
        throw CasebookError.badInput("\(options.path) is not empty; init needs a new or empty folder")
      }
    }
    var profile = Mapping()
    profile["project_id"] = .string(projectID)
    profile["project_title"] = .string(title)
    profile["gate_stage"] = .string(options.template.gateStage)
    profile["stakeholders"] = .sequence([])
    profile["key_risks"] = .sequence([])
    profile["strategic_alignment"] = .sequence([])
    for (key, value) in options.template.profile where profile[key] == nil { profile[key] = value }
    try ProfileSchema.validate(.mapping(profile), projectID: projectID)
    let settings = ProjectSettings(projectID: projectID, template: options.template)

    // A failed init leaves no half-made project behind: the folder goes if init made it, and
    // an empty folder that was given is emptied again.
    do {
      return try create(options, projectID: projectID, title: title, profile: profile, settings: settings, now: now)
    } catch {
      if existed {
        for name in (try? fm.contentsOfDirectory(atPath: options.path)) ?? [] {
          try? fm.removeItem(atPath: System.join(options.path, name))
        }
      } else {
        try? fm.removeItem(atPath: options.path)
      }
      throw error
    }
  }

  private static func create(
    _ options: InitOptions, projectID: String, title: String, profile: Mapping, settings: ProjectSettings,
    now: @escaping @Sendable () -> Date
  ) throws -> (Project, InitResult) {
    let repository: Repository
    do {
      repository = try Repository.create(at: options.path, bare: options.bare, initialBranch: "main")
    } catch let error as GitError {
      throw CasebookError.repository("cannot create a repository at \(options.path): \(error.message)")
    }
    // Plain `git merge` of two sessions gets the same structural YAML merge once the driver
    // is registered (README: "Merging with plain git").
    try registerMergeDriver(repository)

    var pending = PendingChange(repository: repository, records: ParsedRecords())
    try pending.put(Layout.config, yaml: settings.node)
    try pending.put(Layout.profile, yaml: .mapping(profile))
    try pending.put(Layout.gitattributes, text: "*.yaml merge=casebook-yaml\n*.md text\n")
    let tree = try repository.buildTree(base: nil, changes: pending.changes)
    let message = CommitMessage(
      summary: "start project \(projectID) from template \(options.template.id)",
      body: "\(title)\n\(options.template.title)", action: "init-project", user: options.user.id,
      extra: [("Casebook-Project", projectID), ("Casebook-Template", options.template.id)])
    let signature = Signature(name: options.user.id, email: options.user.email, time: now())
    let signer = try CommitSigner.configured(repository, identity: "\(options.user.id) <\(options.user.email)>").commits
    let commit = try repository.createCommit(
      tree: tree, parents: [], author: signature, committer: signature, message: message.text, sign: signer?.sign)
    try repository.setReflogIdentity(name: options.user.id, email: options.user.email)
    try repository.updateReference(Layout.main, to: commit, expected: nil, message: "casebook: init")
    let project = try Project(repository: repository, now: now)
    project.updateWorkingTree(from: nil, to: commit)
    return (
      project,
      InitResult(path: project.path, projectId: projectID, template: options.template.id, commit: commit.hex)
    )
  }
}

extension Project {
  /// Registers the structural YAML merge driver in the repository's own config (git copies no
  /// config with a clone, so `init` and `clone` both do this).
  static func registerMergeDriver(_ repository: Repository) throws {
    try repository.setConfigString("merge.casebook-yaml.name", "Casebook structural YAML merge")
    try repository.setConfigString("merge.casebook-yaml.driver", "casebook merge-yaml %O %A %B %P")
  }
}
