import YAML

/// Whole numbers read back from the repository, range-checked. A record edited with git
/// plumbing can hold any integer (or none), and arithmetic on one out of range would trap
/// (`revision + 1` at `Int.max`); a damaged record is a repository error naming the object.
enum RecordNumber {
  /// Revisions, versions, sequence numbers and counts: far more than any project makes, far
  /// less than overflows anything computed from them.
  static let counts: ClosedRange<Int> = 0...1_000_000_000_000
  /// Minutes in settings (idle time, lock time): up to ten years.
  static let minutes: ClosedRange<Int> = 1...5_256_000

  /// `map[key]` as a whole number in `range`; nil when absent, a repository error when it is
  /// present but not a whole number or out of range.
  static func read(_ map: Mapping, _ key: String, _ range: ClosedRange<Int> = counts, in path: String) throws -> Int? {
    guard let node = map[key], !node.isNull else { return nil }
    guard let value = node.int else {
      throw CasebookError.repository("\(path): '\(key)' is not a whole number; the record is damaged")
    }
    return try check(value, range, key, in: path)
  }

  /// `value` itself, if it is in `range`.
  static func check(_ value: Int, _ range: ClosedRange<Int>, _ key: String, in path: String) throws -> Int {
    guard range.contains(value) else {
      throw CasebookError.repository(
        "\(path): '\(key)' is \(value), outside \(range.lowerBound)...\(range.upperBound); the record is damaged")
    }
    return value
  }
}
