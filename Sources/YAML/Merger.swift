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
      let key = identityKey(base, ours, theirs, at: path)
    {
      return mergeByIdentity(key, base, ours, theirs, at: path)
    }
    // Lists without repeats are ordered sets: scalars always, other items when the lengths
    // differ (with equal lengths, merging by position goes deeper). A list with repeats is not a
    // set, and merging it as one would silently drop the repeats.
    let sets = all.allSatisfy { Set($0).count == $0.count }
    if sets, all.allSatisfy({ $0.allSatisfy(\.isScalar) }) {
      return mergeAsSet(base, ours, theirs, at: path)
    }
    if base.count == ours.count, ours.count == theirs.count {
      var result: [Node] = []
      for index in ours.indices {
        if let value = merge(base[index], ours[index], theirs[index], at: path.index(index)) {
          result.append(value)
        }
      }
      return result
    }
    if sets {
      return mergeAsSet(base, ours, theirs, at: path)
    }
    return nil
  }

  private func identityKey(_ base: [Node], _ ours: [Node], _ theirs: [Node], at path: MergePath)
    -> String?
  {
    let configured = identityKeys.first { $0.0.matches(path) }?.1 ?? []
    return (configured + ["id", "name"]).first { key in
      [base, ours, theirs].allSatisfy { items in
        var seen = Set<Node>()
        return items.allSatisfy { item in
          guard let value = item[key], value.isScalar else { return false }
          return seen.insert(value).inserted
        }
      }
    }
  }

  private mutating func mergeByIdentity(
    _ key: String, _ base: [Node], _ ours: [Node], _ theirs: [Node], at path: MergePath
  ) -> [Node] {
    func index(_ items: [Node]) -> ([Node], [Node: Node]) {
      let ids = items.map { $0[key]! }
      return (ids, Dictionary(uniqueKeysWithValues: zip(ids, items)))
    }
    let (baseIDs, baseItems) = index(base)
    let (ourIDs, ourItems) = index(ours)
    let (theirIDs, theirItems) = index(theirs)
    var merged: [Node: Node] = [:]
    for id in Self.unique(ourIDs + theirIDs + baseIDs) {
      if let value = merge(baseItems[id], ourItems[id], theirItems[id], at: path.identity(key, id))
      {
        merged[id] = value
      }
    }
    return Self.order(base: baseIDs, ours: ourIDs, theirs: theirIDs).compactMap { merged[$0] }
  }

  /// Removals on either side applied, additions on both kept once. Both sides replacing the same
  /// item with different new items (two rewordings of one risk) is a conflict on the whole list.
  private mutating func mergeAsSet(_ base: [Node], _ ours: [Node], _ theirs: [Node], at path: MergePath)
    -> [Node]?
  {
    let baseSet = Set(base)
    let ourSet = Set(ours)
    let theirSet = Set(theirs)
    let ourReplacements = Self.replacements(base: base, side: ours, baseSet: baseSet, sideSet: ourSet)
    if !ourReplacements.isEmpty {
      let theirReplacements = Self.replacements(base: base, side: theirs, baseSet: baseSet, sideSet: theirSet)
      for (item, new) in ourReplacements {
        if let other = theirReplacements[item], other != new { return nil }
      }
    }
    return Self.order(base: base, ours: ours, theirs: theirs).filter { item in
      !baseSet.contains(item) || (ourSet.contains(item) && theirSet.contains(item))
    }
  }

  /// The base items `side` deleted with new items in their place (between the same neighbours).
  private static func replacements(base: [Node], side: [Node], baseSet: Set<Node>, sideSet: Set<Node>)
    -> [Node: Set<Node>]
  {
    // The side's new items, by the nearest base item before them on that side (nil: the front).
    var added: [Node?: Set<Node>] = [:]
    var anchor: Node? = nil
    for item in side {
      if baseSet.contains(item) { anchor = item } else { added[anchor, default: []].insert(item) }
    }
    guard !added.isEmpty else { return [:] }
    var result: [Node: Set<Node>] = [:]
    anchor = nil
    for item in base {
      if sideSet.contains(item) {
        anchor = item
      } else if let new = added[anchor] {
        result[item] = new
      }
    }
    return result
  }

  /// Ours' order with theirs' other items inserted after their predecessor in theirs (after any of
  /// ours' own additions there), those theirs appended after everything at the end; or, when ours kept base order and theirs did not, the same with
  /// the roles swapped. New items that took the place of base items the other side still has
  /// (a reworded risk) go where those items are. No duplicates. Linear: new items are grouped by
  /// the item they follow or replace.
  static func order(base: [Node], ours: [Node], theirs: [Node]) -> [Node] {
    let ours = unique(ours)
    let theirs = unique(theirs)
    let base = unique(base)
    let swap = keepsOrder(ours, of: base) && !keepsOrder(theirs, of: base)
    let (primary, secondary) = swap ? (theirs, ours) : (ours, theirs)
    let primarySet = Set(primary)
    let secondarySet = Set(secondary)
    var basePosition: [Node: Int] = [:]
    for (position, item) in base.enumerated() { basePosition[item] = position }
    /// The first base item after `anchor` (nil: the front) up to the next one secondary kept,
    /// that secondary deleted and primary still has: what secondary's new items there replaced.
    func replaced(after anchor: Node?) -> Node? {
      var position: Int
      if let anchor {
        guard let found = basePosition[anchor] else { return nil }
        position = found + 1
      } else {
        position = 0
      }
      while position < base.count, !secondarySet.contains(base[position]) {
        if primarySet.contains(base[position]) { return base[position] }
        position += 1
      }
      return nil
    }
    var front: [Node] = []
    var following: [Node: [Node]] = [:]
    var preceding: [Node: [Node]] = [:]
    var anchor: Node? = nil
    var target: Node?? = .none
    for item in secondary {
      if primarySet.contains(item) {
        anchor = item
        target = .none
        continue
      }
      if target == nil { target = .some(replaced(after: anchor)) }
      if let replacedItem = target! {
        preceding[replacedItem, default: []].append(item)
      } else if let anchor {
        following[anchor, default: []].append(item)
      } else {
        front.append(item)
      }
    }
    // Items secondary added after its last shared item were appended: they stay at the end even
    // when primary moved that item.
    let tail = anchor.flatMap { following.removeValue(forKey: $0) } ?? []
    var result: [Node] = []
    result.reserveCapacity(primary.count + secondary.count)
    var pending = front
    for item in primary {
      if let replacements = preceding[item] { result += replacements }
      if secondarySet.contains(item) {
        // Secondary's items wait until the primary side's own additions after the shared item.
        result += pending
        pending = following[item] ?? []
      }
      result.append(item)
    }
    result += pending
    result += tail
    return result
  }

  /// Whether the items `side` shares with `base` are in base's order.
  private static func keepsOrder(_ side: [Node], of base: [Node]) -> Bool {
    let sideSet = Set(side)
    let baseSet = Set(base)
    return side.filter { baseSet.contains($0) } == base.filter { sideSet.contains($0) }
  }

  private static func unique(_ items: [Node]) -> [Node] {
    var seen = Set<Node>()
    return items.filter { seen.insert($0).inserted }
  }
}
