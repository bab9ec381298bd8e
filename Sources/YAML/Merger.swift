/// The state of one `YAMLMerge.merge` call: the options and the conflicts found so far.
struct Merger {
  let options: MergeOptions
  private(set) var conflicts: [MergeConflict] = []
  /// The options' patterns, parsed once, most specific first.
  private let policies: [(MergePattern, MergePolicy)]
  private let identityKeys: [(MergePattern, [String])]

  init(options: MergeOptions) {
    self.options = options
    policies = Self.compile(options.policies)
    identityKeys = Self.compile(options.identityKeys)
  }

  private static func compile<Value>(_ table: [String: Value]) -> [(MergePattern, Value)] {
    table.compactMap { text, value in (try? MergePattern(text)).map { ($0, value) } }
      .sorted { ($0.0.wildcards, $0.0.description) < ($1.0.wildcards, $1.0.description) }
  }

  /// The merged value at `path`; nil means absent (deleted, or a conflict where ours is absent).
  mutating func merge(_ base: Node?, _ ours: Node?, _ theirs: Node?, at path: MergePath) -> Node? {
    if ours == theirs { return ours }
    if base == ours { return theirs }
    if base == theirs { return ours }
    // Changed differently on both sides (or added differently on both).
    if let policy = policies.first(where: { $0.0.matches(path) })?.1 {
      guard let ours, let theirs, let value = policy.resolve(base: base, ours: ours, theirs: theirs) else {
        return conflict(base, ours, theirs, at: path)
      }
      return value
    }
    guard let ours, let theirs else { return conflict(base, ours, theirs, at: path) }
    switch (ours, theirs) {
    case (.mapping(let o), .mapping(let t)):
      return .mapping(mergeMappings(base?.mapping ?? Mapping(), o, t, at: path))
    case (.sequence(let o), .sequence(let t)):
      if let merged = mergeSequences(base?.sequence ?? [], o, t, at: path) {
        return .sequence(merged)
      }
    case (.string(let o), .string(let t)) where o.contains("\n") && t.contains("\n"):
      if let mergeText = options.mergeText, let merged = mergeText(base?.string ?? "", o, t) {
        return .string(merged)
      }
    default:
      break
    }
    return conflict(base, ours, theirs, at: path)
  }

  private mutating func conflict(_ base: Node?, _ ours: Node?, _ theirs: Node?, at path: MergePath)
    -> Node?
  {
    conflicts.append(MergeConflict(path: path.text, base: base, ours: ours, theirs: theirs))
    return ours
  }

  private mutating func mergeMappings(
    _ base: Mapping, _ ours: Mapping, _ theirs: Mapping, at path: MergePath
  )
    -> Mapping
  {
    var result = Mapping()
    let keys = ours.keys + theirs.keys.filter { !ours.contains(key: $0) }
    for key in keys {
      if let value = merge(base[key], ours[key], theirs[key], at: path.key(key)) {
        result[key] = value
      }
    }
    return result
  }

  /// nil when the sequences cannot be merged structurally (the caller reports a conflict).
  private mutating func mergeSequences(
    _ base: [Node], _ ours: [Node], _ theirs: [Node], at path: MergePath
  )
    -> [Node]?
  {
    let all = [base, ours, theirs]
    if all.allSatisfy({ $0.allSatisfy { $0.mapping != nil } }),
      let (key, codes) = identity(base, ours, theirs, at: path)
    {
      return mergeByIdentity(key, codes, base, ours, theirs, at: path)
    }
    // Lists without repeats are ordered sets: scalars always, other items when the lengths
    // differ (with equal lengths, merging by position goes deeper). A list with repeats is not a
    // set, and merging it as one would silently drop the repeats.
    let scalars = all.allSatisfy { $0.allSatisfy(\.isScalar) }
    let sameLength = base.count == ours.count && ours.count == theirs.count
    if scalars || !sameLength, let codes = Codes(base, ours, theirs) {
      return mergeAsSet(codes)
    }
    if sameLength {
      var result: [Node] = []
      for index in ours.indices {
        if let value = merge(base[index], ours[index], theirs[index], at: path.index(index)) {
          result.append(value)
        }
      }
      return result
    }
    return nil
  }

