import Git
import Signing

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One key of `allowed_signers`, as `signer list` shows it.
public struct SignerEntry: Sendable, Codable, Equatable {
  public let principals: [String]
  public let keyType: String
  public let fingerprint: String
  public let namespaces: [String]?
  public let validAfter: String?
  public let validBefore: String?

  init(_ entry: AllowedSigners.Entry) {
    principals = entry.principals
    keyType = entry.key.type
    fingerprint = entry.key.fingerprint
    namespaces = entry.namespaces
    validAfter = entry.validAfter.map(Timestamp.string)
    validBefore = entry.validBefore.map(Timestamp.string)
  }
}

/// Who may sign, and whether the project requires it, as main says now.
public struct SignersList: Sendable, Encodable, Equatable {
  public let required: Bool
  public let signers: [SignerEntry]
}

/// The signers file or signing setting as one session changed it.
public struct SignersWritten: Sendable, Codable, ReplayableResult {
  public let required: Bool
  public let signers: [SignerEntry]
  public let commit: String

  func replayed(commit: String, in project: Project) -> SignersWritten {
    SignersWritten(required: required, signers: signers, commit: commit)
  }
}

extension Project {
  /// The project's signers and signing setting on main.
  public func signersList() throws -> SignersList {
    let main = try mainSnapshot()
    return SignersList(
      required: try settings(at: main).signingRequired,
      signers: try allowedSigners(at: main).entries.map(SignerEntry.init))
  }

  /// Lets `signer` sign with `key` (an OpenSSH public key line): a line of `allowed_signers`,
  /// principals the user id and, when given, an e-mail address (git's `user.email`), limited to
  /// git's namespace. Written on the session, it reaches main when the session is merged; where
  /// signing is required, that commit must itself be signed by a key already allowed.
  public func addSigner(
    _ signer: String, key: String, email: String? = nil, session: String, request: RequestID? = nil, by user: User
  ) throws -> SignersWritten {
    let who = try User(signer, email: email)
    let publicKey: SSHPublicKey
    do { publicKey = try SSHPublicKey(text: key) } catch { throw CasebookError.badInput("--key: \(error.message)") }
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "add-signer",
      [("session", session.text), ("user", who.id), ("email", email ?? ""), ("key", publicKey.text)])
    return try writeSigners(
      session: session, ticket: ticket, by: user, summary: "let \(who.id) sign with \(publicKey.fingerprint)"
    ) { signers, _ in
      let principals = [who.id] + (email.map { [$0] } ?? [])
      let line = "\(principals.joined(separator: ",")) namespaces=\"git\" \(publicKey.text)"
      signers.entries.removeAll { $0.key == publicKey && $0.validBefore == nil }
      signers.entries.append(try Self.entry(line))
    }
  }

  /// Stops `signer` signing from now on: each of their keys gets `valid-before` set to this
  /// moment, so that what they signed before still verifies, with git and Casebook alike.
  public func retireSigner(_ signer: String, session: String, request: RequestID? = nil, by user: User) throws
    -> SignersWritten
  {
    let who = try User(signer)
    let session = try SessionID(session)
    let ticket = RequestTicket.make(request, action: "retire-signer", [("session", session.text), ("user", who.id)])
    return try writeSigners(session: session, ticket: ticket, by: user, summary: "stop \(who.id) signing") {
      signers, now in
      let current = signers.entries.indices.filter {
        signers.entries[$0].principals.first == who.id && signers.entries[$0].validBefore == nil
      }
      guard !current.isEmpty else {
        throw CasebookError.notFound("\(who.id) has no current key in \(Layout.allowedSigners)")
      }
      for index in current {
        let entry = signers.entries[index]
        var options = ["namespaces=\"\((entry.namespaces ?? ["git"]).joined(separator: ","))\""]
        if let after = entry.validAfter { options.append("valid-after=\"\(Self.signerTime(after))\"") }
        options.append("valid-before=\"\(Self.signerTime(now))\"")
        signers.entries[index] = try Self.entry(
          "\(entry.principals.joined(separator: ",")) \(options.joined(separator: ",")) \(entry.key.text)")
      }
    }
  }

  /// Sets `settings.signing` (required or optional) on the session.
  public func requireSigning(_ required: Bool, session: String, request: RequestID? = nil, by user: User) throws
    -> SignersWritten
  {
    let session = try SessionID(session)
    let ticket = RequestTicket.make(
      request, action: "require-signing", [("session", session.text), ("required", String(required))])
    return try writeSigners(
      session: session, ticket: ticket, by: user,
      summary: required ? "require signed history" : "stop requiring signatures",
      required: required
    ) { signers, _ in
      if required, signers.entries.isEmpty {
        throw CasebookError.badInput(
          "\(Layout.allowedSigners) lists no keys, so no write could be signed: add one first with 'casebook signer add'"
        )
      }
    }
  }

  private func writeSigners(
    session: SessionID, ticket: RequestTicket?, by user: User, summary: String, required: Bool? = nil,
    change: @escaping (inout AllowedSigners, Date) throws -> Void
  ) throws -> SignersWritten {
    try once(ticket, session: session) {
      var written = SignersWritten(required: false, signers: [], commit: "")
      let commit = try writeSession(session, by: user, request: ticket, result: written) { snapshot, _, pending in
        var signers = try allowedSigners(at: snapshot)
        try change(&signers, now())
        var settings = try settings(at: snapshot)
        if let required, required != settings.signingRequired {
          settings.signingRequired = required
          try pending.put(Layout.config, yaml: settings.node)
        }
        try pending.put(Layout.allowedSigners, text: signers.text)
        written = SignersWritten(
          required: settings.signingRequired, signers: signers.entries.map(SignerEntry.init), commit: "")
        return CommitMessage(summary: summary, action: "change-signers", user: user.id, session: session)
      }
      return SignersWritten(required: written.required, signers: written.signers, commit: commit.hex)
    }
  }

  private static func entry(_ line: String) throws -> AllowedSigners.Entry {
    do {
      guard let entry = try AllowedSigners(text: line).entries.first else { throw SigningError("empty line") }
      return entry
    } catch let error as SigningError {
      throw CasebookError.badInput(error.message)
    }
  }

  /// A time as allowed-signers options take it, in UTC: YYYYMMDDHHMMSSZ.
  static func signerTime(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
      + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
  }

  /// Configures this clone's git to sign as the project expects (repository config only):
  /// `gpg.format ssh`, `user.signingkey`, `commit.gpgsign`, `tag.gpgSign`, and, with a working
  /// tree, `gpg.ssh.allowedSignersFile` at its `allowed_signers`, so that `git log
  /// --show-signature` checks against the project's own list.
  public func setUpSigning(key path: String) throws -> [String: String] {
    let key = System.resolved(path)
    guard let text = System.readText(key) else { throw CasebookError.badInput("cannot read the key file \(path)") }
    let isPublic = (try? SSHPublicKey(text: text)) != nil
    let isPrivate = text.contains("PRIVATE KEY-----")
    guard isPublic || isPrivate else {
      throw CasebookError.badInput(
        "\(path) is not an SSH key file (a private key, or a .pub whose key ssh-agent holds)")
    }
    var values = [
      "gpg.format": "ssh", "user.signingkey": key, "commit.gpgsign": "true", "tag.gpgSign": "true",
    ]
    if let tree = repository.workingDirectory {
      values["gpg.ssh.allowedSignersFile"] = System.join(tree, Layout.allowedSigners)
    }
    for (name, value) in values.sorted(by: { $0.key < $1.key }) { try repository.setConfigString(name, value) }
    signers = nil
    return values
  }
}
