import Foundation
import TestSupport
import Testing

@testable import Signing

/// The SSH signatures Casebook makes and checks, against OpenSSH's own `ssh-keygen -Y` and a
/// real `ssh-agent`: what one signs, the other verifies.
@Suite(.enabled(if: SSHServer.keygen != nil))
struct SSHSignatureTests {
  let keygen = SSHServer.keygen!
  let message = Array("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor a <a@x> 0 +0000\n\nhello\n".utf8)

  /// Signs `message` with ssh-keygen and returns the armored signature.
  func keygenSign(_ key: String, in folder: TemporaryDirectory, namespace: String = "git") throws -> String {
    let file = folder.appending("message-\(UUID().uuidString)")
    try Data(message).write(to: URL(fileURLWithPath: file))
    let run = try runCommand(keygen, ["-Y", "sign", "-n", namespace, "-f", key, file])
    #expect(run.status == 0, "\(run.stderr)")
    return try String(contentsOfFile: file + ".sig", encoding: .utf8)
  }

  /// Whether ssh-keygen verifies `signature` of `message` for `principal` with `allowed`.
  func keygenVerifies(_ signature: String, principal: String, allowed: String, in folder: TemporaryDirectory) throws
    -> Bool
  {
    let sig = folder.appending("sig-\(UUID().uuidString)")
    let signers = folder.appending("allowed-\(UUID().uuidString)")
    try signature.write(toFile: sig, atomically: true, encoding: .utf8)
    try allowed.write(toFile: signers, atomically: true, encoding: .utf8)
    let input = folder.appending("in-\(UUID().uuidString)")
    try Data(message).write(to: URL(fileURLWithPath: input))
    let run = try runCommand(
      "/bin/sh",
      ["-c", "\"$0\" -Y verify -f \"$1\" -I \"$2\" -n git -s \"$3\" < \"$4\"", keygen, signers, principal, sig, input])
    return run.status == 0
  }

  @Test func anEd25519KeyFileSignsWhatSSHKeygenVerifies() throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    let pair = try SSHKeyPair.generate(at: folder.appending("key"))
    let key = try #require(try OpenSSHPrivateKey(text: String(contentsOfFile: pair.privateKey, encoding: .utf8)))
    #expect(key.publicKey == (try SSHPublicKey(text: pair.publicKey)))
    let signature = try key.sign(message, namespace: "git")
    #expect(try keygenVerifies(signature.armored, principal: "alice", allowed: "alice \(pair.publicKey)\n", in: folder))
    // The same bytes ssh-keygen writes: Ed25519 is deterministic, the armor wraps alike.
    #expect(signature.armored == (try keygenSign(pair.privateKey, in: folder)))
  }

  @Test(arguments: ["ed25519", "ecdsa", "rsa"])
  func whatSSHKeygenSignsVerifiesHere(type: String) throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    let pair = try SSHKeyPair.generate(at: folder.appending("key"), type: type)
    let signature = try SSHSignature(armored: keygenSign(pair.privateKey, in: folder))
    #expect(signature.publicKey == (try SSHPublicKey(text: pair.publicKey)))
    #expect(try signature.isValid(for: message, namespace: "git"))
    // Another message, another namespace, a flipped signature byte: not valid.
    #expect(try !signature.isValid(for: message + [0x0a], namespace: "git"))
    #expect(try !signature.isValid(for: message, namespace: "file"))
    var damaged = signature.signature
    damaged[damaged.count - 3] ^= 0x01
    let forged = SSHSignature(
      publicKey: signature.publicKey, namespace: "git", hashAlgorithm: signature.hashAlgorithm, signature: damaged)
    #expect(try !forged.isValid(for: message, namespace: "git"))
  }

  @Test func aSignatureByAnotherKeyNamingThisOneIsNotValid() throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    let mine = try SSHKeyPair.generate(at: folder.appending("mine"))
    let theirs = try SSHKeyPair.generate(at: folder.appending("theirs"))
    let real = try SSHSignature(armored: keygenSign(theirs.privateKey, in: folder))
    let claimed = SSHSignature(
      publicKey: try SSHPublicKey(text: mine.publicKey), namespace: "git", hashAlgorithm: real.hashAlgorithm,
      signature: real.signature)
    #expect(try !claimed.isValid(for: message, namespace: "git"))
  }

  @Test(.enabled(if: SSHAgent.available))
  func aRealSSHAgentSignsWithAKeyItHolds() throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    let ed = try SSHKeyPair.generate(at: folder.appending("ed"))
    let rsa = try SSHKeyPair.generate(at: folder.appending("rsa"), type: "rsa")
    let stranger = try SSHKeyPair.generate(at: folder.appending("stranger"))
    let agent = try SSHAgent(keys: [ed.privateKey, rsa.privateKey])
    defer { agent.stop() }
    let client = SSHAgentClient(socketPath: agent.socket)
    let held = try client.keys()
    #expect(Set(held) == [try SSHPublicKey(text: ed.publicKey), try SSHPublicKey(text: rsa.publicKey)])
    for pair in [ed, rsa] {
      let signature = try client.sign(message, namespace: "git", key: SSHPublicKey(text: pair.publicKey))
      #expect(try signature.isValid(for: message, namespace: "git"))
      #expect(try keygenVerifies(signature.armored, principal: "a", allowed: "a \(pair.publicKey)\n", in: folder))
    }
    #expect(throws: SigningError.self) {
      try client.sign(message, namespace: "git", key: SSHPublicKey(text: stranger.publicKey))
    }
    #expect(throws: SigningError.self) {
      try SSHAgentClient(socketPath: folder.appending("no-agent")).keys()
    }
  }

  @Test func damagedInputIsRefusedWithAReason() throws {
    #expect(throws: SigningError.self) { try SSHSignature(armored: "hello") }
    #expect(throws: SigningError.self) {
      try SSHSignature(armored: "\(SSHSignature.begin)\nAAAA\n\(SSHSignature.end)\n")
    }
    #expect(throws: SigningError.self) { try SSHPublicKey(text: "ssh-ed25519 not-base64!") }
    #expect(throws: SigningError.self) {
      try SSHPublicKey(text: "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOhmiY8tGSmldHqdIHNpXoelHNXEyh9eK3/jaPXghwnx")
    }
    #expect(try OpenSSHPrivateKey(text: "no key here") == nil)
  }

  @Test func anEncryptedOrNonEd25519KeyFileIsLeftToSSHKeygen() throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    let rsa = try SSHKeyPair.generate(at: folder.appending("rsa"), type: "rsa")
    #expect(try OpenSSHPrivateKey(text: String(contentsOfFile: rsa.privateKey, encoding: .utf8)) == nil)
    let locked = folder.appending("locked")
    #expect(try runCommand(keygen, ["-q", "-t", "ed25519", "-N", "secret", "-f", locked]).status == 0)
    #expect(try OpenSSHPrivateKey(text: String(contentsOfFile: locked, encoding: .utf8)) == nil)
  }
}

