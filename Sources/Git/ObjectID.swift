/// A 20-byte SHA-1 object id. Stored as three integers so that hashing, equality and ordering
/// (by bytes, as git orders ids) are cheap and need no C.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Comparable {
  let high: UInt64
  let middle: UInt64
  let low: UInt32

  init(high: UInt64, middle: UInt64, low: UInt32) {
    self.high = high
    self.middle = middle
    self.low = low
  }

  /// Parses exactly 40 hex digits (either case); anything else, including abbreviations, gives nil.
  /// Use `Repository.resolve(_:)` for short ids and revision expressions.
  public init?(hex: String) {
    let utf8 = Array(hex.utf8)
    guard utf8.count == 40 else { return nil }
    var nibbles = [UInt8]()
    nibbles.reserveCapacity(40)
    for byte in utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): nibbles.append(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): nibbles.append(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): nibbles.append(byte - UInt8(ascii: "A") + 10)
      default: return nil
      }
    }
    func word(_ from: Int, _ count: Int) -> UInt64 {
      var value: UInt64 = 0
      for index in from..<(from + count) { value = value << 4 | UInt64(nibbles[index]) }
      return value
    }
    self.init(high: word(0, 16), middle: word(16, 16), low: UInt32(word(32, 8)))
  }

  /// 40 lowercase hex digits.
  public var hex: String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(40)
    for (word, nibbleCount) in [(high, 16), (middle, 16), (UInt64(low), 8)] {
      for shift in stride(from: (nibbleCount - 1) * 4, through: 0, by: -4) {
        out.append(digits[Int((word >> UInt64(shift)) & 0xf)])
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Same as `hex`.
  public var description: String { hex }

  /// The all-zero id, which git uses for "no object".
  public static let zero = ObjectID(high: 0, middle: 0, low: 0)

  /// Whether this is `ObjectID.zero`.
  public var isZero: Bool { self == .zero }

  /// Orders ids by their bytes, like `git_oid_cmp`.
  public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
    (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
  }
}