  /// The identity key and the codes of the items' values under it: the first candidate (those
  /// configured for `path`, then "id", then "name") that every item on all three sides has as a
  /// scalar, unique within each side.
  private func identity(_ base: [Node], _ ours: [Node], _ theirs: [Node], at path: MergePath)
    -> (String, Codes)?
  {
    let configured = identityKeys.first { $0.0.matches(path) }?.1 ?? []
    for key in configured + ["id", "name"] {
      func values(_ items: [Node]) -> [Node]? {
        var out: [Node] = []
        out.reserveCapacity(items.count)
        for item in items {
          guard let value = item[key], value.isScalar else { return nil }
          out.append(value)
        }
        return out
      }
      if let b = values(base), let o = values(ours), let t = values(theirs), let codes = Codes(b, o, t) {
        return (key, codes)
      }
    }
    return nil
  }

  private mutating func mergeByIdentity(
    _ key: String, _ codes: Codes, _ base: [Node], _ ours: [Node], _ theirs: [Node], at path: MergePath
  ) -> [Node] {
    func items(_ sideCodes: [Int], _ items: [Node]) -> [Node?] {
      var out = [Node?](repeating: nil, count: codes.count)
      for (code, item) in zip(sideCodes, items) { out[code] = item }
      return out
    }
    let baseItems = items(codes.base, base)
    let ourItems = items(codes.ours, ours)
    let theirItems = items(codes.theirs, theirs)
    var merged = [Node?](repeating: nil, count: codes.count)
    // Codes number ours' ids first, then theirs' new ones, then base's: document order.
    for code in 0..<codes.count {
      merged[code] = merge(
        baseItems[code], ourItems[code], theirItems[code], at: path.identity(key, codes.values[code]))
    }
    return Self.order(codes).compactMap { merged[$0] }
  }

  /// Removals on either side applied, additions on both kept once. Both sides replacing the same
  /// item with different new items (two rewordings of one risk) is a conflict on the whole list.
  private func mergeAsSet(_ codes: Codes) -> [Node]? {
    let inBase = codes.membership(codes.base)
    let inOurs = codes.membership(codes.ours)
    let inTheirs = codes.membership(codes.theirs)
    let ourReplacements = Self.replacements(codes.base, side: codes.ours, inBase: inBase, inSide: inOurs)
    if !ourReplacements.isEmpty {
      let theirReplacements = Self.replacements(codes.base, side: codes.theirs, inBase: inBase, inSide: inTheirs)
      for (item, new) in ourReplacements {
        if let other = theirReplacements[item], other != new { return nil }
      }
    }
    return Self.order(codes).filter { !inBase[$0] || (inOurs[$0] && inTheirs[$0]) }.map { codes.values[$0] }
  }

  /// The base items `side` deleted with new items in their place (between the same neighbours),
  /// each with those new items, sorted.
  private static func replacements(_ base: [Int], side: [Int], inBase: [Bool], inSide: [Bool]) -> [Int: [Int]] {
    // The side's new items, by the nearest base item before them on that side (-1: the front).
    var added: [Int: [Int]] = [:]
    var anchor = -1
    for item in side {
      if inBase[item] { anchor = item } else { added[anchor, default: []].append(item) }
    }
    guard !added.isEmpty else { return [:] }
    var result: [Int: [Int]] = [:]
    anchor = -1
    for item in base {
      if inSide[item] {
        anchor = item
      } else if let new = added[anchor] {
        result[item] = new.sorted()
      }
    }
    return result
  }

