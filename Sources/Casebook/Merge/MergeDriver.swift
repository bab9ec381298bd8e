import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// `casebook merge-yaml`: git's merge-driver protocol (`%O %A %B %P`), so that teams merging
/// with plain git get the same structural YAML merge as Casebook's own session merges.
public enum MergeDriver {
  /// What the driver did.
  public struct Outcome: Sendable, Encodable {
    public let path: String
    public let clean: Bool
    public let conflicts: [ConflictRecord]
  }

  /// Merges the three files and writes the result over `ours`. When the YAML conflicts, `ours`
  /// gets git's line merge with conflict markers (what a person resolving it expects to see)
  /// and the outcome lists the structural conflicts.
  ///
  /// The identity keys and policies are those `root/casebook.yaml`'s `merge:` section gives
  /// `path` (git runs drivers at the work tree's root, so `root` defaults to the current folder);
  /// without that file, `MergeSettings.defaults`; without `path`, only rules whose glob matches
  /// the empty path. The result is written canonically, with CRLF line ends when every line of
  /// `ours` ended so (a checkout with CRLF files keeps them).
  public static func run(
    base: String, ours: String, theirs: String, path: String?,
    root: String = FileManager.default.currentDirectoryPath
  ) throws -> Outcome {
    // No larger than the YAML reader takes, and never read past that.
    func read(_ file: String) throws -> Data {
      try System.readBounded(file, limit: Project.maxYAMLFileBytes, what: "merge input")
    }
    let name = path ?? ours
    let baseData = try read(base)
    let oursData = try read(ours)
    let theirsData = try read(theirs)
    func parse(_ data: Data, _ side: String) throws -> Node {
      do { return try YAML.parse(data) } catch {
        throw CasebookError.badInput("\(name) (\(side)): \(error.explanation)")
      }
    }
    let settings = try mergeSettings(root: root)
    let result = YAMLMerge.merge(
      base: try parse(baseData, "base"), ours: try parse(oursData, "ours"), theirs: try parse(theirsData, "theirs"),
      options: settings.options(forFile: path ?? ""))
    let output: Data
    if result.isClean {
      var text = YAML.emit(result.merged)
      if usesCRLF(oursData) { text = text.replacingEvery("\n", with: "\r\n") }
      output = Data(text.utf8)
    } else {
      output = try Repository.mergeFile(
        base: baseData, ours: oursData, theirs: theirsData, labels: (base: "base", ours: "ours", theirs: "theirs")
      ).content
    }
    do { try output.write(to: URL(fileURLWithPath: ours)) } catch {
      throw CasebookError.repository("cannot write \(ours): \(error.explanation)")
    }
    let conflicts = result.conflicts.map {
      ConflictRecord(
        file: name, path: $0.path, base: $0.base.map(YAML.emit), ours: $0.ours.map(YAML.emit),
        theirs: $0.theirs.map(YAML.emit))
    }
    return Outcome(path: name, clean: result.isClean, conflicts: conflicts)
  }

  /// The `merge:` section of the `casebook.yaml` in `root`, or the defaults when there is none.
  static func mergeSettings(root: String) throws -> MergeSettings {
    let file = System.join(root, Layout.config)
    guard System.kind(file) != nil else { return .defaults }
    let data = try System.readBounded(file, limit: Project.maxYAMLFileBytes, what: "settings")
    let node: Node
    do { node = try YAML.parse(data) } catch {
      throw CasebookError.repository("\(file): \(error.explanation)")
    }
    guard let section = node["merge"] else { return .defaults }
    return try MergeSettings(section, origin: file)
  }

  /// Whether every line of `data` ends with CRLF (and there is at least one).
  private static func usesCRLF(_ data: Data) -> Bool {
    var previous: UInt8 = 0
    var lines = 0
    for byte in data {
      if byte == 0x0A {
        guard previous == 0x0D else { return false }
        lines += 1
      }
      previous = byte
    }
    return lines > 0
  }
}
