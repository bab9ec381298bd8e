import Foundation
import Git
import YAML

extension Project {
  /// The tree of main and a session merged three ways. Paths changed on one side only are
  /// taken as they are; a path changed on both sides is merged by content: YAML structurally,
  /// Markdown and other text line by line. Throws `.conflict` listing every conflict found.
  func mergedTree(base: ObjectID?, main: ObjectID, session: ObjectID) throws -> ObjectID {
    let baseTree = try base.map { try repository.treeID(ofCommit: $0) }
    let mainTree = try repository.treeID(ofCommit: main)
    let sessionTree = try repository.treeID(ofCommit: session)
    let merge = try repository.mergeTrees(ancestor: baseTree, ours: mainTree, theirs: sessionTree)
    var resolutions: [String: TreeChange] = [:]
    var conflicts: [ConflictRecord] = []
    for conflict in merge.conflicts {
      switch try resolve(conflict) {
      case .success(let change): resolutions[conflict.path] = change
      case .failure(let records): conflicts += records
      }
    }
    conflicts += try lockViolations(baseTree: baseTree, mainTree: mainTree, sessionTree: sessionTree)
    guard conflicts.isEmpty else {
      throw CasebookError.conflict("the session conflicts with main in \(conflicts.count) place(s); nothing was written", conflicts)
    }
    return try merge.writeTree(resolutions: resolutions)
  }

  private enum Resolution {
    case success(TreeChange)
    case failure([ConflictRecord])
  }

  private func resolve(_ conflict: TreeConflict) throws -> Resolution {
    let path = conflict.path
    func data(_ id: ObjectID?) throws -> Data? { try id.map { try repository.blob($0) } }
    guard let oursID = conflict.ours, let theirsID = conflict.theirs else {
      // Deleted on one side and changed on the other: a person decides.
      let describe: (ObjectID?) -> String? = { $0 == nil ? nil : "(file, blob \($0!.hex.prefix(12)))" }
      return .failure([
        ConflictRecord(
          file: path, path: "", base: describe(conflict.ancestor), ours: describe(conflict.ours),
          theirs: describe(conflict.theirs))
      ])
    }
    let base = try data(conflict.ancestor)
    let ours = try repository.blob(oursID)
    let theirs = try repository.blob(theirsID)
    if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
      return try mergeYAML(path: path, base: base, ours: ours, theirs: theirs)
    }
    let merged = try Repository.mergeFile(
      base: base, ours: ours, theirs: theirs, labels: (base: "base", ours: "main", theirs: "session"))
    if merged.automergeable {
      return .success(.blob(try repository.createBlob(merged.content)))
    }
    return .failure([
      ConflictRecord(
        file: path, path: "", base: base.map { String(decoding: $0, as: UTF8.self) },
        ours: String(decoding: ours, as: UTF8.self), theirs: String(decoding: theirs, as: UTF8.self))
    ])
  }

  private func mergeYAML(path: String, base: Data?, ours: Data, theirs: Data) throws -> Resolution {
    func parse(_ data: Data, side: String) throws -> Node {
      do { return try YAML.parse(data) } catch {
        throw CasebookError.repository("\(path) on \(side) does not parse: \(error.localizedDescription)")
      }
    }
    let result = YAMLMerge.merge(
      base: try base.map { try parse($0, side: "the merge base") }, ours: try parse(ours, side: "main"),
      theirs: try parse(theirs, side: "the session"), options: mergeOptions(forFile: path))
    guard result.isClean else {
      return .failure(
        result.conflicts.map {
          ConflictRecord(
            file: path, path: $0.path, base: $0.base.map(YAML.emit), ours: $0.ours.map(YAML.emit),
            theirs: $0.theirs.map(YAML.emit))
        })
    }
    return .success(.blob(try repository.createBlob(Data(YAML.emit(result.merged).utf8))))
  }

  /// A section committed and locked on main may not be changed by a session that branched
  /// before the commit: that is a conflict even when the texts would merge.
  private func lockViolations(baseTree: ObjectID?, mainTree: ObjectID, sessionTree: ObjectID) throws
    -> [ConflictRecord]
  {
    var out: [ConflictRecord] = []
    for change in try repository.changedPaths(from: baseTree, to: sessionTree) {
      guard change.path.hasPrefix("sections/"), change.path.hasSuffix(".md") else { continue }
      let id = String(change.path.dropFirst("sections/".count).dropLast(".md".count))
      let metaPath = Layout.sectionMeta(id)
      guard let mainMeta = try repository.entry(at: metaPath, inTree: mainTree),
        let baseMeta = try baseTree.flatMap({ try repository.entry(at: metaPath, inTree: $0) }),
        mainMeta.id != baseMeta.id,
        let node = try? YAML.parse(repository.blob(mainMeta.id)), node["locked"]?.bool == true
      else { continue }
      // Locked on main after the session branched, and the session changed the text.
      let mainContent = try repository.entry(at: change.path, inTree: mainTree)?.id
      if mainContent != change.new {
        out.append(
          ConflictRecord(
            file: change.path, path: "", base: nil, ours: "(committed and locked on main)",
            theirs: "(changed in this session)"))
      }
    }
    return out
  }
}
