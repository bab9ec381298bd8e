internal import CGit2

/// A remote as the repository's config names it.
public struct RemoteInfo: Sendable, Equatable {
  public let name: String
  public let url: String
  /// Its fetch refspecs, in config order.
  public let fetchRefspecs: [String]
}

extension Repository {
  /// The configured remotes, by name.
  public func remotes() throws -> [RemoteInfo] {
    var names = git_strarray()
    try check(git_remote_list(&names, handle), "git_remote_list")
    defer { git_strarray_dispose(&names) }
    var result: [RemoteInfo] = []
    for index in 0..<names.count {
      guard let name = names.strings[index] else { continue }
      if let remote = try remote(named: String(cString: name)) { result.append(remote) }
    }
    return result
  }

  /// The remote of this name; nil when there is none.
  public func remote(named name: String) throws -> RemoteInfo? {
    var remote: OpaquePointer?
    let rc = git_remote_lookup(&remote, handle, name)
    if rc == GIT_ENOTFOUND.rawValue {
      git_error_clear()
      return nil
    }
    try check(rc, "git_remote_lookup")
    defer { git_remote_free(remote) }
    var specs = git_strarray()
    try check(git_remote_get_fetch_refspecs(&specs, remote), "git_remote_get_fetch_refspecs")
    defer { git_strarray_dispose(&specs) }
    let fetch = (0..<specs.count).compactMap { specs.strings[$0].map { String(cString: $0) } }
    return RemoteInfo(name: name, url: git_remote_url(remote).map { String(cString: $0) } ?? "", fetchRefspecs: fetch)
  }

  /// Whether git accepts `name` as a remote name.
  public static func isValidRemoteName(_ name: String) -> Bool {
    Library.ensureInitialized()
    var valid: Int32 = 0
    return git_remote_name_is_valid(&valid, name) == 0 && valid != 0
  }

  /// Adds a remote with these fetch refspecs (the first replaces git's default one).
  public func addRemote(name: String, url: String, fetchRefspecs: [String]) throws {
    var remote: OpaquePointer?
    try check(
      git_remote_create_with_fetchspec(&remote, handle, name, url, fetchRefspecs.first),
      "git_remote_create_with_fetchspec")
    git_remote_free(remote)
    for spec in fetchRefspecs.dropFirst() {
      try check(git_remote_add_fetch(handle, name, spec), "git_remote_add_fetch")
    }
  }

  /// Removes a remote, its config and its remote-tracking references (`refs/remotes/<name>/`).
  public func deleteRemote(name: String) throws {
    for (ref, target) in try references(glob: "refs/remotes/\(name)/*") {
      try deleteReference(ref, expected: target)
    }
    // libgit2 1.5's git_remote_delete stops at a remote with more than one fetch refspec ("entry
    // is not unique due to being a multivar"): the refspecs go first.
    var config: OpaquePointer?
    try check(git_repository_config(&config, handle), "git_repository_config")
    defer { git_config_free(config) }
    let rc = git_config_delete_multivar(config, "remote.\(name).fetch", ".*")
    if rc == GIT_ENOTFOUND.rawValue { git_error_clear() } else { try check(rc, "git_config_delete_multivar") }
    try check(git_remote_delete(handle, name), "git_remote_delete")
  }
}

extension Repository {
  /// How many commits `local` has that `upstream` has not, and the other way round.
  public func aheadBehind(_ local: ObjectID, _ upstream: ObjectID) throws -> (ahead: Int, behind: Int) {
    var ahead = 0
    var behind = 0
    var localOid = local.oid
    var upstreamOid = upstream.oid
    try check(git_graph_ahead_behind(&ahead, &behind, handle, &localOid, &upstreamOid), "git_graph_ahead_behind")
    return (ahead, behind)
  }
}
