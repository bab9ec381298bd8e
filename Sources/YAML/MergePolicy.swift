/// How one place in a document merges when both sides changed it differently (a change on one
/// side only is always taken as it is, whatever the policy).
public enum MergePolicy: Sendable, Hashable, CustomStringConvertible {
  /// Two ISO-8601 timestamps: the later wins (`last_active`). A time without a zone is UTC;
  /// equal instants written differently take the greater text, so the result does not depend on
  /// which side is ours. Anything that is not a timestamp conflicts as usual.
  case newest
  /// Two numbers: the greater wins. Anything else conflicts as usual.
  case max
  /// A stage that should only advance (`gate_stage`): the furthest-advanced value wins, also when
  /// the other side stepped back. Both sides stepping back from base to different stages is a
  /// conflict (how far back is a person's call). Order: the position in `order` when it is not
  /// empty; otherwise numbers by value, and strings that differ only in their digits ("Gate 1",
  /// "Gate 10") by those numbers. Values outside the order conflict.
  case forwardOnly(order: [Node])
  /// A value a person must decide: any difference between two changed sides is a conflict, even
  /// where the structural or line merge could combine them (two lists with different additions,
  /// prose edited in different paragraphs). A change on one side only is still taken.
  case alwaysConflict

  /// The names `casebook.yaml` uses.
  public static let names = ["newest", "max", "forward-only", "always-conflict"]

  /// The policy called `name` (see `names`); `order` applies to forward-only only.
  public init?(name: String, order: [Node] = []) {
    switch name {
    case "newest": self = .newest
    case "max": self = .max
    case "forward-only": self = .forwardOnly(order: order)
    case "always-conflict": self = .alwaysConflict
    default: return nil
    }
  }

  /// The policy's name, as `casebook.yaml` writes it.
  public var description: String {
    switch self {
    case .newest: return "newest"
    case .max: return "max"
    case .forwardOnly: return "forward-only"
    case .alwaysConflict: return "always-conflict"
    }
  }

  /// The merged value of two different present values, or nil for a conflict.
  func resolve(base: Node?, ours: Node, theirs: Node) -> Node? {
    switch self {
    case .alwaysConflict:
      return nil
    case .newest:
      guard let o = Instant(ours), let t = Instant(theirs) else { return nil }
      if o == t { return ours.string! > theirs.string! ? ours : theirs }
      return o > t ? ours : theirs
    case .max:
      guard let o = ours.double, let t = theirs.double, !o.isNaN, !t.isNaN, o != t else { return nil }
      return o > t ? ours : theirs
    case .forwardOnly(let order):
      guard let comparison = Self.compare(ours, theirs, order: order), comparison != 0 else { return nil }
      if let base, let toOurs = Self.compare(base, ours, order: order),
        let toTheirs = Self.compare(base, theirs, order: order),
        toOurs > 0, toTheirs > 0
      {
        return nil
      }
      return comparison > 0 ? ours : theirs
    }
  }

  /// -1, 0 or 1 as `a` is behind, level with or ahead of `b`; nil when they are not comparable.
  static func compare(_ a: Node, _ b: Node, order: [Node]) -> Int? {
    if !order.isEmpty {
      guard let i = order.firstIndex(of: a), let j = order.firstIndex(of: b) else { return nil }
      return i < j ? -1 : (i > j ? 1 : 0)
    }
    if let x = a.double, let y = b.double, !x.isNaN, !y.isNaN {
      return x < y ? -1 : (x > y ? 1 : 0)
    }
    guard let x = a.string, let y = b.string else { return nil }
    let (xShape, xNumbers) = digitRuns(x)
    let (yShape, yNumbers) = digitRuns(y)
    guard xShape == yShape, !xNumbers.isEmpty else { return nil }
    for (m, n) in zip(xNumbers, yNumbers) where m != n {
      return m.count != n.count ? (m.count < n.count ? -1 : 1) : (m < n ? -1 : 1)
    }
    return 0
  }

  /// The string with every run of digits replaced by "#", and the runs without leading zeros.
  private static func digitRuns(_ text: String) -> (String, [String]) {
    var shape = ""
    var numbers: [String] = []
    var current = ""
    for character in text {
      if character.isASCII, character.isNumber {
        current.append(character)
        continue
      }
      if !current.isEmpty {
        shape += "#"
        numbers.append(String(current.drop { $0 == "0" }))
        current = ""
      }
      shape.append(character)
    }
    if !current.isEmpty {
      shape += "#"
      numbers.append(String(current.drop { $0 == "0" }))
    }
    return (shape, numbers)
  }
}

/// A point in time read from an ISO-8601 string: `YYYY-MM-DD`, optionally followed by `T` (or a
/// space) and `HH:MM[:SS[.fraction]]`, then `Z` or `±HH[:MM]`; no zone means UTC.
struct Instant: Comparable {
  let seconds: Int
  let nanoseconds: Int

  init?(_ node: Node) {
    guard let text = node.string else { return nil }
    let chars = Array(text.utf8)
    var index = 0
    func number(_ digits: Int) -> Int? {
      guard index + digits <= chars.count else { return nil }
      var value = 0
      for offset in 0..<digits {
        let c = chars[index + offset]
        guard c >= 0x30, c <= 0x39 else { return nil }
        value = value * 10 + Int(c - 0x30)
      }
      index += digits
      return value
    }
    func skip(_ byte: UInt8) -> Bool {
      guard index < chars.count, chars[index] == byte else { return false }
      index += 1
      return true
    }
    guard let year = number(4), skip(0x2D), let month = number(2), skip(0x2D), let day = number(2),
      (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    var hour = 0
    var minute = 0
    var second = 0
    var nanos = 0
    var offset = 0
    if index < chars.count {
      guard skip(0x54) || skip(0x74) || skip(0x20), let h = number(2), skip(0x3A), let m = number(2), h < 24, m < 60
      else { return nil }
      hour = h
      minute = m
      if skip(0x3A) {
        guard let s = number(2), s < 61 else { return nil }
        second = s
        if skip(0x2E) || skip(0x2C) {
          var scale = 100_000_000
          var any = false
          while index < chars.count, chars[index] >= 0x30, chars[index] <= 0x39 {
            nanos += Int(chars[index] - 0x30) * scale
            scale /= 10
            index += 1
            any = true
          }
          guard any else { return nil }
        }
      }
      if skip(0x5A) || skip(0x7A) {
        offset = 0
      } else if index < chars.count, chars[index] == 0x2B || chars[index] == 0x2D {
        let sign = chars[index] == 0x2D ? -1 : 1
        index += 1
        guard let oh = number(2) else { return nil }
        _ = skip(0x3A)
        let om = index < chars.count ? number(2) : 0
        guard let om else { return nil }
        offset = sign * (oh * 3600 + om * 60)
      }
      guard index == chars.count else { return nil }
    }
    // Days from the civil date (Howard Hinnant's algorithm), proleptic Gregorian.
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146097 + doe - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
    nanoseconds = nanos
  }

  static func < (lhs: Instant, rhs: Instant) -> Bool {
    (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
  }
}
