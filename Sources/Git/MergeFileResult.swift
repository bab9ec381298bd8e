#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The outcome of a 3-way merge of one file's content.
public struct MergeFileResult: Sendable, Equatable {
  /// The merged content; contains conflict markers when `automergeable` is false.
  public let content: Data
  /// Whether the merge was clean.
  public let automergeable: Bool

  /// Makes a result value.
  public init(content: Data, automergeable: Bool) {
    self.content = content
    self.automergeable = automergeable
  }
}
