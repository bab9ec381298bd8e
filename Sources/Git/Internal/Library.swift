internal import CGit2

/// libgit2's process-wide state. It is initialised once, lazily, and never shut down:
/// shutting down while another Repository is alive would free global state under it. Nothing
/// else is set here: libgit2's options are the application's to choose (`GitLibrary`).
enum Library {
  /// `git_libgit2_init` runs exactly once, the first time this is read (Swift statics are lazy and thread-safe).
  private static let initCount: Int32 = git_libgit2_init()

  /// Makes sure libgit2 is initialised before the first C call.
  static func ensureInitialized() {
    _ = initCount
  }
}
