import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One line of git's pre-receive input: a ref moving from `old` to `new` (hex ids; nil = the
/// zero id, so `old` nil is a create and `new` nil a delete).
public struct RefUpdate: Sendable, Equatable, Encodable {
  public let ref: String
  public let old: String?
  public let new: String?

  public init(ref: String, old: String?, new: String?) {
    self.ref = ref
    self.old = old
    self.new = new
  }

  /// Parses `<old> <new> <ref>` as git writes it to a pre-receive hook.
  public init(line: Substring) throws {
    let parts = line.split(separator: " ", omittingEmptySubsequences: false)
    func id(_ text: Substring) throws -> String? {
      guard let parsed = ObjectID(hex: String(text)) else {
        throw CasebookError.badInput("pre-receive input '\(Identifier.printable(String(line)))' has a bad object id")
      }
      return parsed.isZero ? nil : parsed.hex
    }
    guard parts.count == 3, !parts[2].isEmpty else {
      throw CasebookError.badInput(
        "pre-receive input '\(Identifier.printable(String(line)))' is not '<old> <new> <ref>'")
    }
    self.init(ref: String(parts[2]), old: try id(parts[0]), new: try id(parts[1]))
  }
}

/// A ref update a rule refuses: which ref, which rule (its kebab-case name), and why.
public struct ReceiveRefusal: Sendable, Equatable, Encodable, CustomStringConvertible {
  public let ref: String
  public let rule: String
  public let detail: String

  /// One line, as the hook prints it and git relays it to the pusher.
  public var description: String { "\(ref): \(rule): \(detail)" }
}

/// The rules a shared bare repository keeps against any push, plain `git push` included
/// (README, "Sharing a project through a bare repository"). Run by `casebook hooks pre-receive`.
public enum ReceiveRules {
  /// Approval tags are never moved or deleted.
  public static let approvalTagImmutable = "approval-tag-immutable"
  /// A new approval tag is an annotated tag whose name and message read as an approval.
  public static let approvalTagAnnotated = "approval-tag-annotated"
  /// Approved documents (`refs/casebook/documents/*`) are never moved or deleted.
  public static let approvalDocumentImmutable = "approval-document-immutable"
  /// A new approval tag's tagger is allowed to approve by the approved commit's approvers list.
  public static let approvalAuthorised = "approval-authorised"
  /// `main` is never deleted and moves only forward.
  public static let mainForwardOnly = "main-forward-only"
  /// Session branches are never deleted and move only forward.
  public static let sessionForwardOnly = "session-forward-only"
  /// Lock refs are never deleted and move only forward.
  public static let lockForwardOnly = "lock-forward-only"
  /// Every `*.yaml` a new commit adds or changes parses as YAML, within the reader's limits.
  public static let yamlParses = "yaml-parses"
  /// The project's own records in new commits read as those records.
  public static let recordReads = "record-reads"
  /// The push adds more commits or YAML than the hook checks.
  public static let pushWithinLimits = "push-within-limits"
  /// Where the project requires signing, every new commit and approval tag is signed.
  public static let signatureMissing = "signature-missing"
  /// A signature matches what it signs.
  public static let signatureInvalid = "signature-invalid"
  /// A signature's key is in the project's allowed signers, at the time, for who signed.
  public static let signatureSigner = "signature-signer"

  /// Every rule's name.
  public static let names = [
    approvalTagImmutable, approvalTagAnnotated, approvalDocumentImmutable, approvalAuthorised, mainForwardOnly,
    sessionForwardOnly, lockForwardOnly, yamlParses, recordReads, pushWithinLimits, signatureMissing, signatureInvalid,
    signatureSigner,
  ]

  /// How much one push may ask the hook to read.
  public struct Limits: Sendable, Equatable {
    /// New commits walked, over all pushed refs.
    public var maxNewCommits: Int
    /// Bytes of YAML read, over the whole push (each file is also bounded by the YAML reader's
    /// 8 MiB).
    public var maxYAMLBytes: Int

    public init(maxNewCommits: Int = 100_000, maxYAMLBytes: Int = 1 << 30) {
      self.maxNewCommits = maxNewCommits
      self.maxYAMLBytes = maxYAMLBytes
    }
  }

