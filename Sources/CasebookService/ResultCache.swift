#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The encoded results of reads that are functions of a commit (the assistant's context: "the
/// same commit, request and encoding always give the same bytes"), kept so that an agent asking
/// again before anything was written gets them without assembling them again. Bounded in
/// entries and bytes; the oldest go first. Keys name the commit, so a write never makes an entry
/// wrong, only unused.
final class ResultCache: @unchecked Sendable {
  static let shared = ResultCache(maxEntries: 1_024, maxBytes: 64 << 20)

  private let lock = NSLockish()
  private let maxEntries: Int
  private let maxBytes: Int
  private var values: [String: Data] = [:]
  private var order: [String] = []
  private var start = 0
  private var bytes = 0

  init(maxEntries: Int, maxBytes: Int) {
    self.maxEntries = maxEntries
    self.maxBytes = maxBytes
  }

  func value(for key: String) -> Data? { lock.with { values[key] } }

  func insert(_ value: Data, for key: String) {
    guard value.count <= maxBytes / 4 else { return }
    lock.with {
      guard values[key] == nil else { return }
      values[key] = value
      order.append(key)
      bytes += value.count
      while values.count > maxEntries || bytes > maxBytes, start < order.count {
        if let old = values.removeValue(forKey: order[start]) { bytes -= old.count }
        start += 1
      }
      // Drop the spent front of the queue now and then, so it does not grow without bound.
      if start > maxEntries {
        order.removeFirst(start)
        start = 0
      }
    }
  }
}
