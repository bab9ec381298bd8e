internal import CGit2

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A remote as the repository's config names it.
public struct RemoteInfo: Sendable, Equatable {
  public let name: String
  public let url: String
  /// Its fetch refspecs, in config order.
  public let fetchRefspecs: [String]
}

/// What a transport asks for when the server wants to know who is connecting.
public struct CredentialRequest: Sendable {
  /// The URL being connected to, as configured (it may hold a user name, never a password:
  /// Casebook refuses remote URLs with one).
  public let url: String
  /// The user name in the URL, if any.
  public let usernameFromURL: String?
  /// Which kinds of credential the transport accepts.
  public let acceptsUserPassword: Bool
  public let acceptsSSHKey: Bool
  public let acceptsUsername: Bool
  /// How many credentials were already offered in this operation (0 on the first call): the
  /// server refused each of them.
  public let attempt: Int
}

/// A credential to answer a `CredentialRequest` with. Values are handed to libgit2 and dropped;
/// nothing here is written anywhere.
public enum Credential: Sendable {
  case userPassword(username: String, password: String)
  /// An SSH private key file (the public key next to it, `<key>.pub`, if present).
  case sshKeyFile(username: String, privateKey: String, publicKey: String?, passphrase: String?)
  /// The keys of the running ssh-agent (`SSH_AUTH_SOCK`).
  case sshAgent(username: String)
  /// Only a user name (SSH asks for it first when the URL has none).
  case username(String)
}

/// How far a fetch or push is.
public struct TransferProgress: Sendable, Equatable {
  public enum Phase: Sendable, Equatable {
    case receiving, indexing, sending
  }
  public var phase: Phase
  public var objects: Int
  public var totalObjects: Int
  public var bytes: Int
}

/// Callbacks for one network operation; all run on the calling thread, during the call.
public struct TransferCallbacks {
  /// Answers the server's request for credentials; nil when there is nothing (more) to offer,
  /// which ends the operation with an `.auth` error.
  public var credentials: (CredentialRequest) -> Credential?
  /// Reports progress; called often (throttle before printing).
  public var progress: ((TransferProgress) -> Void)?
  /// Text the server sends on its side band ("remote: ..." lines, hook refusals among them).
  public var serverMessage: ((String) -> Void)?

  public init(
    credentials: @escaping (CredentialRequest) -> Credential? = { _ in nil },
    progress: ((TransferProgress) -> Void)? = nil, serverMessage: ((String) -> Void)? = nil
  ) {
    self.credentials = credentials
    self.progress = progress
    self.serverMessage = serverMessage
  }
}

/// A reference the server advertises.
public struct RemoteHead: Sendable, Equatable {
  public let name: String
  public let target: ObjectID
}

/// The server's answer for one pushed reference: nil `rejection` when it took the update.
public struct PushedReference: Sendable, Equatable {
  public let name: String
  public let rejection: String?

  public init(name: String, rejection: String?) {
    self.name = name
    self.rejection = rejection
  }
}

/// The payload libgit2 hands back to the C callbacks.
private final class TransferState {
  var callbacks: TransferCallbacks
  var attempts = 0
  /// Set when the credential callback had nothing more to offer.
  var credentialsExhausted = false
  var pushed: [PushedReference] = []
  var lastProgress: TransferProgress?

  init(_ callbacks: TransferCallbacks) { self.callbacks = callbacks }
}

extension Repository {
  // MARK: - Config

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

  // MARK: - Network

  /// The references the remote (a configured name, or a URL) advertises.
  public func listRemote(_ remote: String, callbacks: TransferCallbacks) throws -> [RemoteHead] {
    try withRemote(remote, callbacks) { remote, state, gitCallbacks in
      var gitCallbacks = gitCallbacks
      try checkTransfer(
        git_remote_connect(remote, GIT_DIRECTION_FETCH, &gitCallbacks, nil, nil), "git_remote_connect", state)
      defer { git_remote_disconnect(remote) }
      var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
      var count = 0
      try check(git_remote_ls(&heads, &count, remote), "git_remote_ls")
      return (0..<count).compactMap { index in
        guard let head = heads?[index]?.pointee, let name = head.name else { return nil }
        return RemoteHead(name: String(cString: name), target: ObjectID(head.oid))
      }
    }
  }

  /// Fetches with these refspecs (no tag following, no FETCH_HEAD, no pruning) and moves the
  /// local references they name, logging `reflogMessage`.
  public func fetch(
    _ remote: String, refspecs: [String], reflogMessage: String, callbacks: TransferCallbacks
  ) throws {
    try withRemote(remote, callbacks) { remote, state, gitCallbacks in
      var options = git_fetch_options()
      try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
      options.callbacks = gitCallbacks
      options.prune = GIT_FETCH_NO_PRUNE
      options.update_fetchhead = 0
      options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
      try withStringArray(refspecs) { specs in
        try checkTransfer(git_remote_fetch(remote, &specs, &options, reflogMessage), "git_remote_fetch", state)
      }
    }
  }

  /// Pushes these refspecs and returns the server's answer for each reference. Throws when the
  /// push as a whole failed (connection, authentication, a non-fast-forward libgit2 saw before
  /// sending); a reference the server refused is a `rejection`, not a throw.
  public func push(_ remote: String, refspecs: [String], callbacks: TransferCallbacks) throws -> [PushedReference] {
    try withRemote(remote, callbacks) { remote, state, gitCallbacks in
      var options = git_push_options()
      try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init")
      options.callbacks = gitCallbacks
      try withStringArray(refspecs) { specs in
        try checkTransfer(git_remote_push(remote, &specs, &options), "git_remote_push", state)
      }
      return state.pushed
    }
  }

