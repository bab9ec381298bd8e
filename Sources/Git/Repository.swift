internal import CGit2

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

/// An open git repository: one `git_repository*`, kept open for the life of this object and
/// freed when it goes away.
///
/// Not Sendable: libgit2 allows one repository handle to be used by one thread at a time.
/// Open one `Repository` per task or thread instead of sharing one.
public final class Repository {
  /// The owned libgit2 handle.
  let handle: OpaquePointer
  /// The repository's object database, kept for cheap header reads (`blobSize`).
  let odb: OpaquePointer

  /// Writes new objects without `git_odb_write`'s per-object pack rescan (ObjectWriter).
  let looseWriter: LooseWriter
  /// The folder of shared references (the git directory, but for a linked worktree), held open
  /// for the loose-reference reads and writes (Repository+LooseReference).
  let commonDirectory: OpenDirectory
  /// What this handle wrote lately, served back to libgit2 from memory (RecentObjects).
  let recentObjects = RecentObjects()

  /// Whether and which reference updates libgit2 logs here, read from the config once per handle
  /// (as libgit2 caches it); nil when the setting does not parse, which leaves every update to
  /// libgit2.
  lazy var reflogPolicy: ReflogPolicy? = ReflogPolicy(
    configValue: configString("core.logAllRefUpdates"), bare: isBare)

  /// What git's config asks of written files (fsync, shared permissions), read once per handle;
  /// nil when it holds a value git refuses, which leaves those writes to libgit2.
  lazy var writeSettings: WriteSettings? = try? WriteSettings(
    fsync: configString("core.fsync"), fsyncObjectFiles: configString("core.fsyncObjectFiles"),
    sharedRepository: configString("core.sharedRepository"))

  /// The name and email reflog entries record, once `setReflogIdentity` has set them.
  var reflogIdentity: (name: String, email: String)?

  /// The absolute path of the git directory (the bare repository, or ".git"), no trailing slash.
  public let gitDirectory: String
  /// The absolute path of the working directory, no trailing slash; nil when bare.
  public let workingDirectory: String?

  /// Takes ownership of `handle`.
  init(owning handle: OpaquePointer) throws {
    var odb: OpaquePointer?
    let rc = git_repository_odb(&odb, handle)
    if rc < 0 {
      let error = lastError(rc, "git_repository_odb")
      git_repository_free(handle)
      throw error
    }
    self.handle = handle
    self.odb = odb!
    gitDirectory = Repository.trimmed(String(cString: git_repository_path(handle)))
    workingDirectory = git_repository_workdir(handle).map {
      Repository.trimmed(String(cString: $0))
    }
    // The common folder, which holds `objects/` and shared references also for a linked
    // worktree's repository.
    let common = Repository.trimmed(String(cString: git_repository_commondir(handle)))
    looseWriter = LooseWriter(objectsDirectory: common + "/objects")
    commonDirectory = OpenDirectory(common)
    _ = recentObjects.register(in: self.odb)
  }

  deinit {
    git_odb_free(odb)
    git_repository_free(handle)
  }

  /// Whether the repository has no working directory.
  public var isBare: Bool { workingDirectory == nil }

  /// Creates a repository at `path` (making missing parent directories), with HEAD pointing at
  /// the unborn branch `refs/heads/<initialBranch>`.
  public static func create(at path: String, bare: Bool, initialBranch: String = "main") throws
    -> Repository
  {
    Library.ensureInitialized()
    var options = git_repository_init_options()
    try check(
      git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
      "git_repository_init_options_init")
    options.flags =
      GIT_REPOSITORY_INIT_MKPATH.rawValue | (bare ? GIT_REPOSITORY_INIT_BARE.rawValue : 0)
    var out: OpaquePointer?
    try initialBranch.withCString { branch in
      options.initial_head = branch
      try check(git_repository_init_ext(&out, path, &options), "git_repository_init_ext")
    }
    return try Repository(owning: out!)
  }

  /// Opens the repository at exactly `path`: a bare repository, a ".git" directory, or a working
  /// directory containing ".git". Does not search parent directories.
  public static func open(at path: String) throws -> Repository {
    Library.ensureInitialized()
    var out: OpaquePointer?
    try check(
      git_repository_open_ext(&out, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
      "git_repository_open_ext")
    return try Repository(owning: out!)
  }

  /// Opens the repository containing `path`, walking up parent directories as git does.
  public static func discover(from path: String) throws -> Repository {
    Library.ensureInitialized()
    var out: OpaquePointer?
    let rc = git_repository_open_ext(&out, path, 0, nil)
    if rc == GIT_ENOTFOUND.rawValue, let foreign = foreignRepository(around: path) {
      // libgit2 1.5 refuses a repository another user owns (git's safe.directory check), but
      // reports it as "config value 'safe.directory' was not found" (GIT_ENOTFOUND).
      git_error_clear()
      throw GitError(
        code: GIT_EOWNER.rawValue, klass: Int32(GIT_ERROR_CONFIG.rawValue),
        message:
          "repository path '\(foreign.path)' is owned by user id \(foreign.owner), not by the current user (\(geteuid()))",
        function: "git_repository_open_ext")
    }
    try check(rc, "git_repository_open_ext")
    return try Repository(owning: out!)
  }

  /// The nearest repository at or above `path` (a folder holding `.git`, or a bare repository)
  /// when another user owns it; nil otherwise.
  static func foreignRepository(around path: String) -> (path: String, owner: uid_t)? {
    var folder = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    for _ in 0..<256 {  // bounded by the path's depth
      var info = stat()
      for candidate in [folder + "/.git", folder] {
        let bare = candidate == folder
        if bare {
          var head = stat()
          var objects = stat()
          guard stat(folder + "/HEAD", &head) == 0, stat(folder + "/objects", &objects) == 0 else { continue }
        }
        guard stat(candidate, &info) == 0 else { continue }
        return info.st_uid == geteuid() ? nil : (folder, info.st_uid)
      }
      guard let slash = folder.lastIndex(of: "/"), folder != "/" else { return nil }
      folder = slash == folder.startIndex ? "/" : String(folder[..<slash])
    }
    return nil
  }

  /// The id of the empty tree. `buildTree` writes it when a result is empty, so it exists in
  /// the object database whenever this module hands it out.
  public static let emptyTree = ObjectID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904")!

  /// libgit2 reports directories with a trailing "/"; the API promises none.
  private static func trimmed(_ path: String) -> String {
    var path = path
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    return path
  }
}
