import YAML

/// The `merge:` section of `casebook.yaml`: identity keys and policies for the structural YAML
/// merge, per file.
///
///     merge:
///       project_profile.yaml:            # a file glob: * within a folder, ** across folders
///         identity:
///           stakeholders: [name]         # MergePattern -> candidate identity keys
///         policies:
///           gate_stage: forward-only     # MergePattern -> newest | max | forward-only | always-conflict
///           budget: {take: always-conflict}
///       sessions/*.yaml:
///         policies:
///           last_active: newest
///
/// Every entry whose glob matches a file applies; where two name the same pattern, the later
/// entry wins (as in `.gitattributes`). A `casebook.yaml` without `merge:` gets `defaults`.
public struct MergeSettings: Sendable, Equatable {
  /// The rules for the files one glob matches.
  public struct FileRules: Sendable, Equatable {
    /// The glob, relative to the repository root.
    public var glob: String
    /// Identity keys by pattern.
    public var identity: [(pattern: String, keys: [String])]
    /// Policies by pattern.
    public var policies: [(pattern: String, policy: MergePolicy)]

    /// Rules for `glob`.
    public init(glob: String, identity: [(String, [String])] = [], policies: [(String, MergePolicy)] = []) {
      self.glob = glob
      self.identity = identity.map { (pattern: $0.0, keys: $0.1) }
      self.policies = policies.map { (pattern: $0.0, policy: $0.1) }
    }

    /// Same glob, identity keys and policies in the same order.
    public static func == (lhs: FileRules, rhs: FileRules) -> Bool {
      lhs.glob == rhs.glob && lhs.identity.elementsEqual(rhs.identity, by: { $0 == $1 })
        && lhs.policies.elementsEqual(rhs.policies, by: { $0 == $1 })
    }
  }

  /// The entries, in file order.
  public var files: [FileRules]

  /// Settings with the given entries.
  public init(files: [FileRules]) { self.files = files }

  /// What `init` writes for a new project and what a project without `merge:` gets: the profile's
  /// gate stage only moves forward, a session's `last_active` takes the later time.
  public static let defaults = MergeSettings(files: [
    FileRules(
      glob: Layout.profile, identity: [("stakeholders", ["name"])],
      policies: [("gate_stage", .forwardOnly(order: []))]),
    FileRules(glob: "sessions/*.yaml", policies: [("last_active", .newest)]),
  ])

  /// Reads the section's value; `origin` names the file in messages. Throws `.repository` with
  /// the offending entry for an unknown policy name, a bad pattern or glob, or a wrong shape.
  public init(_ node: Node, origin: String = "casebook.yaml") throws {
    func fail(_ message: String) -> CasebookError { .repository("\(origin): merge: \(message)") }
    if node.isNull {
      files = []
      return
    }
    guard let map = node.mapping else { throw fail("must be a mapping of file globs") }
    files = []
    for (glob, value) in map {
      guard !glob.isEmpty, !glob.hasPrefix("/") else {
        throw fail("'\(glob)' is not a file glob relative to the repository root")
      }
      var rules = FileRules(glob: glob)
      if value.isNull {
        files.append(rules)
        continue
      }
      guard let entry = value.mapping else { throw fail("'\(glob)' must be a mapping with identity and/or policies") }
      for key in entry.keys where key != "identity" && key != "policies" {
        throw fail("'\(glob)': unknown key '\(key)' (use identity or policies)")
      }
      for (pattern, keys) in try Self.table(entry["identity"], "\(glob)' identity", fail) {
        try Self.check(pattern, "'\(glob)' identity", fail)
        let list: [Node] = keys.sequence ?? [keys]
        let names = list.compactMap(\.string)
        guard !names.isEmpty, names.count == list.count else {
          throw fail("'\(glob)' identity '\(pattern)': expected a key or a list of keys")
        }
        rules.identity.append((pattern: pattern, keys: names))
      }
      for (pattern, value) in try Self.table(entry["policies"], "\(glob)' policies", fail) {
        try Self.check(pattern, "'\(glob)' policies", fail)
        rules.policies.append(
          (pattern: pattern, policy: try Self.policy(value, "'\(glob)' policies '\(pattern)'", fail)))
      }
      files.append(rules)
    }
  }

