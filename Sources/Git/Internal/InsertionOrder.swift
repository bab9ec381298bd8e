/// Keys in the order they were added, for the caches that drop their oldest entries first
/// (`RecentObjects`, `DerivedValues`). Taking the oldest is O(1); the spent front of the array is
/// dropped now and then, so the order stays as small as what the cache holds.
struct InsertionOrder<Key: Hashable> {
  private var keys: [Key] = []
  private var oldest = 0

  mutating func append(_ key: Key) { keys.append(key) }

  /// Takes out the oldest key; nil when there is none.
  mutating func removeOldest() -> Key? {
    guard oldest < keys.count else { return nil }
    let key = keys[oldest]
    oldest += 1
    if oldest >= 1_024, oldest * 2 > keys.count {
      keys.removeFirst(oldest)
      oldest = 0
    }
    return key
  }
}
