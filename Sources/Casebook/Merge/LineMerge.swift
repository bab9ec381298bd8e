import Git

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The line merge for multi-line YAML strings (block-scalar prose): git's algorithm
/// (libgit2's merge-file), plus one rule git lacks. Where both sides inserted lines at the same
/// place and removed nothing there, both insertions are kept, ours first, instead of a conflict:
/// two sessions appending a paragraph each to the same text lose nothing. Any other overlapping
/// edit is a conflict (nil), never a silent choice.
enum LineMerge {
  private static let markers = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"]

  static func merge(base: String, ours: String, theirs: String) -> String? {
    // A text that itself contains marker-like lines would make the output ambiguous.
    for text in [base, ours, theirs] where text.split(separator: "\n").contains(where: isMarker) {
      return nil
    }
    // Merge newline-terminated texts so that a missing final newline is not a line of its own;
    // the final newline is then merged as a 3-way flag.
    func terminated(_ text: String) -> String { text.isEmpty || text.hasSuffix("\n") ? text : text + "\n" }
    guard
      let result = try? Repository.mergeFile(
        base: Data(terminated(base).utf8), ours: Data(terminated(ours).utf8), theirs: Data(terminated(theirs).utf8),
        labels: (base: "base", ours: "ours", theirs: "theirs"), diff3: true)
    else { return nil }
    var merged: String
    if result.automergeable {
      merged = String(decoding: result.content, as: UTF8.self)
    } else {
      guard let resolved = unionOfInsertions(String(decoding: result.content, as: UTF8.self)) else { return nil }
      merged = resolved
    }
    let (b, o, t) = (base.hasSuffix("\n"), ours.hasSuffix("\n"), theirs.hasSuffix("\n"))
    let newline = o == t ? o : (b == o ? t : o)
    if !newline, merged.hasSuffix("\n") { merged.removeLast() }
    return merged
  }

  private static func isMarker(_ line: Substring) -> Bool {
    markers.contains { line.hasPrefix($0) }
  }

  /// Resolves diff3 conflict blocks whose base part is empty by keeping ours then theirs; nil if
  /// any block has base lines (both sides edited the same lines).
  private static func unionOfInsertions(_ text: String) -> String? {
    enum State { case outside, ours, base, theirs }
    var state = State.outside
    var output: [Substring] = []
    var ours: [Substring] = []
    var theirs: [Substring] = []
    var baseLines = 0
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for line in lines {
      switch state {
      case .outside:
        if line.hasPrefix("<<<<<<<") {
          state = .ours
          ours = []
          theirs = []
          baseLines = 0
        } else {
          output.append(line)
        }
      case .ours:
        if line.hasPrefix("|||||||") { state = .base } else { ours.append(line) }
      case .base:
        if line.hasPrefix("=======") { state = .theirs } else { baseLines += 1 }
      case .theirs:
        if line.hasPrefix(">>>>>>>") {
          guard baseLines == 0 else { return nil }
          output += ours
          output += theirs
          state = .outside
        } else {
          theirs.append(line)
        }
      }
    }
    guard state == .outside else { return nil }
    return output.joined(separator: "\n")
  }
}
