import Git
import YAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Project {
  /// The tree of main and a session merged three ways. Paths changed on one side only are
  /// taken as they are; a path changed on both sides is merged by content: YAML structurally,
  /// Markdown and other text line by line. Throws `.conflict` listing every conflict found.
  func mergedTree(base: ObjectID?, main: ObjectID, session: ObjectID) throws -> ObjectID {
    let outcome = try merge(base: base, main: main, session: session)
    guard outcome.isClean else {
      throw CasebookError.conflict(
        "the session conflicts with main in \(outcome.conflicts.count) place(s); nothing was written", outcome.conflicts
      )
    }
    return try repository.buildTree(base: outcome.mainTree, changes: outcome.changes)
  }

  /// A merge's result: main's tree and the changes that bring the session in, or the conflicts
  /// left. The tree is written by the caller, with any changes of its own, so that a merge that
  /// also rewrites the session file writes one tree, not two.
  struct MergeOutcome {
    let mainTree: ObjectID
    let changes: [String: TreeChange]
    let conflicts: [ConflictRecord]
    var isClean: Bool { conflicts.isEmpty }
  }

  /// Merges main and a session, settling conflicts recorded as resolved with `resolutions`.
  ///
  /// Diff-driven: only what the session changed since `base` is read (`diffMerge`), and the
  /// result is main's tree with those changes written in (`buildTree`), so the cost follows the
  /// session's change, not the size of main (5,000 exchanges on main cost nothing here).
  func merge(
    base: ObjectID?, main: ObjectID, session: ObjectID, resolutions: ConflictResolutions = ConflictResolutions()
  ) throws -> MergeOutcome {
    let baseTree = try base.map { try repository.treeID(ofCommit: $0) }
    let mainTree = try repository.treeID(ofCommit: main)
    let sessionTree = try repository.treeID(ofCommit: session)
    let plan = try repository.diffMerge(ancestor: baseTree, ours: mainTree, theirs: sessionTree)
    var changes = plan.changes
    var conflicts: [ConflictRecord] = []
    for conflict in plan.conflicts {
      switch try resolve(conflict, resolutions: resolutions) {
      case .success(let change): changes[conflict.path] = change
      case .failure(let records): conflicts += records
      }
    }
    for violation in try lockViolations(baseTree: baseTree, mainTree: mainTree, changes: plan.theirChanges) {
      if resolutions.choice(file: violation.file, path: "") == .ours {
        // Keep main's committed text: the session's change to a locked section is dropped.
        changes[violation.file] =
          try repository.entry(at: violation.file, inTree: mainTree).map { .blob($0.id) } ?? .remove
      } else {
        conflicts.append(violation)
      }
    }
    guard conflicts.isEmpty else { return MergeOutcome(mainTree: mainTree, changes: [:], conflicts: conflicts) }
    try validateMerged(changes)
    return MergeOutcome(mainTree: mainTree, changes: changes, conflicts: [])
  }

  /// Refuses a clean merge whose result a command would have refused: a profile that fails the
  /// schema (as `profile set` checks it), a section text that breaks the section rules, a
  /// section record that does not read. Every merge (`session merge`, `refresh`, `resume`,
  /// `section commit` and the last `resolve`, which merges the resolutions in) passes here
  /// before anything is written, so no resolution can land what `profile set` refuses.
  private func validateMerged(_ changes: [String: TreeChange]) throws {
    func refuse(_ path: String, _ why: String) -> CasebookError {
      .badInput("the merge would leave \(path) invalid (\(why)); nothing was written")
    }
    for (path, change) in changes {
      let id: ObjectID
      switch change {
      case .blob(let blob), .executable(let blob): id = blob
      case .remove:
        if path == Layout.profile { throw refuse(path, "it would be removed") }
        continue
      }
      if path == Layout.profile {
        do {
          try ProfileSchema.validate(try Self.parseYAML(repository.blob(id), what: path), projectID: settings.projectID)
        } catch let error as CasebookError {
          throw refuse(path, error.errorDescription ?? "\(error)")
        }
      } else if path.hasPrefix("sections/"), !path.dropFirst("sections/".count).contains("/") {
        let data = try repository.blob(id)
        do {
          if path.hasSuffix(".md") {
            guard let text = String(data: data, encoding: .utf8) else { throw CasebookError.badInput("not UTF-8 text") }
            try Self.checkContent(text)
          } else if path.hasSuffix(".yaml") {
            guard let map = try Self.parseYAML(data, what: path).mapping else {
              throw CasebookError.badInput("not a YAML mapping")
            }
            _ = try SectionRecord(map, path: path)
          }
        } catch let error as CasebookError {
          throw refuse(path, error.errorDescription ?? "\(error)")
        }
      }
    }
  }

  private enum Resolution {
    case success(TreeChange)
    case failure([ConflictRecord])
  }

  private func resolve(_ conflict: TreeConflict, resolutions: ConflictResolutions) throws -> Resolution {
    let path = conflict.path
    func data(_ id: ObjectID?) throws -> Data? { try id.map { try repository.blob($0) } }
    if let text = resolutions.files[path] {
      return .success(.blob(try repository.createBlob(Data(text.utf8))))
    }
    switch resolutions.choice(file: path, path: "") {
    case .ours: return .success(conflict.ours.map { .blob($0) } ?? .remove)
    case .theirs: return .success(conflict.theirs.map { .blob($0) } ?? .remove)
    case .value(let text?): return .success(.blob(try repository.createBlob(Data(text.utf8))))
    case .value(nil): return .success(.remove)
    case nil: break
    }
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
      return try mergeYAML(path: path, base: base, ours: ours, theirs: theirs, resolutions: resolutions)
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

  private func mergeYAML(
    path: String, base: Data?, ours: Data, theirs: Data, resolutions: ConflictResolutions
  ) throws -> Resolution {
    func parse(_ data: Data, side: String) throws -> Node {
      do { return try YAML.parse(data) } catch {
        throw CasebookError.repository("\(path) on \(side) does not parse: \(error.explanation)")
      }
    }
    let result = YAMLMerge.merge(
      base: try base.map { try parse($0, side: "the merge base") }, ours: try parse(ours, side: "main"),
      theirs: try parse(theirs, side: "the session"), options: mergeOptions(forFile: path))
    var merged = result.merged
    var open: [MergeConflict] = []
    for conflict in result.conflicts {
      switch resolutions.choice(file: path, path: conflict.path) {
      case .ours: merged = try ConflictPath.setting(conflict.ours, at: conflict.path, in: merged)
      case .theirs: merged = try ConflictPath.setting(conflict.theirs, at: conflict.path, in: merged)
      case .value(let text):
        let node = try text.map {
          try Self.parseYAML(Data($0.utf8), what: "the resolution of \(path)#\(conflict.path)")
        }
        merged = try ConflictPath.setting(node, at: conflict.path, in: merged)
      case nil: open.append(conflict)
      }
    }
    guard open.isEmpty else {
      return .failure(
        open.map {
          ConflictRecord(
            file: path, path: $0.path, base: $0.base.map(YAML.emit), ours: $0.ours.map(YAML.emit),
            theirs: $0.theirs.map(YAML.emit))
        })
    }
    return .success(.blob(try repository.createBlob(Data(YAML.emit(merged).utf8))))
  }

  /// A section committed and locked on main may not be changed by a session that branched
  /// before the commit: that is a conflict even when the texts would merge.
  private func lockViolations(baseTree: ObjectID?, mainTree: ObjectID, changes: [PathChange]) throws
    -> [ConflictRecord]
  {
    var out: [ConflictRecord] = []
    for change in changes {
      guard change.path.hasPrefix("sections/"), change.path.hasSuffix(".md") else { continue }
      guard let id = try? SectionID(String(change.path.dropFirst("sections/".count).dropLast(".md".count))) else {
        continue
      }
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
            file: change.path, path: "", base: nil, ours: ConflictRecord.lockedOnMain,
            theirs: "(changed in this session)"))
      }
    }
    return out
  }
}
