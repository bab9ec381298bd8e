/// Resolutions of recorded conflicts, handed to a merge so that it settles those conflicts
/// instead of reporting them again.
struct ConflictResolutions {
  /// What was chosen for one conflict. "Ours" is main's value and "theirs" the session's, as in
  /// `ConflictRecord`.
  enum Choice: Equatable {
    case ours
    case theirs
    /// A value given by a person: YAML text for a path inside a YAML file, the whole text for a
    /// file-level conflict; nil removes the value (or the file).
    case value(String?)
  }

  /// By file, then by the path inside it ("" for the whole file).
  var choices: [String: [String: Choice]] = [:]
  /// Whole files given edited (`resolve --file`): they settle every conflict in that file.
  var files: [String: String] = [:]

  func choice(file: String, path: String) -> Choice? { choices[file]?[path] }

  var isEmpty: Bool { choices.isEmpty && files.isEmpty }
}
