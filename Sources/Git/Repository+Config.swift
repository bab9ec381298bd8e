internal import CGit2

extension Repository {
  /// The value of a config key as git sees it (repository config over global and system), or nil
  /// when unset. Reads the live config, which libgit2 re-reads when a file changed on disk, so a
  /// value set by the git CLI meanwhile is seen.
  public func configString(_ key: String) -> String? {
    var config: OpaquePointer?
    guard git_repository_config(&config, handle) == 0 else {
      git_error_clear()
      return nil
    }
    defer { git_config_free(config) }
    var buffer = git_buf()
    defer { git_buf_dispose(&buffer) }
    guard git_config_get_string_buf(&buffer, config, key) == 0, let pointer = buffer.ptr else {
      // Unset and unreadable look the same to the caller by contract; don't leave a stale error.
      git_error_clear()
      return nil
    }
    return String(cString: pointer)
  }

  /// Sets a config key in the repository's own config file (".git/config").
  public func setConfigString(_ key: String, _ value: String) throws {
    var config: OpaquePointer?
    try check(git_repository_config(&config, handle), "git_repository_config")
    defer { git_config_free(config) }
    var local: OpaquePointer?
    try check(
      git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "git_config_open_level")
    defer { git_config_free(local) }
    try check(git_config_set_string(local, key, value), "git_config_set_string")
  }
}

extension Repository {
  /// The value of a config key from the user's and the system's git config, outside any
  /// repository (for `casebook init`, before there is one); nil when unset.
  public static func globalConfigString(_ key: String) -> String? {
    Library.ensureInitialized()
    var config: OpaquePointer?
    guard git_config_open_default(&config) == 0 else {
      git_error_clear()
      return nil
    }
    defer { git_config_free(config) }
    var buffer = git_buf()
    defer { git_buf_dispose(&buffer) }
    guard git_config_get_string_buf(&buffer, config, key) == 0, let pointer = buffer.ptr else {
      git_error_clear()
      return nil
    }
    return String(cString: pointer)
  }
}
