import Git

/// Where a remote's references land in a clone, and the refspecs that put them there (README,
/// "Working as a team"). Everything a remote has is fetched into a remote-tracking name first;
/// Casebook then moves its own refs by its own rules (a tag is never overwritten, a session only
/// fast-forwards, main merges), so a fetch can never move main, a session or a tag by itself.
enum RemoteLayout {
  /// The fetch refspecs `clone` and `remote add` configure, so that a plain `git fetch` in a
  /// Casebook clone updates the same remote-tracking refs `sync` does.
  static func fetchRefspecs(_ remote: String) -> [String] {
    [
      "+refs/heads/*:refs/remotes/\(remote)/*",
      "+\(Layout.lockPrefix)*:refs/remotes/\(remote)/casebook/locks/*",
      "+\(Layout.documentPrefix)*:refs/remotes/\(remote)/casebook/documents/*",
      "+refs/tags/\(Layout.approvalTagPrefix)*:refs/remotes/\(remote)/tags/\(Layout.approvalTagPrefix)*",
    ]
  }

  static func trackingPrefix(_ remote: String) -> String { "refs/remotes/\(remote)/" }

  /// The remote-tracking name of one of the remote's refs (`refs/heads/X`, `refs/casebook/locks/X`
  /// or `refs/tags/approved/X`); nil for a ref Casebook does not exchange.
  static func tracking(_ ref: String, remote: String) -> String? {
    let prefix = trackingPrefix(remote)
    if ref.hasPrefix("refs/heads/") { return prefix + ref.dropFirst("refs/heads/".count) }
    if ref.hasPrefix(Layout.lockPrefix) { return prefix + "casebook/locks/" + ref.dropFirst(Layout.lockPrefix.count) }
    if ref.hasPrefix(Layout.documentPrefix) {
      return prefix + "casebook/documents/" + ref.dropFirst(Layout.documentPrefix.count)
    }
    if ref.hasPrefix("refs/tags/" + Layout.approvalTagPrefix) { return prefix + ref.dropFirst("refs/".count) }
    return nil
  }

  /// The local ref a remote-tracking ref stands for: the inverse of `tracking`.
  static func local(_ tracking: String, remote: String) -> String? {
    let prefix = trackingPrefix(remote)
    guard tracking.hasPrefix(prefix) else { return nil }
    let rest = tracking.dropFirst(prefix.count)
    if rest.hasPrefix("casebook/locks/") { return Layout.lockPrefix + rest.dropFirst("casebook/locks/".count) }
    if rest.hasPrefix("casebook/documents/") {
      return Layout.documentPrefix + rest.dropFirst("casebook/documents/".count)
    }
    if rest.hasPrefix("tags/" + Layout.approvalTagPrefix) { return "refs/" + rest }
    return "refs/heads/" + rest
  }

  /// The URL with any password removed (`https://user:secret@host/x` → `https://user@host/x`),
  /// for every message, report and log line.
  static func redacted(_ url: String) -> String {
    guard let scheme = url.firstRange(of: "://") else { return url }
    let rest = url[scheme.upperBound...]
    let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
    let userInfo = rest[..<at]
    guard let colon = userInfo.firstIndex(of: ":") else { return url }
    return String(url[..<scheme.upperBound]) + userInfo[..<colon] + rest[at...]
  }

  /// Whether the URL carries a password (`user:secret@`), which Casebook never stores in config.
  static func hasPassword(_ url: String) -> Bool { redacted(url) != url }
}