  /// Runs `body` with the remote (a configured name, or a URL as an anonymous remote) and
  /// libgit2 callbacks wired to `callbacks` through a `TransferState`, which lives until `body`
  /// returns.
  private func withRemote<T>(
    _ nameOrURL: String, _ callbacks: TransferCallbacks,
    _ body: (OpaquePointer, TransferState, git_remote_callbacks) throws -> T
  ) throws -> T {
    var remote: OpaquePointer?
    let rc = git_remote_lookup(&remote, handle, nameOrURL)
    if rc == GIT_ENOTFOUND.rawValue || rc == GIT_EINVALIDSPEC.rawValue {
      git_error_clear()
      try check(git_remote_create_anonymous(&remote, handle, nameOrURL), "git_remote_create_anonymous")
    } else {
      try check(rc, "git_remote_lookup")
    }
    defer { git_remote_free(remote) }
    let state = TransferState(callbacks)
    var gitCallbacks = git_remote_callbacks()
    try check(
      git_remote_init_callbacks(&gitCallbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION)), "git_remote_init_callbacks")
    gitCallbacks.payload = Unmanaged.passUnretained(state).toOpaque()
    gitCallbacks.credentials = { out, url, usernameFromURL, allowed, payload in
      let state = TransferState.from(payload)
      let request = CredentialRequest(
        url: url.map { String(cString: $0) } ?? "", usernameFromURL: usernameFromURL.map { String(cString: $0) },
        acceptsUserPassword: allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0,
        acceptsSSHKey: allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0,
        acceptsUsername: allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0, attempt: state.attempts)
      state.attempts += 1
      guard let credential = state.callbacks.credentials(request) else {
        state.credentialsExhausted = true
        return GIT_EAUTH.rawValue
      }
      switch credential {
      case .userPassword(let username, let password):
        return git_credential_userpass_plaintext_new(out, username, password)
      case .sshKeyFile(let username, let privateKey, let publicKey, let passphrase):
        return git_credential_ssh_key_new(out, username, publicKey, privateKey, passphrase)
      case .sshAgent(let username):
        return git_credential_ssh_key_from_agent(out, username)
      case .username(let username):
        return git_credential_username_new(out, username)
      }
    }
    gitCallbacks.transfer_progress = { stats, payload in
      guard let stats = stats?.pointee else { return 0 }
      let state = TransferState.from(payload)
      let indexing = stats.received_objects == stats.total_objects && stats.total_objects > 0
      state.report(
        TransferProgress(
          phase: indexing ? .indexing : .receiving,
          objects: Int(indexing ? stats.indexed_objects : stats.received_objects),
          totalObjects: Int(stats.total_objects), bytes: Int(stats.received_bytes)))
      return 0
    }
    gitCallbacks.push_transfer_progress = { current, total, bytes, payload in
      TransferState.from(payload).report(
        TransferProgress(phase: .sending, objects: Int(current), totalObjects: Int(total), bytes: bytes))
      return 0
    }
    gitCallbacks.sideband_progress = { text, length, payload in
      guard let text, length > 0 else { return 0 }
      let bytes = UnsafeRawBufferPointer(start: text, count: Int(length))
      TransferState.from(payload).callbacks.serverMessage?(String(decoding: bytes, as: UTF8.self))
      return 0
    }
    gitCallbacks.push_update_reference = { name, status, payload in
      let state = TransferState.from(payload)
      state.pushed.append(
        PushedReference(name: name.map { String(cString: $0) } ?? "", rejection: status.map { String(cString: $0) }))
      return 0
    }
    return try body(remote!, state, gitCallbacks)
  }

  /// `check`, but an authentication failure after the credential callback gave up says so
  /// plainly (libgit2 reports it as a callback error with no message of its own).
  private func checkTransfer(_ rc: Int32, _ function: String, _ state: TransferState) throws {
    guard rc < 0 else { return }
    let error = lastError(rc, function)
    if state.credentialsExhausted {
      throw GitError(
        .auth, errorClass: error.errorClass,
        message: state.attempts > 1
          ? "authentication failed" : "authentication required, and no credentials were found",
        function: function)
    }
    throw error
  }
}

extension TransferState {
  static func from(_ payload: UnsafeMutableRawPointer?) -> TransferState {
    Unmanaged<TransferState>.fromOpaque(payload!).takeUnretainedValue()
  }

  /// Passes progress on when it changed.
  func report(_ progress: TransferProgress) {
    guard progress != lastProgress else { return }
    lastProgress = progress
    callbacks.progress?(progress)
  }
}

/// A `git_strarray` of `strings` for the length of `body`.
func withStringArray<T>(_ strings: [String], _ body: (inout git_strarray) throws -> T) throws -> T {
  let pointers = strings.map { strdup($0) }
  defer { for pointer in pointers { free(pointer) } }
  var array = pointers
  return try array.withUnsafeMutableBufferPointer { buffer in
    var strarray = git_strarray(strings: buffer.baseAddress, count: buffer.count)
    return try body(&strarray)
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