  /// Opens the repository as a hook must (`path` nil: from git's environment, where the pushed
  /// objects are in quarantine) and checks `updates`; empty when the push may go ahead.
  public static func check(_ updates: [RefUpdate], repository path: String? = nil, limits: Limits = Limits()) throws
    -> [ReceiveRefusal]
  {
    let repository = try Repository.openFromEnvironment(at: path)
    return try check(updates, in: repository, limits: limits)
  }

  /// The YAML rules over every commit reachable from any reference (for `casebook verify`); each
  /// refusal's `ref` is the commit it was found in.
  static func checkHistory(in repository: Repository, commits: [ObjectID]) throws -> [ReceiveRefusal] {
    var checker = Checker(repository: repository, limits: Limits(maxNewCommits: Int.max, maxYAMLBytes: Int.max))
    for commit in commits { try checker.checkCommit(commit, ref: commit.hex) }
    return checker.refusals
  }

  static func check(_ updates: [RefUpdate], in repository: Repository, limits: Limits) throws -> [ReceiveRefusal] {
    for update in updates {
      for hex in [update.old, update.new].compactMap(\.self) where ObjectID(hex: hex) == nil {
        throw CasebookError.badInput(
          "'\(Identifier.printable(hex))' (for \(Identifier.printable(update.ref))) is not an object id")
      }
    }
    var checker = Checker(repository: repository, limits: limits)
    // Lock histories, documents and tags are held to main's signing policy as of their time:
    // main as this push leaves it.
    let main = updates.first { $0.ref == Layout.main }.map { $0.new.flatMap(ObjectID.init(hex:)) }
    checker.signatures = try SignatureCheck(
      repository: repository, main: main ?? repository.referenceTarget(Layout.main))
    for update in updates { try checker.checkRef(update) }
    for update in updates { try checker.checkNewCommits(update) }
    return checker.refusals
  }
}

/// The YAML reader's limits, as the store reads records back (8 MiB, depth 64, …).
private let readerLimits = Limits.default

/// One push's check: the refusals found so far and what the limits have left.
private struct Checker {
  let repository: Repository
  let limits: ReceiveRules.Limits
  var refusals: [ReceiveRefusal] = []
  /// New commits already checked (through an earlier ref of the push).
  var seen: Set<ObjectID> = []
  /// Files already checked, as "<kind> <blob>".
  var checked: Set<String> = []
  var commitsLeft: Int
  var bytesLeft: Int
  var overLimit = false
  /// Signatures of new commits and approval tags, checked in a push (not in `verify`'s history
  /// walk, which checks them itself).
  var signatures: SignatureCheck?

  init(repository: Repository, limits: ReceiveRules.Limits) {
    self.repository = repository
    self.limits = limits
    commitsLeft = limits.maxNewCommits
    bytesLeft = limits.maxYAMLBytes
  }

  mutating func refuse(_ ref: String, _ rule: String, _ detail: String) {
    // One line each: git relays every line as "remote: ...".
    let line = detail.replacingEvery("\r", with: " ").replacingEvery("\n", with: " ")
    refusals.append(ReceiveRefusal(ref: ref, rule: rule, detail: line))
  }

  /// The rules of the ref itself: approval tags, main, sessions, locks.
  mutating func checkRef(_ update: RefUpdate) throws {
    let ref = update.ref
    let old = update.old.flatMap(ObjectID.init(hex:))
    let new = update.new.flatMap(ObjectID.init(hex:))
    if ref.hasPrefix("refs/tags/" + Layout.approvalTagPrefix) {
      if old != nil {
        refuse(
          ref, ReceiveRules.approvalTagImmutable,
          new == nil ? "approval tags are never deleted" : "approval tags are never moved (it points at \(old!.hex))")
      } else if let new {
        try checkNewApproval(ref, new)
      }
    } else if ref.hasPrefix(Layout.documentPrefix), old != nil {
      refuse(
        ref, ReceiveRules.approvalDocumentImmutable,
        new == nil
          ? "approved documents are never deleted" : "approved documents are never moved (it points at \(old!.hex))")
    } else if ref == Layout.main {
      try forwardOnly(ref, old, new, ReceiveRules.mainForwardOnly, what: "main")
    } else if ref.hasPrefix(Layout.sessionPrefix) {
      try forwardOnly(ref, old, new, ReceiveRules.sessionForwardOnly, what: "a session branch")
    } else if ref.hasPrefix(Layout.lockPrefix) {
      try forwardOnly(ref, old, new, ReceiveRules.lockForwardOnly, what: "a lock ref")
    }
  }

