import ArgumentParser
import Casebook

struct SignerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "signer",
    abstract:
      "Say whose SSH keys may sign the project's history (allowed_signers, through a session), and set up signing.",
    subcommands: [Add.self, Remove.self, List.self, Require.self, Setup.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add", abstract: "Let a user sign with an SSH key (once the session is merged).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument(help: "The user id who may sign.") var user: String
    @Option(help: "Their public key: a .pub file, or the key's text (ssh-ed25519 AAAA...).") var key: String
    @Option(help: "Their git user.email, a second principal git can name them by.") var email: String?

    func run() throws {
      let text = key.hasPrefix("ssh-") || key.hasPrefix("ecdsa-") || key.hasPrefix("key::") ? key : try readKey(key)
      let project = try global.project()
      let result = try project.addSigner(
        user, key: text, email: email, session: session.required("signer add"), request: request.id,
        by: global.actingUser(in: project))
      try global.output.emit(result) { "\(user) may sign (once the session is merged)\ncommit \(result.commit)" }
    }

    private func readKey(_ path: String) throws -> String {
      String(decoding: try System.readBounded(path, limit: 64 * 1024, what: "key file"), as: UTF8.self)
    }
  }

  struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "remove",
      abstract: "Stop a user signing from now on; what they signed before still verifies (valid-before).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Argument var user: String

    func run() throws {
      let project = try global.project()
      let result = try project.retireSigner(
        user, session: session.required("signer remove"), request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) { "\(user) no longer signs (once the session is merged)\ncommit \(result.commit)" }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "Whose keys may sign, and whether signing is required, as main says now.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let list = try global.project().signersList()
      try global.output.emit(list) {
        let head = "signing is \(list.required ? "required" : "optional")"
        return
          ([head]
          + list.signers.map { s in
            let window = [s.validAfter.map { "from \($0)" }, s.validBefore.map { "until \($0)" }].compactMap { $0 }
            return "\(s.principals.joined(separator: ",")): \(s.keyType) \(s.fingerprint)"
              + (window.isEmpty ? "" : " (\(window.joined(separator: " ")))")
          }).joined(separator: "\n")
      }
    }
  }

  struct Require: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "require",
      abstract: "Require every commit and tag to be signed by an allowed key (settings.signing in casebook.yaml).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var request: RequestOption
    @OptionGroup var session: SessionOption
    @Flag(help: "Stop requiring signatures.") var off = false

    func run() throws {
      let project = try global.project()
      let result = try project.requireSigning(
        !off, session: session.required("signer require"), request: request.id, by: global.actingUser(in: project))
      try global.output.emit(result) {
        "signing will be \(off ? "optional" : "required") once the session is merged\ncommit \(result.commit)"
      }
    }
  }

  struct Setup: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "setup",
      abstract: "Configure this clone's git to sign with an SSH key, as Casebook and git both read it.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The key: a private key file, or a .pub whose private key ssh-agent holds.") var key: String

    func run() throws {
      let values = try global.project().setUpSigning(key: key)
      try global.output.emit(Wrapped(key: "config", value: values)) {
        values.sorted { $0.key < $1.key }.map { "git config \($0.key) \($0.value)" }.joined(separator: "\n")
      }
    }
  }
}
