import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A configured remote, as `remote list` shows it.
public struct RemoteSummary: Encodable, Sendable {
  public let name: String
  /// The URL with any password taken out.
  public let url: String
  public let fetch: [String]
}

/// What the remote has not confirmed yet, for `casebook status` (README, "Working as a team").
public struct RemoteStatus: Encodable, Sendable {
  public struct Branch: Encodable, Sendable {
    public let ref: String
    /// Commits here that the remote has not confirmed, and commits there not here yet.
    public let ahead: Int
    public let behind: Int
  }

  public let remote: String
  public let url: String
  /// Whether this clone has fetched from the remote at least once.
  public let fetched: Bool
  public let main: Branch?
  /// Session branches that differ from the remote's.
  public let sessions: [Branch]
  /// Approval tags the remote does not have yet.
  public let unpushedTags: [String]
  /// Approved documents (`refs/casebook/documents/<section>/v<N>`) the remote does not have yet.
  public let unpushedDocuments: [String]
  /// Lock refs whose latest change the remote has not confirmed.
  public let unconfirmedLocks: [String]
  public var confirmed: Bool {
    (main.map { $0.ahead == 0 } ?? true) && sessions.allSatisfy { $0.ahead == 0 } && unpushedTags.isEmpty
      && unpushedDocuments.isEmpty
      && unconfirmedLocks.isEmpty
  }

  enum CodingKeys: String, CodingKey {
    case remote, url, fetched, main, sessions, unpushedTags, unpushedDocuments, unconfirmedLocks, confirmed
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(remote, forKey: .remote)
    try container.encode(url, forKey: .url)
    try container.encode(fetched, forKey: .fetched)
    try container.encode(main, forKey: .main)
    try container.encode(sessions, forKey: .sessions)
    try container.encode(unpushedTags, forKey: .unpushedTags)
    try container.encode(unpushedDocuments, forKey: .unpushedDocuments)
    try container.encode(unconfirmedLocks, forKey: .unconfirmedLocks)
    try container.encode(confirmed, forKey: .confirmed)
  }
}

extension Project {
  /// The configured remotes.
  public func remotes() throws -> [RemoteSummary] {
    try repository.remotes().map {
      RemoteSummary(name: $0.name, url: RemoteLayout.redacted($0.url), fetch: $0.fetchRefspecs)
    }
  }

  /// Adds remote `name` at `url` with Casebook's fetch refspecs. A URL holding a password is
  /// refused: credentials belong in a credential helper or the environment, never in config.
  public func addRemote(_ name: String, url: String) throws -> RemoteSummary {
    try Self.checkRemote(name: name, url: url)
    if try repository.remote(named: name) != nil {
      throw CasebookError.conflict("a remote named '\(name)' already exists; remove it first or choose another name")
    }
    do {
      try repository.addRemote(name: name, url: url, fetchRefspecs: RemoteLayout.fetchRefspecs(name))
    } catch let error as GitError {
      throw CasebookError.badInput("cannot add remote '\(name)': \(error.message)")
    }
    return RemoteSummary(name: name, url: url, fetch: RemoteLayout.fetchRefspecs(name))
  }

  /// Removes remote `name`, its config and its remote-tracking refs; local refs are untouched.
  public func removeRemote(_ name: String) throws {
    guard Repository.isValidRemoteName(name), try repository.remote(named: name) != nil else {
      throw CasebookError.notFound("no remote named '\(Identifier.printable(name))'")
    }
    try repository.deleteRemote(name: name)
    if let marker = try repository.referenceTarget("refs/casebook/sync/\(name)") {
      try? repository.deleteReference("refs/casebook/sync/\(name)", expected: marker)
    }
  }

