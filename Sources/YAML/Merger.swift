/// The state of one `YAMLMerge.merge` call: the options and the conflicts found so far.
struct Merger {
  let options: MergeOptions
  private(set) var conflicts: [MergeConflict] = []

  init(options: MergeOptions) {
    self.options = options
  }

  /// The merged value at `path`; nil means absent (deleted, or a conflict where ours is absent).
  mutating func merge(_ base: Node?, _ ours: Node?, _ theirs: Node?, at path: MergePath) -> Node? {
    if ours == theirs { return ours }
    if base == ours { return theirs }
    if base == theirs { return ours }
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
    let all = base + ours + theirs
    if all.allSatisfy({ $0.mapping != nil }), let key = identityKey(base, ours, theirs, at: path) {
      return mergeByIdentity(key, base, ours, theirs, at: path)
    }
    if all.allSatisfy(\.isScalar) {
      return mergeAsSet(base, ours, theirs)
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
    return nil
  }

  private func identityKey(_ base: [Node], _ ours: [Node], _ theirs: [Node], at path: MergePath)
    -> String?
  {
    let candidates = (options.identityKeys[path.pattern] ?? []) + ["id", "name"]
    return candidates.first { key in
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

  private func mergeAsSet(_ base: [Node], _ ours: [Node], _ theirs: [Node]) -> [Node] {
    let baseSet = Set(base)
    let ourSet = Set(ours)
    let theirSet = Set(theirs)
    return Self.order(base: base, ours: ours, theirs: theirs).filter { item in
      !baseSet.contains(item) || (ourSet.contains(item) && theirSet.contains(item))
    }
  }

  /// Ours' order with theirs' other items inserted after their predecessor in theirs; or, when
  /// ours kept base order and theirs did not, the same with the roles swapped. No duplicates.
  static func order(base: [Node], ours: [Node], theirs: [Node]) -> [Node] {
    let ours = unique(ours)
    let theirs = unique(theirs)
    let base = unique(base)
    let swap = keepsOrder(ours, of: base) && !keepsOrder(theirs, of: base)
    let (primary, secondary) = swap ? (theirs, ours) : (ours, theirs)
    let secondarySet = Set(secondary)
    var result = primary
    var present = Set(primary)
    var anchor = -1
    for item in secondary {
      if present.contains(item) {
        anchor = result.firstIndex(of: item)!
        continue
      }
      var position = anchor + 1
      // Keep the primary side's own additions at this spot ahead of the secondary side's.
      while position < result.count, !secondarySet.contains(result[position]) { position += 1 }
      result.insert(item, at: position)
      present.insert(item)
      anchor = position
    }
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