  private static func table(_ node: Node?, _ place: String, _ fail: (String) -> CasebookError) throws -> Mapping {
    guard let node, !node.isNull else { return Mapping() }
    guard let map = node.mapping else { throw fail("'\(place) must be a mapping of paths") }
    return map
  }

  private static func check(_ pattern: String, _ place: String, _ fail: (String) -> CasebookError) throws {
    do { _ = try MergePattern(pattern) } catch {
      throw fail("\(place): bad path '\(pattern)': \(error.message)")
    }
  }

  private static func policy(_ node: Node, _ place: String, _ fail: (String) -> CasebookError) throws -> MergePolicy {
    let known = MergePolicy.names.joined(separator: ", ")
    var name = node.string
    var order: [Node] = []
    if let map = node.mapping {
      for key in map.keys where key != "take" && key != "order" {
        throw fail("\(place): unknown key '\(key)' (use take, and order for forward-only)")
      }
      name = map["take"]?.string
      if let list = map["order"] {
        guard let items = list.sequence, !items.isEmpty, items.allSatisfy(\.isScalar), Set(items).count == items.count
        else { throw fail("\(place): order must be a list of distinct values") }
        guard name == "forward-only" else { throw fail("\(place): order applies to forward-only only") }
        order = items
      }
    }
    guard let name else { throw fail("\(place): expected a policy name (\(known))") }
    guard let policy = MergePolicy(name: name, order: order) else {
      throw fail("\(place): unknown policy '\(name)' (use \(known))")
    }
    return policy
  }

  /// The section as `casebook.yaml` writes it.
  public var node: Node {
    var map = Mapping()
    for rules in files {
      var entry = Mapping()
      if !rules.identity.isEmpty {
        entry["identity"] = .mapping(Mapping(rules.identity.map { ($0.pattern, .sequence($0.keys.map(Node.string))) }))
      }
      if !rules.policies.isEmpty {
        entry["policies"] = .mapping(
          Mapping(
            rules.policies.map { pattern, policy in
              if case .forwardOnly(let order) = policy, !order.isEmpty {
                return (pattern, .mapping(["take": .string(policy.description), "order": .sequence(order)]))
              }
              return (pattern, .string(policy.description))
            }))
      }
      map[rules.glob] = .mapping(entry)
    }
    return .mapping(map)
  }

  /// The merge options for the file at `path` (relative to the repository root): the rules of
  /// every matching entry, later entries winning, and the line merge for multi-line strings.
  public func options(forFile path: String) -> MergeOptions {
    var options = MergeOptions()
    for rules in files where Self.glob(rules.glob, matches: path) {
      for (pattern, keys) in rules.identity { options.identityKeys[pattern] = keys }
      for (pattern, policy) in rules.policies { options.policies[pattern] = policy }
    }
    options.mergeText = { base, ours, theirs in LineMerge.merge(base: base, ours: ours, theirs: theirs) }
    return options
  }

  /// `*` and `?` match within one folder name, `**/` any number of folders, `**` at the end anything.
  static func glob(_ glob: String, matches path: String) -> Bool {
    func match(_ g: Substring, _ p: Substring) -> Bool {
      guard let first = g.first else { return p.isEmpty }
      if g.hasPrefix("**") {
        var rest = g.dropFirst(2)
        if rest.first == "/" { rest = rest.dropFirst() }
        var candidate = p
        while true {
          if match(rest, candidate) { return true }
          guard let slash = candidate.firstIndex(of: "/") else { return rest.isEmpty }
          candidate = candidate[candidate.index(after: slash)...]
        }
      }
      if first == "*" {
        var candidate = p
        while true {
          if match(g.dropFirst(), candidate) { return true }
          guard let next = candidate.first, next != "/" else { return false }
          candidate = candidate.dropFirst()
        }
      }
      guard let next = p.first else { return false }
      if first == "?" { return next != "/" && match(g.dropFirst(), p.dropFirst()) }
      return first == next && match(g.dropFirst(), p.dropFirst())
    }
    return match(Substring(glob), Substring(path))
  }
}
