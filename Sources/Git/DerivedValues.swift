/// Values computed from objects, kept per repository handle.
///
/// An object never changes, so anything computed from its bytes alone (a parsed YAML record,
/// say) stays true for as long as the id exists. A store write reads the same few records again
/// and again (the section's record on main, its lock, the session file); this keeps the parsed
/// form instead of parsing each of them on every write. Bounded by count, oldest out first.
/// Like `Repository`, one thread at a time.
public final class DerivedValues {
  private struct Key: Hashable {
    let id: ObjectID
    let type: ObjectIdentifier
  }

  /// How many values are kept.
  public static let capacity = 1_024

  private var values: [Key: Any] = [:]
  private var order = InsertionOrder<Key>()

  init() {}

  /// The value of type `T` derived from object `id`: computed by `make` the first time, and
  /// kept. A `make` that throws keeps nothing.
  public func value<T>(_ id: ObjectID, as type: T.Type = T.self, _ make: () throws -> T) rethrows -> T {
    let key = Key(id: id, type: ObjectIdentifier(type))
    if let kept = values[key] as? T { return kept }
    let value = try make()
    values[key] = value
    order.append(key)
    if values.count > Self.capacity, let evicted = order.removeOldest() { values[evicted] = nil }
    return value
  }
}
