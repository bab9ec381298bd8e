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
      // alice's own git config (HOME is the test's folder), so that init's first commit is
      // signed too; `signer setup` then writes the same into the project's config.
      for (key, value) in [
        ("gpg.format", "ssh"), ("user.signingkey", alice.privateKey), ("commit.gpgsign", "true"),
        ("tag.gpgSign", "true"),
      ] {
        _ = try cli.git(["config", "--file", cli.root + "/.gitconfig", key, value], in: cli.root)
      }
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
      // The project's own config signs every commit: the unsigned one turns that off.
      let sign =
        key.map { ["-c", "gpg.format=ssh", "-c", "user.signingkey=\($0)", "commit", "-S"] }
        ?? ["-c", "commit.gpgsign=false", "commit"]
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

  @Test("every commit and tag Casebook writes is signed, and git verify-commit, tag -v and log --show-signature pass")
  func plainGitVerifiesCasebook() throws {
    let f = try Fixture()
    let session = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    let text = try f.cli.file("r.md", "# Rationale\n\nAccess for all.\n")
    _ = try f.cli.ok(["section", "draft", "rationale", "--session", session, "--from", text, "--repo", f.repo])
    _ = try f.cli.ok(["section", "commit", "rationale", "--session", session, "--repo", f.repo])
    _ = try f.cli.ok(["approve", "rationale", "--reviewer", "finance-lead", "--repo", f.repo])
    for commit in [
      "main", "sessions/\(session)", "refs/casebook/documents/rationale/v1", "refs/casebook/locks/rationale",
    ] {
      let checked = try f.git(["verify-commit", commit])
      #expect(checked.status == 0, "\(commit): \(checked.stderr)")
      #expect(checked.stderr.contains("Good \"git\" signature for alice"), "\(checked.stderr)")
    }
    let tag = try f.git(["tag", "-v", "approved/rationale/v1"])
    #expect(tag.status == 0 && tag.stderr.contains("Good \"git\" signature for alice"), "\(tag.stderr)")
    // Every commit on every ref, init's included: a good signature each (%G? is G).
    let log = try f.git(["log", "--all", "--format=%H %G?"]).stdout.split(separator: "\n")
    #expect(log.count > 8)
    #expect(log.allSatisfy { $0.hasSuffix(" G") }, "\(log)")
    let shown = try f.git(["log", "--all", "--show-signature", "-n", "3"])
    #expect(shown.status == 0 && shown.stdout.contains("Good \"git\" signature"), "\(shown.stdout)")
    #expect(try runGit(["fsck", "--strict"], in: f.repo).status == 0)
    try f.expectVerified()
    // The approval still reads as one (the signature after the message is not part of it).
    let approvals = try f.cli.ok(["approvals", "--repo", f.repo])
    #expect((approvals["approvals"] as? [[String: Any]])?.first?["state"] as? String == "current", "\(approvals)")
  }

  @Test("a signed key named for someone else, an unsigned commit, a commit altered after signing")
  func tamperingWithSignatures() throws {
    let f = try Fixture()
    // alice's key, but the commit says bob made it.
    let asBob = try f.plainGitCommit(signedWith: f.alice.privateKey, as: "bob", files: ["a.txt": "a\n"])
    try f.expectFinding("signature-signer", on: asBob)
    let unsigned = try f.plainGitCommit(signedWith: nil, as: "alice", files: ["b.txt": "b\n"])
    #expect(try f.git(["log", "-1", "--format=%G?", unsigned]).stdout.hasPrefix("N"))
    try f.expectFinding("signature-missing", on: unsigned)
    // A signed commit's message changed, its signature kept: bytes git fsck accepts.
    let signed = try f.plainGitCommit(signedWith: f.alice.privateKey, as: "alice", files: ["c.txt": "c\n"])
    let raw = try f.git(["cat-file", "commit", signed]).stdout
    let altered = try f.cli.file("altered", raw.replacingOccurrences(of: "by hand", with: "by hand, approved"))
    let id = try f.git(["hash-object", "-t", "commit", "-w", altered]).stdout.trimmingCharacters(in: .newlines)
    #expect(id != signed)
    #expect(try f.git(["update-ref", "refs/heads/altered", id]).status == 0)
    #expect(try f.git(["verify-commit", id]).status != 0)
    try f.expectFinding("signature-invalid", on: id)
  }

  @Test("a key added to allowed_signers by a signer it does not list is reported; a retired key signs no more")
  func signersChangeOnlyThroughSigners() throws {
    var f = try Fixture()
    // The stranger adds their own key with plain git, signing with it.
    let line = "stranger namespaces=\"git\" \(f.stranger.publicKey)\n"
    let current = try String(contentsOfFile: f.allowedSigners, encoding: .utf8)
    let selfAdded = try f.plainGitCommit(
      signedWith: f.stranger.privateKey, as: "stranger", files: ["allowed_signers": current + line])
    try f.expectFinding("signature-signer", on: selfAdded)
    #expect(try f.git(["reset", "-q", "--hard", "HEAD~1"]).status == 0)
    try f.expectVerified()

    // bob is added by alice, signs, then is retired: what he signed before still verifies, with
    // Casebook and git; a commit he signs after is reported, and Casebook refuses to write for him.
    let bob = try SSHKeyPair.generate(at: f.cli.root + "/bob-key")
    let admin = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    _ = try f.cli.ok(["signer", "add", "bob", "--key", bob.publicKey, "--session", admin, "--repo", f.repo])
    _ = try f.cli.ok(["session", "merge", admin, "--repo", f.repo])
    #expect(try f.git(["config", "user.signingkey", bob.privateKey]).status == 0)
    f.cli.user = "bob"
    let session = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    #expect(try f.git(["verify-commit", "sessions/\(session)"]).stderr.contains("Good \"git\" signature for bob"))
    f.cli.user = "alice"
    #expect(try f.git(["config", "user.signingkey", f.alice.privateKey]).status == 0)
    let retire = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    _ = try f.cli.ok(["signer", "remove", "bob", "--session", retire, "--repo", f.repo])
    _ = try f.cli.ok(["session", "merge", retire, "--repo", f.repo])
    try f.expectVerified()
    #expect(try f.git(["verify-commit", "sessions/\(session)"]).status == 0)
    let listed = try f.cli.ok(["signer", "list", "--repo", f.repo])
    let signers = try #require(listed["signers"] as? [[String: Any]])
    #expect(signers.contains { ($0["principals"] as? [String]) == ["bob"] && $0["valid_before"] != nil }, "\(signers)")

    #expect(try f.git(["config", "user.signingkey", bob.privateKey]).status == 0)
    f.cli.user = "bob"
    try f.cli.expectRefused(["session", "start"], repo: f.repo, status: 1, message: "does not let bob sign")
    f.cli.user = "alice"
    // One second on, so the commit is surely after valid-before (whole seconds).
    let late = try f.plainGitCommit(
      signedWith: bob.privateKey, as: "bob", files: ["late.txt": "late\n"],
      date: "\(Int(Date().timeIntervalSince1970) + 2) +0000")
    try f.expectFinding("signature-signer", on: late)
  }

  @Test("a project that requires signing refuses an unsigned write and a key it does not list, and writes nothing")
  func requiredSigningRefusesUnsigned() throws {
    let f = try Fixture()
    #expect(try f.git(["config", "commit.gpgsign", "false"]).status == 0)
    try f.cli.expectRefused(["session", "start"], repo: f.repo, status: 1, message: "requires signed commits")
    #expect(try f.git(["config", "commit.gpgsign", "true"]).status == 0)
    #expect(try f.git(["config", "user.signingkey", f.stranger.privateKey]).status == 0)
    try f.cli.expectRefused(["session", "start"], repo: f.repo, status: 1, message: "does not let alice sign")
    #expect(try f.git(["config", "user.signingkey", f.repo + "/missing-key"]).status == 0)
    try f.cli.expectRefused(["session", "start"], repo: f.repo, status: 1, message: "cannot be read")
    #expect(try f.git(["config", "user.signingkey", f.alice.privateKey]).status == 0)
    #expect(try f.git(["config", "gpg.format", "x509"]).status == 0)
    try f.cli.expectRefused(["session", "start"], repo: f.repo, status: 1, message: "does not support")
  }

  @Test(
    "signing through a real ssh-agent: a .pub path or a literal key as user.signingkey, no private key file",
    .enabled(if: SSHAgent.available))
  func signingThroughSSHAgent() throws {
    let f = try Fixture()
    let carol = try SSHKeyPair.generate(at: f.cli.root + "/carol-key")
    let agent = try SSHAgent(keys: [carol.privateKey])
    defer { agent.stop() }
    try FileManager.default.removeItem(atPath: carol.privateKey)  // only the agent can sign now
    let admin = try #require(try f.cli.ok(["session", "start", "--repo", f.repo])["session_id"] as? String)
    _ = try f.cli.ok([
      "signer", "add", "carol", "--key", carol.privateKey + ".pub", "--session", admin, "--repo", f.repo,
    ])
    _ = try f.cli.ok(["session", "merge", admin, "--repo", f.repo])
    var cli = f.cli
    cli.user = "carol"
    for key in [carol.privateKey + ".pub", "key::" + carol.publicKey] {
      #expect(try f.git(["config", "user.signingkey", key]).status == 0)
      let started = try cli.run(["session", "start", "--json", "--repo", f.repo], env: ["SSH_AUTH_SOCK": agent.socket])
      #expect(started.status == 0, "\(started.stderr)")
      let session = try #require(try started.json["session_id"] as? String)
      let checked = try f.git(["verify-commit", "sessions/\(session)"])
      #expect(checked.stderr.contains("Good \"git\" signature for carol"), "\(checked.stderr)")
    }
    // With no agent to ask, the literal key cannot sign: refused, nothing written.
    try cli.expectRefused(["session", "start"], repo: f.repo, status: 1, message: "no ssh-agent holds")
    try f.expectVerified()
  }

  @Test("the pre-receive hook refuses an unsigned or wrongly signed push where signing is required")
  func hookRefusesUnsignedPushes() throws {
    let f = try Fixture()
    let bare = f.cli.root + "/shared.git"
    _ = try f.cli.git(["init", "--bare", "-q", bare], in: f.cli.root)
    _ = try f.cli.ok(["hooks", "install", "--repo", bare])
    let first = try runGit(["push", bare, "refs/heads/*:refs/heads/*"], in: f.repo)
    #expect(first.status == 0, "\(first.stderr)")
    let before = try f.cli.git(["for-each-ref"], in: bare)
    _ = try f.plainGitCommit(signedWith: nil, as: "alice", files: ["x.txt": "x\n"])
    let unsigned = try runGit(["push", bare, "main"], in: f.repo)
    #expect(unsigned.status != 0 && unsigned.stderr.contains("signature-missing"), "\(unsigned.stderr)")
    #expect(try f.git(["reset", "-q", "--hard", "HEAD~1"]).status == 0)
    _ = try f.plainGitCommit(signedWith: f.stranger.privateKey, as: "alice", files: ["x.txt": "x\n"])
    let stranger = try runGit(["push", bare, "main"], in: f.repo)
    #expect(stranger.status != 0 && stranger.stderr.contains("signature-signer"), "\(stranger.stderr)")
    #expect(try f.cli.git(["for-each-ref"], in: bare) == before)
    #expect(try f.git(["reset", "-q", "--hard", "HEAD~1"]).status == 0)
    _ = try f.plainGitCommit(signedWith: f.alice.privateKey, as: "alice", files: ["x.txt": "x\n"])
    let signed = try runGit(["push", bare, "main"], in: f.repo)
    #expect(signed.status == 0, "\(signed.stderr)")
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
