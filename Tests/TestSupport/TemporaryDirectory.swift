import Foundation

/// A unique directory under the system temporary directory, removed when this object goes away
/// (or earlier, by `remove()`), so that tests never leave repositories behind.
public final class TemporaryDirectory: @unchecked Sendable {
  /// Absolute path of the directory, no trailing slash.
  public let path: String
  /// The same directory as a file URL.
  public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

  /// Creates the directory. `prefix` helps tell leftovers apart when debugging.
  public init(prefix: String = "casebook-test") throws {
    let base = FileManager.default.temporaryDirectory
    let url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    // Resolve symlinks (macOS /var -> /private/var) so paths compare equal to what git reports.
    path = url.resolvingSymlinksInPath().path
  }

  /// `path` + "/" + `component`.
  public func appending(_ component: String) -> String {
    path + "/" + component
  }

  /// Removes the directory now; safe to call more than once.
  public func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }

  deinit {
    remove()
  }
}
