import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// When a lock taken on another machine first arrived in this clone, by this machine's clock:
/// `<git dir>/casebook/lock-seen/<section>` holds the lock ref's commit and the time it came.
///
/// Lock expiry without agreeing clocks: a lock lasts `expires - since` (a length of time, the
/// same on every clock) from when its holder took it; a machine that learns of it later counts
/// that length from the moment it learnt of it, on its own clock. So a lock never lapses here
/// before it has lasted its full length here, whatever the holder's clock says, and never before
/// the holder's own `expires` either (the later of the two stands).
struct LockSightings {
  let folder: String

  init(_ gitDirectory: String) { folder = gitDirectory + "/casebook/lock-seen" }

  /// Notes that the lock ref of `section` reached `commit` from a remote at `date`.
  func record(_ section: SectionID, commit: ObjectID, at date: Date) {
    mkdir(gitParent, 0o777)
    mkdir(folder, 0o777)
    let path = folder + "/" + section.text
    let temporary = path + ".tmp\(getpid())"
    let text = "\(commit.hex) \(Timestamp.string(date))\n"
    guard (try? Data(text.utf8).write(to: URL(fileURLWithPath: temporary))) != nil else { return }
    if rename(temporary, path) != 0 { unlink(temporary) }
  }

  /// When `commit` of `section`'s lock ref arrived from a remote; nil when it was made here (or
  /// the note is gone, when the holder's own `expires` alone decides).
  func arrival(_ section: String, commit: String) -> Date? {
    guard let data = try? System.readBounded(folder + "/" + section, limit: 256, what: "lock sighting"),
      let text = String(data: data, encoding: .utf8)
    else { return nil }
    let parts = text.split(separator: " ")
    guard parts.count == 2, parts[0] == commit else { return nil }
    return Timestamp.parse(String(parts[1]).trimmingWhitespace())
  }

  private var gitParent: String { String(folder.dropLast("/lock-seen".count)) }

  /// The expiry that stands here for a lock record that arrived at `arrival`.
  static func expiry(since: String, expires: String, arrival: Date) -> String? {
    guard let start = Timestamp.parse(since), let end = Timestamp.parse(expires) else { return nil }
    let local = arrival.addingTimeInterval(max(0, end.timeIntervalSince(start)))
    return local > end ? Timestamp.string(local) : nil
  }
}
