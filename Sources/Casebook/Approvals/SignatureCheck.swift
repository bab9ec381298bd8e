import Git
import Signing
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Checks the signatures of commits and approval tags against the project's own policy as it
/// stood when each was made (README, "Signed history"), for `casebook verify` and the
/// pre-receive hook alike.
///
/// The policy of a commit of the project (its tree has `casebook.yaml`) is its first parent's
/// `settings.signing` and `allowed_signers` (a root commit's own), so a change to the signers is
/// itself checked against the signers before it. Lock histories, kept documents and approval
/// tags have no project tree: theirs is main's as of their time (the newest main commit made
/// no later). A signature is checked in-process: SSH signatures only; an OpenPGP one cannot be
/// held against `allowed_signers` and fails where signing is required.
struct SignatureCheck {
  struct Problem: Error, Equatable {
    let rule: String
    let detail: String
  }

  private struct Policy {
    var required = false
    var signers = AllowedSigners()
    var unreadable: String?
  }

  let repository: Repository
  /// main's first-parent chain, oldest first.
  private let mainHistory: [(time: Date, tree: ObjectID)]
  private var policies: [String: Policy] = [:]

  init(repository: Repository, main: ObjectID?) throws {
    self.repository = repository
    var chain: [(Date, ObjectID)] = []
    var next = main
    while let id = next {
      let commit = try repository.commit(id)
      chain.append((commit.committer.time, commit.tree))
      next = commit.parents.first
    }
    mainHistory = chain.reversed()
  }

  /// What is wrong with `commit`'s signature; empty when nothing is.
  mutating func check(_ commit: Commit) throws -> [Problem] {
    let policy: Policy
    if try repository.entry(at: Layout.config, inTree: commit.tree) != nil {
      policy = try self.policy(tree: commit.parents.first.map { try repository.treeID(ofCommit: $0) } ?? commit.tree)
    } else {
      policy = try self.policy(at: commit.committer.time)
    }
    return try check(
      try repository.signedPayload(ofCommit: commit.id), policy: policy, time: commit.committer.time,
      names: [commit.committer.name, commit.committer.email], what: "commit")
  }

  /// What is wrong with an approval tag's signature.
  mutating func check(_ tag: AnnotatedTag) throws -> [Problem] {
    let time = tag.tagger?.time ?? Date(timeIntervalSince1970: 0)
    return try check(
      try repository.signedPayload(ofTag: tag.id), policy: try policy(at: time), time: time,
      names: [tag.tagger?.name, tag.tagger?.email].compactMap { $0 }, what: "tag")
  }

  private func check(_ signed: SignedPayload?, policy: Policy, time: Date, names: [String], what: String) throws
    -> [Problem]
  {
    guard let signed else {
      return policy.required
        ? [
          Problem(
            rule: ReceiveRules.signatureMissing, detail: "the \(what) is unsigned, and the project requires signing")
        ]
        : []
    }
    guard signed.signature.hasPrefix(SSHSignature.begin) else {
      return policy.required
        ? [
          Problem(
            rule: ReceiveRules.signatureInvalid,
            detail: "an OpenPGP signature cannot be checked against \(Layout.allowedSigners), which holds SSH keys")
        ] : []
    }
    let signature: SSHSignature
    switch Self.read(signed, what: what) {
    case .success(let read): signature = read
    case .failure(let problem): return [problem]
    }
    if let unreadable = policy.unreadable {
      return [Problem(rule: ReceiveRules.signatureSigner, detail: unreadable)]
    }
    guard policy.required || !policy.signers.entries.isEmpty else { return [] }
    let key = signature.publicKey
    let allowed = policy.signers.entries(for: key, at: time)
    guard !allowed.isEmpty else {
      let listed = policy.signers.entries.contains { $0.key == key }
      return [
        Problem(
          rule: ReceiveRules.signatureSigner,
          detail: listed
            ? "\(key.fingerprint) was not allowed to sign at \(Timestamp.string(time)) (outside its valid-after/valid-before in \(Layout.allowedSigners))"
            : "\(key.fingerprint) is not in \(Layout.allowedSigners)")
      ]
    }
    guard allowed.contains(where: { entry in names.contains(where: entry.names) }) else {
      return [
        Problem(
          rule: ReceiveRules.signatureSigner,
          detail:
            "\(key.fingerprint) signs for \(allowed.flatMap(\.principals).joined(separator: ",")), not for \(names.first ?? "nobody"), who the \(what) names"
        )
      ]
    }
    return []
  }

  /// The SSH signature, if it is a valid signature of its payload.
  private static func read(_ signed: SignedPayload, what: String) -> Result<SSHSignature, Problem> {
    let signature: SSHSignature
    let valid: Bool
    do {
      signature = try SSHSignature(armored: signed.signature)
      valid = try signature.isValid(for: signed.payload, namespace: "git")
    } catch {
      return .failure(Problem(rule: ReceiveRules.signatureInvalid, detail: error.message))
    }
    guard valid else {
      return .failure(
        Problem(
          rule: ReceiveRules.signatureInvalid,
          detail:
            "the signature by \(signature.publicKey.fingerprint) does not match the \(what) (changed after signing, or forged)"
        ))
    }
    return .success(signature)
  }

  /// main's policy as of `time`: its newest commit made no later (its oldest, before that).
  private mutating func policy(at time: Date) throws -> Policy {
    guard !mainHistory.isEmpty else { return Policy() }
    var low = 0
    var high = mainHistory.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if mainHistory[middle].time <= time { low = middle } else { high = middle - 1 }
    }
    return try policy(tree: mainHistory[low].tree)
  }

  /// The policy a project tree states, read once per pair of files.
  private mutating func policy(tree: ObjectID) throws -> Policy {
    let config = try repository.entry(at: Layout.config, inTree: tree)
    let signers = try repository.entry(at: Layout.allowedSigners, inTree: tree)
    let key = "\(config?.id.hex ?? "-") \(signers?.id.hex ?? "-")"
    if let known = policies[key] { return known }
    var policy = Policy()
    let limits = Limits.default
    if let config, config.kind == .blob, try repository.blobSize(config.id) <= limits.maxDocumentBytes,
      let map = try? YAML.parse(repository.blob(config.id), limits: limits).mapping,
      let settings = try? ProjectSettings(map)
    {
      policy.required = settings.signingRequired
    }
    if let signers, signers.kind == .blob {
      if try repository.blobSize(signers.id) > 1 << 20 {
        policy.unreadable = "\(Layout.allowedSigners) \(signers.id.hex.prefix(12)) is larger than 1 MiB"
      } else {
        do {
          policy.signers = try AllowedSigners(text: String(decoding: repository.blob(signers.id), as: UTF8.self))
        } catch let error as SigningError {
          policy.unreadable = "\(Layout.allowedSigners) \(signers.id.hex.prefix(12)) does not read: \(error.message)"
        }
      }
    }
    policies[key] = policy
    return policy
  }
}
