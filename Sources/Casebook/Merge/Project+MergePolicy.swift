import YAML

extension Project {
  /// The structural-merge options for the file at `path` (relative to the repository root): the
  /// identity keys and policies `casebook.yaml`'s `merge:` section gives that file, as read from
  /// main when the project was opened, plus the line merge for multi-line strings.
  public func mergeOptions(forFile path: String) -> MergeOptions {
    settings.merge.options(forFile: path)
  }
}
