internal import CGit2

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension Signature {
  /// Copies a libgit2 signature into a Swift value.
  init(_ signature: UnsafePointer<git_signature>) {
    let value = signature.pointee
    self.init(
      name: value.name.map { String(cString: $0) } ?? "",
      email: value.email.map { String(cString: $0) } ?? "",
      time: Date(timeIntervalSince1970: TimeInterval(value.when.time)),
      timeZoneOffsetMinutes: Int(value.when.offset))
  }

  /// Calls `body` with a temporary libgit2 signature, freed afterwards.
  /// libgit2 validates the name and email here (no angle brackets, not empty).
  func withGitSignature<T>(_ body: (UnsafeMutablePointer<git_signature>) throws -> T) throws -> T {
    var out: UnsafeMutablePointer<git_signature>?
    let seconds = git_time_t(time.timeIntervalSince1970.rounded(.down))
    try check(
      git_signature_new(&out, name, email, seconds, Int32(timeZoneOffsetMinutes)),
      "git_signature_new")
    defer { git_signature_free(out) }
    return try body(out!)
  }

  /// "Name <email> seconds +hhmm", as a commit or tag header line has it, after libgit2 has
  /// validated the name and email (no angle brackets or newlines, not empty).
  func header() throws -> String {
    try withGitSignature { signature in
      let value = signature.pointee
      let offset = Int(value.when.offset)
      // "%+03d%02d" by hand: String(format:) cost as much as the rest of the commit header.
      func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
      let zone = (offset < 0 ? "-" : "+") + twoDigits(abs(offset) / 60) + twoDigits(abs(offset) % 60)
      return "\(String(cString: value.name)) <\(String(cString: value.email))> \(value.when.time) \(zone)"
    }
  }
}
