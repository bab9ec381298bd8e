import Git
import Signing
import TextExtraction

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

/// How this process signs the commits and tags it writes, as git's own config says
/// (`gpg.format`, `user.signingkey`, `commit.gpgsign`, `tag.gpgSign`, `gpg.ssh.program`,
/// `gpg.program`), so that Casebook and git sign alike (README, "Signed history").
///
/// An SSH key is used the quickest way that gives the same signature `ssh-keygen -Y sign` would:
/// an ssh-agent holding the key signs over its socket; an unencrypted Ed25519 key file signs
/// in-process; anything else (a passphrase, a hardware key) is handed to `ssh-keygen` itself, as
/// git does. OpenPGP signing runs `gpg`, as git does.
struct CommitSigner {
  enum Method {
    case agent(SSHAgentClient, SSHPublicKey)
    case keyFile(OpenSSHPrivateKey)
    case sshProgram(program: String, keyFile: String)
    case openPGP(program: String, key: String)
  }

  let method: Method

  /// The SSH public key signatures will name (nil for OpenPGP).
  var publicKey: SSHPublicKey? {
    switch method {
    case .agent(_, let key): return key
    case .keyFile(let key): return key.publicKey
    case .sshProgram(_, let file):
      return [file + ".pub", file].lazy.compactMap { System.readText($0).flatMap { try? SSHPublicKey(text: $0) } }.first
    case .openPGP: return nil
    }
  }

  /// The signers git's config asks for: commits when `commit.gpgsign` is true, tags when
  /// `tag.gpgSign` is; nil where it asks for none.
  static func configured(_ repository: Repository, identity: String) throws -> (
    commits: CommitSigner?, tags: CommitSigner?
  ) {
    let commits = repository.configBool("commit.gpgsign") ?? false
    let tags = repository.configBool("tag.gpgsign") ?? false
    guard commits || tags else { return (nil, nil) }
    let signer = try resolve(repository, identity: identity)
    return (commits ? signer : nil, tags ? signer : nil)
  }

  static func resolve(_ repository: Repository, identity: String) throws -> CommitSigner {
    let format = repository.configString("gpg.format") ?? "openpgp"
    let key = repository.configString("user.signingkey")
    switch format {
    case "ssh":
      guard let key, !key.isEmpty else {
        throw CasebookError.badInput(
          "git's config asks for signing with gpg.format ssh but user.signingkey is not set: git config user.signingkey ~/.ssh/id_ed25519"
        )
      }
      return try ssh(key, program: repository.configString("gpg.ssh.program") ?? "ssh-keygen")
    case "openpgp":
      let program = try executable(repository.configString("gpg.program") ?? "gpg")
      return CommitSigner(method: .openPGP(program: program, key: key ?? identity))
    default:
      throw CasebookError.badInput(
        "git's config asks for signing with gpg.format \(format), which Casebook does not support: use ssh or openpgp")
    }
  }

  /// `user.signingkey` for SSH: a literal public key (`ssh-ed25519 AAAA…` or `key::…`), whose
  /// private half an agent holds, or a key file (private, or public with an agent).
  private static func ssh(_ key: String, program: String) throws -> CommitSigner {
    let agent = SSHAgentClient.fromEnvironment()
    if key.hasPrefix("key::") || key.hasPrefix("ssh-") || key.hasPrefix("ecdsa-") || key.hasPrefix("sk-") {
      // A literal key: only an agent can hold its private half (git runs `ssh-keygen -U`,
      // which asks the agent too). Refused here, before anything is written.
      let publicKey = try signing { try SSHPublicKey(text: key) }
      guard let agent, (try? agent.keys().contains(publicKey)) == true else {
        throw CasebookError.badInput(
          "signing failed: user.signingkey is the public key \(publicKey.fingerprint), and no ssh-agent holds its private key (SSH_AUTH_SOCK\(agent == nil ? " is not set" : ""); ssh-add -l lists what it holds); nothing was written"
        )
      }
      return CommitSigner(method: .agent(agent, publicKey))
    }
    let path = key.hasPrefix("~/") ? (getenv("HOME").map { String(cString: $0) } ?? "") + key.dropFirst() : key
    guard let text = System.readText(path) else {
      throw CasebookError.badInput("user.signingkey names \(path), which cannot be read")
    }
    let publicText = (try? SSHPublicKey(text: text)) != nil ? text : System.readText(path + ".pub")
    if let agent, let publicText, let publicKey = try? SSHPublicKey(text: publicText),
      (try? agent.keys().contains(publicKey)) == true
    {
      return CommitSigner(method: .agent(agent, publicKey))
    }
    if let privateKey = try signing({ try OpenSSHPrivateKey(text: text) }) {
      return CommitSigner(method: .keyFile(privateKey))
    }
    return CommitSigner(method: .sshProgram(program: try executable(program), keyFile: path))
  }

  /// The signature for `payload`, in the text git stores.
  func sign(_ payload: [UInt8]) throws -> String {
    switch method {
    case .agent(let agent, let key):
      return try Self.signing { try agent.sign(payload, namespace: "git", key: key) }.armored
    case .keyFile(let key):
      return try Self.signing { try key.sign(payload, namespace: "git") }.armored
    case .sshProgram(let program, let keyFile):
      return try Self.runProgram(program, payload: payload) { buffer in
        (["-Y", "sign", "-n", "git", "-f", keyFile, buffer], buffer + ".sig")
      }
    case .openPGP(let program, let key):
      return try Self.runProgram(program, payload: payload) { buffer in
        (["--status-fd=2", "--batch", "-bsau", key, "--output", buffer + ".asc", buffer], buffer + ".asc")
      }
    }
  }

  /// Runs a signing program on the payload written to a private temporary folder and reads the
  /// signature file it writes; the folder is removed whatever happens.
  private static func runProgram(
    _ program: String, payload: [UInt8], arguments: (String) -> ([String], String)
  ) throws -> String {
    let folder = try System.temporaryFolder(prefix: "casebook-sign")
    defer { System.removeTree(folder) }
    let buffer = folder + "/payload"
    try System.writeFile(buffer, payload)
    let (args, output) = arguments(buffer)
    let run: ChildProcess.Output
    do {
      run = try ChildProcess.run(program, arguments: args, timeLimit: .seconds(120), outputLimit: 64 * 1024)
    } catch {
      throw CasebookError.badInput("cannot start \(program) to sign: \(error.message)")
    }
    guard run.termination == .exited(0), let signature = System.readText(output), !signature.isEmpty else {
      let said = String(decoding: run.stderr, as: UTF8.self).split(separator: "\n").filter {
        !$0.hasPrefix("[GNUPG:]")
      }.joined(separator: "; ")
      throw CasebookError.badInput(
        "signing failed: \(program) \(run.timedOut ? "took too long" : "did not sign")\(said.isEmpty ? "" : ": " + said); nothing was written"
      )
    }
    return signature
  }

  private static func executable(_ program: String) throws -> String {
    if program.contains("/") { return program }
    guard let path = PDFText.executable(program) else {
      throw CasebookError.badInput("signing needs \(program), which is not on PATH; nothing was written")
    }
    return path
  }

  static func signing<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as SigningError {
      throw CasebookError.badInput("signing failed: \(error.message); nothing was written")
    }
  }
}
