internal import CGit2

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Repository {
  /// The best common ancestor of two commits, nil when they share no history.
  public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws -> ObjectID? {
    var one = a.oid
    var two = b.oid
    var out = git_oid()
    let rc = git_merge_base(&out, handle, &one, &two)
    if rc == GIT_ENOTFOUND.rawValue {
      git_error_clear()
      return nil
    }
    try check(rc, "git_merge_base")
    return ObjectID(out)
  }

  /// 3-way tree merge (`git_merge_trees`). Paths changed on only one side are taken, identical
  /// changes on both sides are taken, and every path changed differently on both sides
  /// (modify/modify, modify/delete, add/add) is reported as a `TreeConflict`, with no textual
  /// automerge attempted (the "binary" merge driver), so that the caller merges content itself.
  /// Renames are not detected: a rename is a delete plus an add. `ancestor` nil = empty tree.
  public func mergeTrees(ancestor: ObjectID?, ours: ObjectID, theirs: ObjectID) throws -> TreeMerge {
    var ancestorTree: OpaquePointer?
    if let ancestor { ancestorTree = try lookupTree(ancestor) }
    defer { git_tree_free(ancestorTree) }
    let ourTree = try lookupTree(ours)
    defer { git_tree_free(ourTree) }
    let theirTree = try lookupTree(theirs)
    defer { git_tree_free(theirTree) }

    var options = git_merge_options()
    try check(
      git_merge_options_init(&options, UInt32(GIT_MERGE_OPTIONS_VERSION)), "git_merge_options_init")
    // No rename detection (its default is on), and no resolve-undo data nobody reads.
    options.flags = GIT_MERGE_SKIP_REUC.rawValue
    var index: OpaquePointer?
    try "binary".withCString { driver in
      options.default_driver = driver
      try check(
        git_merge_trees(&index, handle, ancestorTree, ourTree, theirTree, &options),
        "git_merge_trees")
    }
    return try TreeMerge(owning: index!, in: self)
  }

  /// 3-way merge of one file's content (`git_merge_file`); `labels` name the sides in conflict
  /// markers. `base` nil = empty. `diff3` writes conflicts in diff3 style (with a `|||||||` base
  /// part). Needs no repository.
  public static func mergeFile(
    base: Data?, ours: Data, theirs: Data, labels: (base: String, ours: String, theirs: String),
    diff3: Bool = false
  ) throws -> MergeFileResult {
    Library.ensureInitialized()
    var options = git_merge_file_options()
    try check(
      git_merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)),
      "git_merge_file_options_init")
    // diff3 style adds the base's lines to each conflict, so a caller can tell insertions at the
    // same place (empty base) from edits of the same lines.
    if diff3 { options.flags = GIT_MERGE_FILE_STYLE_DIFF3.rawValue }
    var result = git_merge_file_result()
    let base = base ?? Data()
    try base.withUnsafeBytes { baseBytes in
      try ours.withUnsafeBytes { ourBytes in
        try theirs.withUnsafeBytes { theirBytes in
          try labels.base.withCString { baseLabel in
            try labels.ours.withCString { ourLabel in
              try labels.theirs.withCString { theirLabel in
                options.ancestor_label = baseLabel
                options.our_label = ourLabel
                options.their_label = theirLabel
                var baseInput = try Repository.mergeInput(baseBytes)
                var ourInput = try Repository.mergeInput(ourBytes)
                var theirInput = try Repository.mergeInput(theirBytes)
                try check(
                  git_merge_file(&result, &baseInput, &ourInput, &theirInput, &options),
                  "git_merge_file")
              }
            }
          }
        }
      }
    }
    defer { git_merge_file_result_free(&result) }
    let content = result.ptr.map { Data(bytes: $0, count: result.len) } ?? Data()
    return MergeFileResult(content: content, automergeable: result.automergeable != 0)
  }

  /// Same as `Repository.mergeFile(base:ours:theirs:labels:)`, callable on an instance.
  public func mergeFile(
    base: Data?, ours: Data, theirs: Data, labels: (base: String, ours: String, theirs: String)
  ) throws -> MergeFileResult {
    try Repository.mergeFile(base: base, ours: ours, theirs: theirs, labels: labels)
  }

  /// A merge input over borrowed bytes.
  private static func mergeInput(_ bytes: UnsafeRawBufferPointer) throws -> git_merge_file_input {
    var input = git_merge_file_input()
    try check(
      git_merge_file_input_init(&input, UInt32(GIT_MERGE_FILE_INPUT_VERSION)),
      "git_merge_file_input_init")
    input.ptr = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
    input.size = bytes.count
    return input
  }
}
