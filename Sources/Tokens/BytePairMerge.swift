/// tiktoken's byte-pair merge, counting the parts it ends with: repeatedly merge the adjacent
/// pair whose bytes have the lowest rank (the leftmost on a tie) until no pair is a token.
enum BytePairMerge {
  /// Pieces up to this many bytes use the quadratic scan (tiktoken's `_byte_pair_merge`), which
  /// is faster on short pieces; longer ones the heap, O(n log n) (a 10 MB run stays linear-ish).
  static let scanLimit = 128

  /// The number of tokens of the `n` bytes at `p`, which are not themselves a token.
  static func count(_ p: UnsafePointer<UInt8>, _ n: Int, _ ranks: RankTable) -> Int {
    n <= scanLimit ? scan(p, n, ranks) : heap(p, n, ranks)
  }

  static func scan(_ p: UnsafePointer<UInt8>, _ n: Int, _ ranks: RankTable) -> Int {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: n + 1) { start in
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: n) { pair in
        for i in 0...n { start[i] = i }
        var parts = n
        // pair[k]: rank of parts k and k + 1 merged.
        for k in 0..<parts - 1 { pair[k] = ranks.rank(p + k, 2) }
        while parts > 1 {
          var best = RankTable.none
          var at = -1
          for k in 0..<parts - 1 where pair[k] < best {
            best = pair[k]
            at = k
          }
          if at < 0 { break }
          // Merge parts at and at + 1: drop start[at + 1].
          for k in at + 1..<parts { start[k] = start[k + 1] }
          for k in at + 1..<parts - 1 { pair[k] = pair[k + 1] }
          parts -= 1
          if at + 1 < parts { pair[at] = ranks.rank(p + start[at], start[at + 2] - start[at]) }
          if at > 0 { pair[at - 1] = ranks.rank(p + start[at - 1], start[at + 1] - start[at - 1]) }
        }
        return parts
      }
    }
  }

  static func heap(_ p: UnsafePointer<UInt8>, _ n: Int, _ ranks: RankTable) -> Int {
    // Node i starts at byte i; next/previous link the live nodes; pair[i] is the rank of node i
    // merged with its successor. Heap entries are rank << 32 | node: the lowest rank first, the
    // leftmost node among equal ranks, as tiktoken's scan picks. An entry is stale when its
    // node died or its pair changed (a pair only grows, and a longer string has another rank).
    let next = UnsafeMutablePointer<Int32>.allocate(capacity: n)
    let previous = UnsafeMutablePointer<Int32>.allocate(capacity: n)
    let pair = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
    let alive = UnsafeMutablePointer<Bool>.allocate(capacity: n)
    var heap = [UInt64]()
    heap.reserveCapacity(n)
    defer {
      next.deallocate()
      previous.deallocate()
      pair.deallocate()
      alive.deallocate()
    }
    @inline(__always) func rankOf(_ i: Int) -> UInt32 {
      let j = Int(next[i])
      if j >= n { return RankTable.none }
      let end = Int(next[j])
      return ranks.rank(p + i, end - i)
    }
    for i in 0..<n {
      next[i] = Int32(i + 1)
      previous[i] = Int32(i - 1)
      alive[i] = true
    }
    for i in 0..<n {
      pair[i] = i + 1 < n ? ranks.rank(p + i, 2) : RankTable.none
      if pair[i] != RankTable.none { heap.append(UInt64(pair[i]) << 32 | UInt64(i)) }
    }
    var h = MinHeap(heap)
    var parts = n
    while let top = h.pop() {
      let i = Int(top & 0xffff_ffff)
      let rank = UInt32(top >> 32)
      guard alive[i], pair[i] == rank else { continue }
      let j = Int(next[i])
      alive[j] = false
      next[i] = next[j]
      if Int(next[j]) < n { previous[Int(next[j])] = Int32(i) }
      parts -= 1
      pair[i] = rankOf(i)
      if pair[i] != RankTable.none { h.push(UInt64(pair[i]) << 32 | UInt64(i)) }
      let before = Int(previous[i])
      if before >= 0 {
        pair[before] = rankOf(before)
        if pair[before] != RankTable.none { h.push(UInt64(pair[before]) << 32 | UInt64(before)) }
      }
    }
    return parts
  }
}

/// A binary min-heap of packed (rank, node) keys.
struct MinHeap {
  private var items: [UInt64]

  init(_ items: [UInt64]) {
    self.items = items
    var i = items.count / 2
    while i > 0 {
      i -= 1
      siftDown(i)
    }
  }

  mutating func push(_ value: UInt64) {
    items.append(value)
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      if items[parent] <= value { break }
      items[i] = items[parent]
      i = parent
    }
    items[i] = value
  }

  mutating func pop() -> UInt64? {
    guard let last = items.popLast() else { return nil }
    guard !items.isEmpty else { return last }
    let top = items[0]
    items[0] = last
    siftDown(0)
    return top
  }

  private mutating func siftDown(_ start: Int) {
    let count = items.count
    let value = items[start]
    var i = start
    while true {
      var child = 2 * i + 1
      if child >= count { break }
      if child + 1 < count && items[child + 1] < items[child] { child += 1 }
      if items[child] >= value { break }
      items[i] = items[child]
      i = child
    }
    items[i] = value
  }
}
