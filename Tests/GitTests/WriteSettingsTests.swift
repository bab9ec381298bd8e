import Foundation
import TestSupport
import Testing

@testable import Git

/// The fast paths that write objects and references themselves follow git's settings: fsync as
/// `core.fsync` asks, permissions as `core.sharedRepository` gives them, and reflog entries
/// where git keeps a reflog, in the format git and libgit2 write. Each is checked against what
/// the real git CLI does in a repository with the same setting.
@Suite("fast paths honour git's write settings")
struct WriteSettingsTests {
  @Test(
    "core.fsync components as git's parse_fsync_components reads them",
    arguments: [
      (nil, nil, false, false),
      (nil, "true", true, false),
      ("loose-object", "false", true, false),
      ("reference", nil, false, true),
      ("objects", nil, true, false),
      ("committed", nil, true, true),
      ("all,-reference", nil, true, true),  // git: (default & ~negative) | positive, and all is positive
      ("default,-reference,loose-object", nil, true, false),
      ("all,none", nil, true, true),  // none clears the default, not what the list adds
      ("none", "true", false, false),  // core.fsync decides over the older setting
      ("pack,index,unknown-thing", nil, false, false),
      (" reference , loose-object ", nil, true, true),
    ] as [(String?, String?, Bool, Bool)])
  func fsyncComponents(_ value: String?, _ objectFiles: String?, _ objects: Bool, _ references: Bool) {
    let parsed = FsyncComponents(configValue: value, objectFiles: objectFiles)
    #expect(parsed.looseObjects == objects && parsed.references == references, "\(value ?? "unset")")
  }

  @Test("core.sharedRepository values as git_config_perm reads them")
  func sharedValues() throws {
    #expect(try SharedPermission(configValue: nil) == nil)
    #expect(try SharedPermission(configValue: "umask") == nil)
    #expect(try SharedPermission(configValue: "false") == nil)
    #expect(try SharedPermission(configValue: "group") == SharedPermission(configValue: "true"))
    #expect(try SharedPermission(configValue: "all") == SharedPermission(configValue: "everybody"))
    #expect(try SharedPermission(configValue: "0640")?.exact == true)
    #expect(throws: GitError.self) { try SharedPermission(configValue: "0440") }  // owner cannot write
    #expect(throws: GitError.self) { try SharedPermission(configValue: "sometimes") }
  }

  /// The modes of a loose object and its fan-out folder, as `ls` would show them.
  static func modes(_ repo: String, _ id: String) throws -> (folder: Int, file: Int) {
    let folder = try FileManager.default.attributesOfItem(atPath: "\(repo)/.git/objects/\(id.prefix(2))")
    let file = try FileManager.default.attributesOfItem(
      atPath: "\(repo)/.git/objects/\(id.prefix(2))/\(id.dropFirst(2))")
    return ((folder[.posixPermissions] as! NSNumber).intValue, (file[.posixPermissions] as! NSNumber).intValue)
  }

  @Test(
    "core.sharedRepository: objects and folders get the modes git gives them",
    arguments: ["group", "everybody", "0640", "0600", "umask"])
  func sharedObjects(_ value: String) throws {
    // Two repositories with the setting: git writes a blob into one, this module the same
    // blob into the other, each into a fan-out folder that did not exist.
    let ours = try Fixture()
    let theirs = try Fixture()
    for fixture in [ours, theirs] { try fixture.git("config", "core.sharedRepository", value) }
    let text = "shared \(value)\n"
    let file = theirs.directory.appending("blob.txt")
    try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    let id = try theirs.git("hash-object", "-w", file).trimmingCharacters(in: .whitespacesAndNewlines)
    let written = try Repository.open(at: ours.path).createBlob(Data(text.utf8))
    #expect(written.hex == id)
    let mine = try Self.modes(ours.path, id)
    let gits = try Self.modes(theirs.path, id)
    #expect(mine.file == gits.file, "object: \(String(mine.file, radix: 8)) vs git's \(String(gits.file, radix: 8))")
    #expect(
      mine.folder & 0o7777 == gits.folder & 0o7777,
      "folder: \(String(mine.folder, radix: 8)) vs git's \(String(gits.folder, radix: 8))")
  }

  @Test("a reflog entry written by the fast path reads as libgit2's and git's own")
  func reflogEntries() throws {
    // A repository with a working tree logs branch updates. The fast path takes a loose
    // reference; one only in packed-refs goes through libgit2: the two entries must agree.
    let fixture = try Fixture()
    let repo = fixture.repository
    try repo.setReflogIdentity(name: "Ada Lovelace", email: "ada@example.com")
    let one = try fixture.commit(["a": "1\n"])
    let two = try fixture.commit(["a": "2\n"], parents: [one])
    for branch in ["refs/heads/sessions/fast", "refs/heads/sessions/packed"] {
      try repo.updateReference(branch, to: one, expected: nil, message: "start")
    }
    try fixture.git("pack-refs", "--all")
    try fixture.git("update-ref", "refs/heads/sessions/fast", one.hex)  // loose again, not logged by git here
    let before = try fixture.git("reflog", "show", "--format=%gs", "refs/heads/sessions/fast")
    for branch in ["refs/heads/sessions/fast", "refs/heads/sessions/packed"] {
      try repo.updateReference(branch, to: two, expected: one, message: "casebook: revise s1\nsecond line  ")
    }
    func lastEntry(_ branch: String) throws -> String {
      let log = try String(contentsOfFile: fixture.path + "/.git/logs/" + branch, encoding: .utf8)
      return String(log.split(separator: "\n").last ?? "")
    }
    let fast = try lastEntry("refs/heads/sessions/fast")
    let packed = try lastEntry("refs/heads/sessions/packed")
    // Equal but for the time, which may differ by a second.
    func withoutTime(_ line: String) -> String {
      line.replacingOccurrences(of: #"> \d+ "#, with: "> T ", options: .regularExpression)
    }
    #expect(withoutTime(fast) == withoutTime(packed), "\(fast)\n\(packed)")
    #expect(fast.hasPrefix("\(one.hex) \(two.hex) Ada Lovelace <ada@example.com> "), "\(fast)")
    #expect(fast.hasSuffix("\tcasebook: revise s1 second line"), "\(fast)")
    let shown = try fixture.git("reflog", "show", "--format=%gn <%ge> %gs", "refs/heads/sessions/fast")
    #expect(shown.hasPrefix("Ada Lovelace <ada@example.com> casebook: revise s1 second line\n"), "\(shown)\n\(before)")
    try fixture.expectFsckClean()
  }
}
