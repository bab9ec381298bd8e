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
    keep(value, for: key)
    return value
  }

  /// Records `value` as what `make` would compute from object `id`, for a writer that has just
  /// made the object from the value (and so need not read it back). The caller guarantees that
  /// computing it from the bytes would give the same value.
  public func seed<T>(_ id: ObjectID, _ value: T) {
    let key = Key(id: id, type: ObjectIdentifier(T.self))
    guard values[key] == nil else { return }
    keep(value, for: key)
  }

  private func keep(_ value: Any, for key: Key) {
    values[key] = value
    order.append(key)
    if values.count > Self.capacity, let evicted = order.removeOldest() { values[evicted] = nil }
  }
}