  static func checkRemote(name: String, url: String) throws {
    guard Repository.isValidRemoteName(name), !name.hasPrefix("-") else {
      throw CasebookError.badInput("'\(Identifier.printable(name))' is not a valid remote name")
    }
    guard !url.isEmpty, !url.hasPrefix("-"), !url.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
      throw CasebookError.badInput("'\(Identifier.printable(url))' is not a valid remote URL")
    }
    guard !RemoteLayout.hasPassword(url) else {
      throw CasebookError.badInput(
        "the URL \(RemoteLayout.redacted(url)) holds a password, which would be stored in the repository's config; give the URL without it and keep the password in a git credential helper or CASEBOOK_HTTP_PASSWORD"
      )
    }
  }

  /// Per remote, what it has not confirmed, from the remote-tracking refs of the last fetch or
  /// push (no network).
  public func remoteStatus() throws -> [RemoteStatus] {
    try repository.remotes().map { remote in
      let prefix = RemoteLayout.trackingPrefix(remote.name)
      let trackedMain = try repository.referenceTarget(prefix + "main")
      func branch(_ ref: String) throws -> RemoteStatus.Branch? {
        guard let tip = try repository.referenceTarget(ref),
          let tracking = RemoteLayout.tracking(ref, remote: remote.name)
        else { return nil }
        guard let remoteTip = try repository.referenceTarget(tracking) else {
          return RemoteStatus.Branch(ref: ref, ahead: try repository.log(from: tip, limit: 100_000).count, behind: 0)
        }
        let (ahead, behind) = try repository.aheadBehind(tip, remoteTip)
        return RemoteStatus.Branch(ref: ref, ahead: ahead, behind: behind)
      }
      var sessions: [RemoteStatus.Branch] = []
      for (ref, _) in try repository.references(glob: Layout.sessionPrefix + "*") {
        if let status = try branch(ref), status.ahead + status.behind > 0 { sessions.append(status) }
      }
      for (tracking, _) in try repository.references(glob: prefix + "sessions/*") {
        guard let local = RemoteLayout.local(tracking, remote: remote.name),
          try repository.referenceTarget(local) == nil,
          let remoteTip = try repository.referenceTarget(tracking)
        else { continue }
        sessions.append(
          RemoteStatus.Branch(ref: local, ahead: 0, behind: try repository.log(from: remoteTip, limit: 100_000).count))
      }
      let pending = try unconfirmed(remote.name)
      return RemoteStatus(
        remote: remote.name, url: RemoteLayout.redacted(remote.url), fetched: trackedMain != nil,
        main: try branch(Layout.main), sessions: sessions,
        unpushedTags: pending.filter { $0.ref.hasPrefix("refs/tags/") }.map {
          String($0.ref.dropFirst("refs/tags/".count))
        },
        unpushedDocuments: pending.filter { $0.ref.hasPrefix(Layout.documentPrefix) }.map {
          String($0.ref.dropFirst(Layout.documentPrefix.count))
        },
        unconfirmedLocks: pending.filter { $0.ref.hasPrefix(Layout.lockPrefix) }.map {
          String($0.ref.dropFirst(Layout.lockPrefix.count))
        })
    }
  }

  /// Clones the project at `url` into `path` (which must not exist or be an empty folder): a
  /// working tree on main, the remote as `origin` with Casebook's refspecs, the merge driver
  /// registered, and the remote's sessions, approval tags and locks as local refs. On failure
  /// nothing is left behind.
  public static func clone(
    _ url: String, to path: String, progress: TransferProgress, now: @escaping @Sendable () -> Date = { Date() }
  ) throws -> Project {
    try checkRemote(name: "origin", url: url)
    let created: Bool
    switch System.kind(path) {
    case nil: created = true
    case .folder?:
      guard (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true else {
        throw CasebookError.conflict("\(path) already exists and is not an empty folder; nothing was cloned")
      }
      created = false
    default: throw CasebookError.conflict("\(path) already exists; nothing was cloned")
    }
    do {
      let repository = try Repository.create(at: path, bare: false)
      try repository.addRemote(name: "origin", url: url, fetchRefspecs: RemoteLayout.fetchRefspecs("origin"))
      try registerMergeDriver(repository)
      let transport = GitTransport(repository: repository.gitDirectory, progress: progress)
      let outcome = try transport.run(
        ["fetch", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules"] + transport.progressFlag + ["origin"]
      )
      guard outcome.status == 0 else {
        throw remoteError("cannot clone \(RemoteLayout.redacted(url))", outcome)
      }
      guard let main = try repository.referenceTarget("refs/remotes/origin/main") else {
        throw CasebookError.notFound("\(RemoteLayout.redacted(url)) is not a Casebook project: it has no main branch")
      }
      try repository.updateReference(Layout.main, to: main, expected: nil, message: "casebook: clone")
      let project = try Project(repository: repository, now: now)
      project.updateWorkingTree(from: nil, to: main)
      var report = SyncReport(remote: "origin", url: RemoteLayout.redacted(url))
      try project.integrateBranches("origin", prefix: Layout.sessionPrefix, report: &report)
      try project.integrateTags("origin", report: &report)
      try project.integrateLocks("origin", report: &report, by: User("casebook-clone"))
      return project
    } catch {
      // Everything under `path` is this clone's: take it away again, keeping a folder that was there.
      if created {
        try? FileManager.default.removeItem(atPath: path)
      } else {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
          try? FileManager.default.removeItem(atPath: System.join(path, name))
        }
      }
      throw error
    }
  }
}
