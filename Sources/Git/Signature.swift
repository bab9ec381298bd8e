#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Who made a commit or tag, and when.
public struct Signature: Sendable, Equatable {
  /// The person's name; must not contain "<" or ">" (libgit2 rejects it when writing).
  public var name: String
  /// The e-mail address, without angle brackets.
  public var email: String
  /// When; git stores whole seconds, so this is truncated to seconds on init.
  public var time: Date
  /// Offset of the local time zone from UTC, in minutes (e.g. 60 for +0100).
  public var timeZoneOffsetMinutes: Int

  /// Makes a signature. `time` is truncated to whole seconds so that a signature read back
  /// from a commit compares equal to the one written.
  public init(name: String, email: String, time: Date = Date(), timeZoneOffsetMinutes: Int = 0) {
    self.name = name
    self.email = email
    self.time = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
    self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
  }
}
