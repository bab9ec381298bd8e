import Git
import Signing

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Project {
  /// The signers git's config asks for, read once per handle. Where the project requires
  /// signing (`settings.signing: required`), refuses (exit 1, before anything is written) a
  /// config that signs commits or tags not, or with a key the project's `allowed_signers` does
  /// not let `user` sign with.
  func signing(by user: User) throws -> (commits: CommitSigner?, tags: CommitSigner?) {
    if let signers { return signers }
    let found = try CommitSigner.configured(repository, identity: "\(user.id) <\(user.email)>")
    if settings.signingRequired {
      let unsigned = [found.commits == nil ? "commits" : nil, found.tags == nil ? "tags" : nil].compactMap { $0 }
      guard unsigned.isEmpty else {
        throw CasebookError.badInput(
          "this project requires signed commits and tags (settings.signing: required in \(Layout.config)), but git's config does not sign \(unsigned.joined(separator: " or ")): run 'casebook signer setup --key ~/.ssh/id_ed25519' (or set gpg.format ssh, user.signingkey, commit.gpgsign and tag.gpgSign); nothing was written"
        )
      }
      guard let key = found.commits?.publicKey else {
        throw CasebookError.badInput(
          "this project requires SSH signatures from keys in \(Layout.allowedSigners), but git's config signs with OpenPGP (gpg.format): set gpg.format ssh; nothing was written"
        )
      }
      let allowed = try allowedSigners(at: mainSnapshot())
      guard allowed.entries(for: key, at: now()).contains(where: { $0.names(user.id) || $0.names(user.email) }) else {
        throw CasebookError.badInput(
          "this project requires signatures from keys in \(Layout.allowedSigners), and it does not let \(user.id) sign with \(key.fingerprint) (user.signingkey): ask a signer to run 'casebook signer add \(user.id) --key KEY.pub'; nothing was written"
        )
      }
    }
    signers = found
    return found
  }

  /// The project's allowed signers as `snapshot` has them (none when it has no file).
  func allowedSigners(at snapshot: Snapshot) throws -> AllowedSigners {
    guard let data = try snapshot.data(Layout.allowedSigners) else { return AllowedSigners() }
    let text = String(decoding: data, as: UTF8.self)
    do {
      return try AllowedSigners(text: text)
    } catch {
      throw CasebookError.repository("\(Layout.allowedSigners) does not read: \(error.message)")
    }
  }
}
