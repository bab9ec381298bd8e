import Foundation
import Git
import YAML

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
  public static func run(base: String, ours: String, theirs: String, path: String?) throws -> Outcome {
    func read(_ file: String) throws -> Data {
      guard let data = FileManager.default.contents(atPath: file) else {
        throw CasebookError.badInput("cannot read \(file)")
      }
      return data
    }
    let name = path ?? ours
    let baseData = try read(base)
    let oursData = try read(ours)
    let theirsData = try read(theirs)
    func parse(_ data: Data, _ side: String) throws -> Node {
      do { return try YAML.parse(data) } catch {
        throw CasebookError.badInput("\(name) (\(side)): \(error.localizedDescription)")
      }
    }
    let result = YAMLMerge.merge(
      base: try parse(baseData, "base"), ours: try parse(oursData, "ours"), theirs: try parse(theirsData, "theirs"),
      options: Project.mergeOptions)
    let output: Data
    if result.isClean {
      output = Data(YAML.emit(result.merged).utf8)
    } else {
      output = try Repository.mergeFile(
        base: baseData, ours: oursData, theirs: theirsData, labels: (base: "base", ours: "ours", theirs: "theirs")
      ).content
    }
    do { try output.write(to: URL(fileURLWithPath: ours)) } catch {
      throw CasebookError.repository("cannot write \(ours): \(error.localizedDescription)")
    }
    let conflicts = result.conflicts.map {
      ConflictRecord(
        file: name, path: $0.path, base: $0.base.map(YAML.emit), ours: $0.ours.map(YAML.emit),
        theirs: $0.theirs.map(YAML.emit))
    }
    return Outcome(path: name, clean: result.isClean, conflicts: conflicts)
  }
}
