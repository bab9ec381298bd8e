import Foundation
import TestSupport
import Testing

/// Signed history (issue: approvals an auditor can trust): what Casebook signs, plain git
/// verifies, and what plain git signs, Casebook verifies; a project that requires signing
/// refuses unsigned writes; `verify` and the pre-receive hook catch what `git fsck` accepts.
@Suite("signed history", .enabled(if: SSHServer.keygen != nil))
struct SignedHistoryTests {
  /// A project whose allowed signers list alice's key (a key file) and which requires signing,
  /// set up through the CLI by alice, signing from the first write on.
  struct Fixture {
    var cli: CLI
    let repo: String
    let alice: SSHKeyPair
    let stranger: SSHKeyPair

    init() throws {
      cli = try CLI()
      alice = try SSHKeyPair.generate(at: cli.root + "/alice-key")
      stranger = try SSHKeyPair.generate(at: cli.root + "/stranger-key")
      let (repo, session) = try cli.project()
      self.repo = repo
      _ = try cli.ok(["signer", "setup", "--key", alice.privateKey, "--repo", repo])
      _ = try cli.ok([
        "signer", "add", "alice", "--key", alice.privateKey + ".pub", "--session", session, "--repo", repo,
      ])
      _ = try cli.ok(["signer", "require", "--session", session, "--repo", repo])
      _ = try cli.ok(["session", "merge", session, "--repo", repo])
    }

    var allowedSigners: String { repo + "/allowed_signers" }

    /// Plain git in the project, checking signatures against the project's allowed signers.
    func git(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
      try runGit(["-c", "gpg.ssh.allowedSignersFile=\(allowedSigners)"] + args, in: repo, environment: env)
    }

    /// A commit made by plain git on top of main, signed with `key` as `name`, and main moved
    /// to it.
    func plainGitCommit(signedWith key: String?, as name: String, files: [String: String], date: String? = nil) throws
      -> String
    {
      for (path, text) in files { try text.write(toFile: repo + "/" + path, atomically: true, encoding: .utf8) }
      #expect(try git(["add", "-A"]).status == 0)
      var env = ["GIT_COMMITTER_NAME": name, "GIT_AUTHOR_NAME": name, "GIT_COMMITTER_EMAIL": "\(name)@example.org"]
      if let date { env["GIT_COMMITTER_DATE"] = date }
      let sign = key.map { ["-c", "gpg.format=ssh", "-c", "user.signingkey=\($0)", "commit", "-S"] } ?? ["commit"]
      let made = try git(sign + ["-q", "--no-verify", "-m", "by hand"], env: env)
      #expect(made.status == 0, "\(made.stderr)")
      return try git(["rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `verify --json`: exit 3 with a finding of `rule` on `object`, and `git fsck` clean.
    func expectFinding(_ rule: String, on object: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
      #expect(try runGit(["fsck", "--strict"], in: repo).status == 0, sourceLocation: sourceLocation)
      let result = try cli.run(["verify", "--json", "--repo", repo])
      #expect(result.status == 3, "\(result.stdout)", sourceLocation: sourceLocation)
      let findings = try #require(try result.json["findings"] as? [[String: Any]], sourceLocation: sourceLocation)
      #expect(
        findings.contains { $0["rule"] as? String == rule && ($0["object"] as? String)?.contains(object) == true },
        "\(findings)", sourceLocation: sourceLocation)
    }

    func expectVerified(sourceLocation: SourceLocation = #_sourceLocation) throws {
      let result = try cli.run(["verify", "--json", "--repo", repo])
      #expect(result.status == 0, "\(result.stdout) \(result.stderr)", sourceLocation: sourceLocation)
    }
  }

  @Test("what plain git signs with an allowed key, Casebook verifies; a key outside allowed_signers is reported")
  func casebookVerifiesPlainGit() throws {
    let f = try Fixture()
    _ = try f.plainGitCommit(signedWith: f.alice.privateKey, as: "alice", files: ["notes.txt": "hand-made\n"])
    #expect(try f.git(["verify-commit", "HEAD"]).status == 0)
    try f.expectVerified()
    let forged = try f.plainGitCommit(signedWith: f.stranger.privateKey, as: "alice", files: ["notes.txt": "forged\n"])
    #expect(try f.git(["verify-commit", "HEAD"]).status != 0)
    try f.expectFinding("signature-signer", on: forged)
  }

  @Test("bad input to signer add, remove, require and setup: a clear message, and nothing written")
  func signerBadInput() throws {
    let cli = try CLI()
    let (repo, session) = try cli.project()
    let garbage = try cli.file("garbage.pub", "not a key\n")
    try cli.expectRefused(
      ["signer", "add", "alice", "--key", garbage, "--session", session], repo: repo, status: 1,
      message: "not an SSH public key")
    try cli.expectRefused(
      ["signer", "add", "alice", "--key", cli.root + "/none.pub", "--session", session], repo: repo, status: 1,
      message: "no such file")
    try cli.expectRefused(
      ["signer", "add", "../alice", "--key", "ssh-ed25519 AAAA", "--session", session], repo: repo, status: 1,
      message: "not valid")
    try cli.expectRefused(
      ["signer", "remove", "alice", "--session", session], repo: repo, status: 2, message: "has no current key")
    try cli.expectRefused(
      ["signer", "require", "--session", session], repo: repo, status: 1, message: "lists no keys")
    try cli.expectRefused(["signer", "setup", "--key", garbage], repo: repo, status: 1, message: "not an SSH key file")
    try cli.expectRefused(
      ["signer", "setup", "--key", cli.root + "/none"], repo: repo, status: 1, message: "cannot read")
  }
}