  private mutating func checkNewApproval(_ ref: String, _ new: ObjectID) throws {
    let name = String(ref.dropFirst("refs/tags/".count))
    guard let tag = try repository.annotatedTag(id: new) else {
      refuse(ref, ReceiveRules.approvalTagAnnotated, "an approval tag must be an annotated tag, not a lightweight one")
      return
    }
    let approval: Approval
    do {
      guard let read = try Approval(tag: name, message: tag.message) else {
        refuse(ref, ReceiveRules.approvalTagAnnotated, "the name is not approved/<section>/v<N>")
        return
      }
      approval = read
    } catch {
      refuse(ref, ReceiveRules.approvalTagAnnotated, error.explanation)
      return
    }
    try checkApprover(ref, approval, tag: tag)
    for problem in try signatures?.check(tag) ?? [] { refuse(ref, problem.rule, problem.detail) }
  }

  /// The tagger must be allowed to approve by the approvers list of the commit approved
  /// (`settings.approvers` of its `casebook.yaml`; none listed: anyone).
  private mutating func checkApprover(_ ref: String, _ approval: Approval, tag: AnnotatedTag) throws {
    guard try repository.objectType(tag.target) == .commit else { return }
    let tree = try repository.treeID(ofCommit: tag.target)
    guard let config = try repository.entry(at: Layout.config, inTree: tree), config.kind == .blob,
      try repository.blobSize(config.id) <= readerLimits.maxDocumentBytes,
      let map = try? YAML.parse(repository.blob(config.id), limits: readerLimits).mapping,
      let settings = try? ProjectSettings(map), !settings.approvers.isEmpty
    else { return }
    let gate =
      (try? repository.entry(at: Layout.profile, inTree: tree)).flatMap { $0 }.flatMap {
        try? YAML.parse(repository.blob($0.id), limits: readerLimits)["gate_stage"]?.string
      } ?? approval.gateStage
    let actor = tag.tagger?.name ?? approval.recordedBy
    guard
      settings.approvers.contains(where: {
        $0.user == actor && $0.allows(section: approval.section, role: approval.reviewer, gate: gate)
      })
    else {
      refuse(
        ref, ReceiveRules.approvalAuthorised,
        "\(actor) may not approve \(approval.section) as \(approval.reviewer) at \(gate) (settings.approvers of the approved commit)"
      )
      return
    }
  }

  private mutating func forwardOnly(_ ref: String, _ old: ObjectID?, _ new: ObjectID?, _ rule: String, what: String)
    throws
  {
    guard let old else { return }
    guard let new else {
      refuse(ref, rule, "\(what) is never deleted")
      return
    }
    guard try repository.objectType(new) == .commit else {
      refuse(ref, rule, "\(what) must point at a commit")
      return
    }
    guard try repository.objectType(old) == .commit, try repository.isDescendant(new, of: old) else {
      refuse(
        ref, rule,
        "\(what) moves only forward: \(new.hex.prefix(12)) does not descend from \(old.hex.prefix(12)) (a rewind or a rewrite)"
      )
      return
    }
  }

  /// The YAML rules, over the commits this ref brings that the repository does not have.
  mutating func checkNewCommits(_ update: RefUpdate) throws {
    guard !overLimit, let new = update.new.flatMap(ObjectID.init(hex:)) else { return }
    let (commits, more) = try repository.newCommits(from: [new], limit: commitsLeft + seen.count)
    let fresh = commits.filter { !seen.contains($0) }
    if more || fresh.count > commitsLeft {
      overLimit = true
      refuse(
        update.ref, ReceiveRules.pushWithinLimits,
        "the push adds more than \(limits.maxNewCommits) commits, more than the hook checks; push it in parts")
      return
    }
    commitsLeft -= fresh.count
    for commit in fresh {
      seen.insert(commit)
      try checkCommit(commit, ref: update.ref)
      if overLimit { return }
    }
  }

