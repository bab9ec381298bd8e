import Git
import YAML

/// Records parsed from blobs, kept per project handle.
///
/// A blob never changes, so the node parsed from it stays true for as long as its id exists. A
/// store write reads the same few records again and again (the section's record on main, its
/// lock, the session file); this keeps the parsed form instead of parsing each of them on every
/// write. Bounded by count, oldest out first. Like `Project`, one thread at a time. (It lived in
/// the Git layer as `DerivedValues` until the architecture review: an application cache.)
final class ParsedRecords {
  /// How many records are kept.
  static let capacity = 1_024

  private var nodes: [ObjectID: Node] = [:]
  /// Ids in the order they were kept; `oldest` is where the live part starts.
  private var order: [ObjectID] = []
  private var oldest = 0

  /// The node parsed from blob `id`: computed by `parse` the first time, and kept. A `parse`
  /// that throws keeps nothing.
  func node(_ id: ObjectID, _ parse: () throws -> Node) rethrows -> Node {
    if let kept = nodes[id] { return kept }
    let node = try parse()
    keep(node, for: id)
    return node
  }

  /// Records `node` as what parsing blob `id` gives, for a writer that has just made the blob
  /// from the node (and so need not read it back). The caller guarantees that parsing the bytes
  /// would give the same node.
  func seed(_ id: ObjectID, _ node: Node) {
    guard nodes[id] == nil else { return }
    keep(node, for: id)
  }

  private func keep(_ node: Node, for id: ObjectID) {
    nodes[id] = node
    order.append(id)
    guard nodes.count > Self.capacity else { return }
    nodes[order[oldest]] = nil
    oldest += 1
    // Drop the evicted prefix now and then, so the array stays within twice the capacity.
    if oldest >= Self.capacity {
      order.removeFirst(oldest)
      oldest = 0
    }
  }
}
