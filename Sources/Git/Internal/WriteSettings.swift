#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What git's configuration asks of every file written into the repository, for the fast paths
/// that write objects and references themselves (LooseWriter, updateLooseReference): which files
/// to fsync (`core.fsync`, `core.fsyncObjectFiles`) and which permissions to give files and
/// folders (`core.sharedRepository`). Read once per handle, as git reads them once per process.
struct WriteSettings: Equatable {
  var fsync: FsyncComponents
  /// nil: the umask decides, as for any file (git's default).
  var shared: SharedPermission?

  /// The settings for these config values (nil = unset). Throws for a `core.sharedRepository`
  /// git itself refuses, so that nothing is written with permissions git would not give.
  init(fsync: String?, fsyncObjectFiles: String?, sharedRepository: String?) throws {
    self.fsync = FsyncComponents(configValue: fsync, objectFiles: fsyncObjectFiles)
    self.shared = try SharedPermission(configValue: sharedRepository)
  }
}

/// git's `core.fsync` components that the fast paths write (config.c, `parse_fsync_components`):
/// the value starts from git's default (pack files and derived metadata, so neither loose
/// objects nor references), `none` clears it, `-name` removes a component and `name` adds one;
/// aggregates (`objects`, `committed`, `added`, `all`, …) stand for their members; unknown names
/// are ignored, as git ignores them with a warning. `core.fsyncObjectFiles` (the older setting)
/// adds loose objects when `core.fsync` does not already decide.
struct FsyncComponents: Equatable {
  var looseObjects = false
  var references = false

  init(looseObjects: Bool = false, references: Bool = false) {
    self.looseObjects = looseObjects
    self.references = references
  }

  init(configValue: String?, objectFiles: String?) {
    if let configValue {
      var positive = FsyncComponents()
      var negative = FsyncComponents()
      var current = FsyncComponents()  // git's default holds neither component
      for raw in configValue.split(separator: ",") {
        var name = String(raw).trimmingCharacters(in: " \t")
        guard !name.isEmpty else { continue }
        if name == "none" {
          current = FsyncComponents()
          continue
        }
        let removing = name.hasPrefix("-")
        if removing { name.removeFirst() }
        guard let named = Self.named(name) else { continue }
        if removing { negative.add(named) } else { positive.add(named) }
      }
      looseObjects = (current.looseObjects && !negative.looseObjects) || positive.looseObjects
      references = (current.references && !negative.references) || positive.references
    } else if let objectFiles, ConfigBool.parse(objectFiles) == true {
      looseObjects = true
    }
  }

  private mutating func add(_ other: FsyncComponents) {
    looseObjects = looseObjects || other.looseObjects
    references = references || other.references
  }

  /// The two components a name includes; nil for a name git does not know.
  private static func named(_ name: String) -> FsyncComponents? {
    switch name {
    case "loose-object", "objects": FsyncComponents(looseObjects: true)
    case "reference": FsyncComponents(references: true)
    case "committed", "added", "all": FsyncComponents(looseObjects: true, references: true)
    case "pack", "pack-metadata", "commit-graph", "index", "derived-metadata", "default": FsyncComponents()
    default: nil
    }
  }
}

/// `core.sharedRepository` as git reads it (setup.c, `git_config_perm`) and applies it to each
/// file and folder it creates (path.c, `calc_shared_perm` and `adjust_shared_perm`).
struct SharedPermission: Equatable {
  /// The permission bits; `exact` when they replace the file's (an octal value), else they are
  /// added to it (`group`, `everybody`).
  let bits: mode_t
  let exact: Bool

  /// nil for unset, `false`, `umask` or `0`; throws for a value git refuses.
  init?(configValue: String?) throws {
    guard let raw = configValue else { return nil }
    let value = raw.lowercased()
    switch value {
    case "umask", "false", "no", "off", "0", "": return nil
    case "group", "true", "yes", "on", "1": (bits, exact) = (0o660, false)
    case "all", "world", "everybody", "2": (bits, exact) = (0o664, false)
    default:
      guard value.hasPrefix("0"), let mode = mode_t(value, radix: 8) else {
        throw GitError.system("core.sharedRepository: invalid value '\(raw)'", code: EINVAL, function: "config")
      }
      guard mode & 0o600 == 0o600 else {
        throw GitError.system(
          "core.sharedRepository: '\(raw)' leaves the owner unable to read and write", code: EINVAL, function: "config")
      }
      (bits, exact) = (mode & 0o666, true)
    }
  }

  /// The mode git gives a file or folder whose mode is `mode` (type bits included).
  func mode(for mode: mode_t) -> mode_t {
    var tweak = bits
    if mode & S_IWUSR == 0 { tweak &= ~0o222 }
    if mode & S_IXUSR != 0 { tweak |= (tweak & 0o444) >> 2 }
    var result = exact ? (mode & ~0o777) | tweak : mode | tweak
    if mode & S_IFMT == S_IFDIR {
      result |= (result & 0o444) >> 2
      // Set-group-id only where the group is granted something (git: FORCE_DIR_SET_GID).
      if result & 0o060 != 0 { result |= S_ISGID }
    }
    return result
  }

  /// Applies `mode(for:)` to the file or folder `name` in `directory`; false when that fails.
  func adjust(_ file: (directory: Int32, name: String)) -> Bool {
    var info = stat()
    guard fstatat(file.directory, file.name, &info, 0) == 0 else { return false }
    let wanted = mode(for: info.st_mode)
    guard (wanted ^ info.st_mode) & ~S_IFMT != 0 else { return true }
    return fchmodat(file.directory, file.name, wanted & ~S_IFMT, 0) == 0
  }
}

/// git's boolean config values.
enum ConfigBool {
  static func parse(_ value: String) -> Bool? {
    switch value.lowercased() {
    case "true", "yes", "on", "1": true
    case "false", "no", "off", "0", "": false
    default: Int(value).map { $0 != 0 }
    }
  }
}

extension String {
  /// The string without leading and trailing characters of `set`.
  fileprivate func trimmingCharacters(in set: String) -> String {
    let scalars = Set(set.unicodeScalars)
    var view = Substring(self)
    while let first = view.unicodeScalars.first, scalars.contains(first) { view = view.dropFirst() }
    while let last = view.unicodeScalars.last, scalars.contains(last) { view = view.dropLast() }
    return String(view)
  }
}