  /// The `*.yaml` files `commit` adds or changes: those whose blob differs from every parent's
  /// (a merge that takes a file unchanged from one side did not change it).
  mutating func checkCommit(_ id: ObjectID, ref: String) throws {
    let commit = try repository.commit(id)
    for problem in try signatures?.check(commit) ?? [] {
      refuse(ref, problem.rule, "commit \(id.hex.prefix(12)): \(problem.detail)")
    }
    let parentTrees = try commit.parents.map { try repository.treeID(ofCommit: $0) }
    var changes = try repository.changedPaths(from: parentTrees.first, to: commit.tree).filter {
      $0.new != nil && $0.path.hasSuffix(".yaml")
    }
    for tree in parentTrees.dropFirst() where !changes.isEmpty {
      changes = try changes.filter { try repository.entry(at: $0.path, inTree: tree)?.id != $0.new }
    }
    for change in changes {
      try checkFile(change.path, blob: change.new!, commit: commit, ref: ref)
      if overLimit { return }
    }
  }

  private mutating func checkFile(_ path: String, blob: ObjectID, commit: Commit, ref: String) throws {
    let record = RecordKind(path)
    guard checked.insert("\(record.map { "\($0)" } ?? "yaml") \(blob.hex)").inserted else { return }
    let at = "\(path) in commit \(commit.id.hex.prefix(12))"
    let size: Int
    do { size = try repository.blobSize(blob) } catch is GitError {
      refuse(ref, ReceiveRules.yamlParses, "\(at) is not a file (a submodule?)")
      return
    }
    guard size <= readerLimits.maxDocumentBytes else {
      refuse(
        ref, ReceiveRules.yamlParses,
        "\(at) is \(size) bytes, more than the YAML limit of \(System.describe(bytes: readerLimits.maxDocumentBytes))")
      return
    }
    guard size <= bytesLeft else {
      overLimit = true
      refuse(
        ref, ReceiveRules.pushWithinLimits,
        "the push adds more than \(System.describe(bytes: limits.maxYAMLBytes)) of YAML, more than the hook checks; push it in parts"
      )
      return
    }
    bytesLeft -= size
    let node: Node
    do { node = try YAML.parse(repository.blob(blob), limits: readerLimits) } catch let error as YAMLError {
      refuse(ref, ReceiveRules.yamlParses, "\(at) does not parse: \(error.explanation)")
      return
    }
    guard let record else { return }
    do {
      try record.read(node, path: path, commit: commit, in: repository)
    } catch let error as CasebookError {
      refuse(ref, ReceiveRules.recordReads, "\(at) does not read as \(record.description): \(error.explanation)")
    }
  }
}

/// The project's records the hook reads as the store would, by path.
private enum RecordKind: CustomStringConvertible {
  case settings, profile, session, section, inputMeta, lock

  init?(_ path: String) {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    switch parts.count {
    case 1 where path == Layout.config: self = .settings
    case 1 where path == Layout.profile: self = .profile
    case 1 where path == "lock.yaml": self = .lock
    // `sessions/<id>.conflicts.yaml` is a conflict list, not a session record.
    case 2 where parts[0] == "sessions" && !parts[1].dropLast(".yaml".count).contains("."): self = .session
    case 2 where parts[0] == "sections": self = .section
    case 3 where parts[0] == "inputs" && parts[2] == "meta.yaml": self = .inputMeta
    default: return nil
    }
  }

  var description: String {
    switch self {
    case .settings: "the project's settings"
    case .profile: "a project profile"
    case .session: "a session record"
    case .section: "a section record"
    case .inputMeta: "an input record"
    case .lock: "a lock record"
    }
  }

  /// Reads `node` as this record; throws the store's own refusal when it does not.
  func read(_ node: Node, path: String, commit: Commit, in repository: Repository) throws {
    guard let map = node.mapping else { throw CasebookError.repository("not a YAML mapping") }
    switch self {
    case .settings: _ = try ProjectSettings(map)
    case .session: _ = try SessionRecord(map, path: path)
    case .section: _ = try SectionRecord(map, path: path)
    case .inputMeta: _ = try InputRecord(map, path: path)
    case .lock: _ = try SectionLock(map, path: path)
    case .profile:
      // The schema, against the project id of the same commit's settings (when they read).
      let config = try repository.entry(at: Layout.config, inTree: commit.tree)
      guard let config, config.kind == .blob, try repository.blobSize(config.id) <= readerLimits.maxDocumentBytes,
        let map = try? YAML.parse(repository.blob(config.id), limits: readerLimits).mapping,
        let settings = try? ProjectSettings(map)
      else { return }
      try ProfileSchema.validate(node, projectID: settings.projectID)
    }
  }
}