  /// Ours' order with theirs' other items inserted after their predecessor in theirs (after any of
  /// ours' own additions there), those theirs appended after everything at the end; or, when ours
  /// kept base order and theirs did not, the same with the roles swapped. New items that took the
  /// place of base items the other side still has (a reworded risk) go where those items are.
  /// Linear: membership and positions are arrays indexed by code.
  static func order(_ codes: Codes) -> [Int] {
    let inBase = codes.membership(codes.base)
    let inOurs = codes.membership(codes.ours)
    let inTheirs = codes.membership(codes.theirs)
    func keepsOrder(_ side: [Int], _ inSide: [Bool]) -> Bool {
      side.filter { inBase[$0] } == codes.base.filter { inSide[$0] }
    }
    let swapped = keepsOrder(codes.ours, inOurs) && !keepsOrder(codes.theirs, inTheirs)
    let (primary, secondary) = swapped ? (codes.theirs, codes.ours) : (codes.ours, codes.theirs)
    let (inPrimary, inSecondary) = swapped ? (inTheirs, inOurs) : (inOurs, inTheirs)
    var basePosition = [Int](repeating: -1, count: codes.count)
    for (position, item) in codes.base.enumerated() { basePosition[item] = position }
    /// The first base item after `anchor` (-1: the front) up to the next one secondary kept,
    /// that secondary deleted and primary still has: what secondary's new items there replaced.
    func replaced(after anchor: Int) -> Int? {
      var position = 0
      if anchor >= 0 {
        guard basePosition[anchor] >= 0 else { return nil }
        position = basePosition[anchor] + 1
      }
      while position < codes.base.count, !inSecondary[codes.base[position]] {
        if inPrimary[codes.base[position]] { return codes.base[position] }
        position += 1
      }
      return nil
    }
    var front: [Int] = []
    var following = [[Int]](repeating: [], count: codes.count)
    var preceding = [[Int]](repeating: [], count: codes.count)
    var anchor = -1
    var target: Int?? = .none
    for item in secondary {
      if inPrimary[item] {
        anchor = item
        target = .none
        continue
      }
      if target == nil { target = .some(replaced(after: anchor)) }
      if let replacedItem = target! {
        preceding[replacedItem].append(item)
      } else if anchor >= 0 {
        following[anchor].append(item)
      } else {
        front.append(item)
      }
    }
    // Items secondary added after its last shared item were appended: they stay at the end even
    // when primary moved that item.
    var tail: [Int] = []
    if anchor >= 0 { swap(&tail, &following[anchor]) }
    var result: [Int] = []
    result.reserveCapacity(primary.count + secondary.count)
    var pending = front
    for item in primary {
      result += preceding[item]
      if inSecondary[item] {
        // Secondary's items wait until the primary side's own additions after the shared item.
        result += pending
        pending = following[item]
      }
      result.append(item)
    }
    result += pending
    result += tail
    return result
  }
}

/// Dense integer codes for the distinct values of three lists, so that the ordered-set work is
/// array indexing rather than hashing nodes again and again. Codes number ours' values first,
/// then theirs' new ones, then base's.
struct Codes {
  var base: [Int] = []
  var ours: [Int] = []
  var theirs: [Int] = []
  var values: [Node] = []
  var count: Int { values.count }

  /// nil when a list repeats a value (it is not a set).
  init?(_ base: [Node], _ ours: [Node], _ theirs: [Node]) {
    var table: [Node: Int] = [:]
    table.reserveCapacity(ours.count + theirs.count / 8 + 16)
    var seen: [Int] = []
    var side = 0
    func encode(_ items: [Node]) -> [Int]? {
      side += 1
      var out: [Int] = []
      out.reserveCapacity(items.count)
      for item in items {
        let code: Int
        if let found = table[item] {
          code = found
          if seen[code] == side { return nil }
        } else {
          code = values.count
          table[item] = code
          values.append(item)
          seen.append(0)
        }
        seen[code] = side
        out.append(code)
      }
      return out
    }
    guard let o = encode(ours), let t = encode(theirs), let b = encode(base) else { return nil }
    (self.base, self.ours, self.theirs) = (b, o, t)
  }

  func membership(_ side: [Int]) -> [Bool] {
    var out = [Bool](repeating: false, count: count)
    for code in side { out[code] = true }
    return out
  }
}
