internal import CGit2

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Repository {
  /// Paths of files that differ between two trees (either may be nil = empty tree), sorted by
  /// path. Compares ids only; no content is loaded and renames are not detected.
  public func changedPaths(from old: ObjectID?, to new: ObjectID?) throws -> [PathChange] {
    var oldTree: OpaquePointer?
    if let old { oldTree = try lookupTree(old) }
    defer { git_tree_free(oldTree) }
    var newTree: OpaquePointer?
    if let new { newTree = try lookupTree(new) }
    defer { git_tree_free(newTree) }
    var diff: OpaquePointer?
    try check(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil), "git_diff_tree_to_tree")
    defer { git_diff_free(diff) }
    let count = git_diff_num_deltas(diff)
    var out = [PathChange]()
    out.reserveCapacity(count)
    for index in 0..<count {
      guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
      let oldID = ObjectID(delta.old_file.id)
      let newID = ObjectID(delta.new_file.id)
      let path = String(cString: (delta.new_file.path ?? delta.old_file.path)!)
      out.append(
        PathChange(path: path, old: oldID.isZero ? nil : oldID, new: newID.isZero ? nil : newID))
    }
    return out.sorted { $0.path < $1.path }
  }

  /// Unified diff of two buffers with "a/" and "b/" headers and 3 lines of context; "" if equal.
  /// nil = the file is absent on that side ("/dev/null").
  public static func unifiedDiff(old: Data?, new: Data?, oldPath: String, newPath: String) throws
    -> String
  {
    Library.ensureInitialized()
    // The patch points into the buffers (no copy), so it is printed before they go away.
    return try Repository.withOptionalBytes(old) { oldBytes, oldCount in
      try Repository.withOptionalBytes(new) { newBytes, newCount in
        var patch: OpaquePointer?
        try check(
          git_patch_from_buffers(
            &patch, oldBytes, oldCount, oldPath, newBytes, newCount, newPath, nil),
          "git_patch_from_buffers")
        defer { git_patch_free(patch) }
        if git_patch_num_hunks(patch) == 0 && old != nil && new != nil { return "" }
        var buffer = git_buf()
        try check(git_patch_to_buf(&buffer, patch), "git_patch_to_buf")
        defer { git_buf_dispose(&buffer) }
        guard let pointer = buffer.ptr else { return "" }
        return String(
          decoding: UnsafeRawBufferPointer(start: pointer, count: buffer.size), as: UTF8.self)
      }
    }
  }

  /// Calls `body` with a buffer's bytes, or with NULL for nil (libgit2's "absent file").
  private static func withOptionalBytes<T>(
    _ data: Data?, _ body: (UnsafeRawPointer?, Int) throws -> T
  ) rethrows -> T {
    guard let data else { return try body(nil, 0) }
    return try data.withUnsafeBytes { raw in
      // An empty but present file must not look absent, so never pass NULL for it.
      if raw.baseAddress == nil {
        return try [UInt8(0)].withUnsafeBytes { try body($0.baseAddress, 0) }
      }
      return try body(raw.baseAddress, raw.count)
    }
  }
}
