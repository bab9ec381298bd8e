/// A commit message with Casebook's trailers, so that `git log --format='%(trailers)'` is an
/// audit log. Trailer values are single-line by construction: newlines are folded to spaces.
struct CommitMessage {
  var summary: String
  var body: String? = nil
  var action: String
  var user: String
  var session: SessionID? = nil
  var section: SectionID? = nil
  var input: InputID? = nil
  var extra: [(String, String)] = []

  var text: String {
    func line(_ s: String) -> String {
      // Nearly every value is one line already: checked on bytes, without splitting.
      guard s.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return s }
      return s.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
    var trailers = [("Casebook-Action", action)]
    if let session { trailers.append(("Casebook-Session", session.text)) }
    trailers.append(("Casebook-User", user))
    if let section { trailers.append(("Casebook-Section", section.text)) }
    if let input { trailers.append(("Casebook-Input", input.text)) }
    trailers += extra
    var out = line(summary) + "\n\n"
    if let body, !body.isEmpty {
      var trimmed = Substring(body)
      while trimmed.first?.isNewline == true { trimmed.removeFirst() }
      while trimmed.last?.isNewline == true { trimmed.removeLast() }
      out += trimmed + "\n\n"
    }
    out += trailers.map { "\($0.0): \(line($0.1))" }.joined(separator: "\n") + "\n"
    return out
  }
}

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