/// The allowed-signers file as ssh-keygen reads it.
@Suite(.enabled(if: SSHServer.keygen != nil))
struct AllowedSignersTests {
  @Test func linesOptionsAndPatternsReadAsSSHKeygenReadsThem() throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    let a = try SSHKeyPair.generate(at: folder.appending("a"))
    let b = try SSHKeyPair.generate(at: folder.appending("b"))
    let text = """
      # the team
      alice,alice@example.org \(a.publicKey)
      *@example.gov,!mallory@example.gov namespaces="git,file",valid-after="20260101",valid-before="20270101Z" \(b.publicKey)

      """
    let signers = try AllowedSigners(text: text)
    #expect(signers.entries.count == 2)
    let keyA = try SSHPublicKey(text: a.publicKey)
    let keyB = try SSHPublicKey(text: b.publicKey)
    let inside = try AllowedSigners.time("20260601Z")
    #expect(signers.entries(for: keyA, at: Date(timeIntervalSince1970: 0)).count == 1)
    #expect(signers.entries(for: keyB, at: inside).first?.names("bob@example.gov") == true)
    #expect(signers.entries(for: keyB, at: inside).first?.names("mallory@example.gov") == false)
    #expect(signers.entries(for: keyB, at: inside).first?.names("bob@example.org") == false)
    #expect(signers.entries(for: keyB, at: try AllowedSigners.time("20270102Z")).isEmpty)
    #expect(signers.entries(for: keyB, namespace: "mail", at: inside).isEmpty)
    #expect(signers.text.contains("valid-before=\"20270101Z\""))
  }

  @Test func aBadLineIsRefusedWithItsNumber() throws {
    #expect {
      try AllowedSigners(
        text: "alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOhmiY8tGSmldHqdIHNpXoelHNXEyh9eK3/jaPXghwnx\nbob\n")
    } throws: { ($0 as? SigningError)?.message.hasPrefix("allowed signers line 2") == true }
    #expect(throws: SigningError.self) {
      try AllowedSigners(
        text: "alice bogus=1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOhmiY8tGSmldHqdIHNpXoelHNXEyh9eK3/jaPXghwnx\n")
    }
    #expect(throws: SigningError.self) {
      try AllowedSigners(
        text:
          "alice valid-after=\"2026\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOhmiY8tGSmldHqdIHNpXoelHNXEyh9eK3/jaPXghwnx\n"
      )
    }
  }
}
