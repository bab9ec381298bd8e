import Foundation
import Git
import TestSupport
import Testing

@Suite("Repository: create, open, discover, config")
struct RepositoryTests {
  @Test("create makes a non-bare repository with HEAD on the initial branch")
  func createNonBare() throws {
    let dir = try TemporaryDirectory()
    let repo = try Repository.create(
      at: dir.appending("a/b/work"), bare: false, initialBranch: "trunk")
    #expect(!repo.isBare)
    #expect(repo.workingDirectory == dir.appending("a/b/work"))
    #expect(repo.gitDirectory == dir.appending("a/b/work/.git"))
    #expect(try repo.headBranch() == "refs/heads/trunk")
    #expect(try repo.referenceTarget("HEAD") == nil)
    let status = try runGit(["symbolic-ref", "HEAD"], in: dir.appending("a/b/work"))
    #expect(status.stdout == "refs/heads/trunk\n")
  }

  @Test("create makes a bare repository")
  func createBare() throws {
    let dir = try TemporaryDirectory()
    let repo = try Repository.create(at: dir.appending("store.git"), bare: true)
    #expect(repo.isBare)
    #expect(repo.workingDirectory == nil)
    #expect(repo.gitDirectory == dir.appending("store.git"))
    #expect(try repo.headBranch() == "refs/heads/main")
    let result = try runGit(["rev-parse", "--is-bare-repository"], in: dir.appending("store.git"))
    #expect(result.stdout == "true\n")
  }

  @Test("open takes a workdir, a .git directory or a bare directory, but does not search upwards")
  func openExact() throws {
    let dir = try TemporaryDirectory()
    _ = try Repository.create(at: dir.appending("work"), bare: false)
    _ = try Repository.create(at: dir.appending("bare.git"), bare: true)
    #expect(
      try Repository.open(at: dir.appending("work")).gitDirectory == dir.appending("work/.git"))
    #expect(
      try Repository.open(at: dir.appending("work/.git")).workingDirectory == dir.appending("work"))
    #expect(try Repository.open(at: dir.appending("bare.git")).isBare)
    try FileManager.default.createDirectory(
      atPath: dir.appending("work/x/y"), withIntermediateDirectories: true)
    let error = try #require(throws: GitError.self) {
      try Repository.open(at: dir.appending("work/x/y"))
    }
    #expect(error.isNotFound)
  }

  @Test("discover walks up from a nested subdirectory, for non-bare and bare repositories")
  func discover() throws {
    let dir = try TemporaryDirectory()
    _ = try Repository.create(at: dir.appending("work"), bare: false)
    try FileManager.default.createDirectory(
      atPath: dir.appending("work/a/b/c"), withIntermediateDirectories: true)
    let found = try Repository.discover(from: dir.appending("work/a/b/c"))
    #expect(found.workingDirectory == dir.appending("work"))
    _ = try Repository.create(at: dir.appending("bare.git"), bare: true)
    let bare = try Repository.discover(from: dir.appending("bare.git/refs/heads"))
    #expect(bare.gitDirectory == dir.appending("bare.git"))
    #expect(bare.isBare)
  }

  @Test("discover outside any repository is not found")
  func discoverNothing() throws {
    let dir = try TemporaryDirectory()
    let error = try #require(throws: GitError.self) { try Repository.discover(from: dir.path) }
    #expect(error.isNotFound)
    #expect(error.errorDescription?.hasPrefix("git_repository_open_ext: ") == true)
  }

  @Test("configString reads values set by setConfigString and by the git CLI")
  func config() throws {
    let fixture = try Fixture()
    let repo = fixture.repository
    #expect(repo.configString("casebook.nothing") == nil)
    try repo.setConfigString("casebook.mode", "strict")
    #expect(repo.configString("casebook.mode") == "strict")
    #expect(try fixture.git("config", "--local", "casebook.mode") == "strict\n")
    try fixture.git("config", "--local", "casebook.owner", "team a")
    #expect(repo.configString("casebook.owner") == "team a")
    #expect(Repository.emptyTree.hex == "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
  }
}
