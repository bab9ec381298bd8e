import CasebookMarkdown
import YAML

/// Everything an export shows, gathered from one commit's tree and a chosen set of approvals,
/// before it is rendered as Markdown or HTML. Both renderers read only this, so the two formats
/// always say the same thing; nothing in it depends on the clock or on where it was made.
struct ExportDocument {
  struct Stakeholder {
    let name: String
    let role: String?
  }

  /// A profile key beyond the seed's schema (senior_responsible_owner, delivery_body…).
  struct Detail {
    let key: String
    let value: Node

    /// `senior_responsible_owner` → `Senior responsible owner`.
    var label: String {
      let words = key.replacingEvery("_", with: " ").replacingEvery("-", with: " ")
      return words.prefix(1).uppercased() + words.dropFirst()
    }
  }

  /// One citation, numbered across the whole document.
  struct Citation {
    let number: Int
    let input: String
    /// The input's file name; nil when the input is not in the exported commit.
    let name: String?
    let locator: String?
    let excerpt: String?
  }

  /// One section of the business case, in the document's order.
  struct Part {
    let number: Int
    let id: String
    let title: String
    let required: Bool
    /// nil when the section is not drafted at this commit.
    let record: SectionRecord?
    let content: String?
    let citations: [Citation]
    /// This section's approvals among those the document shows, oldest first.
    let approvals: [Approval]
  }

  let projectTitle: String
  let projectID: String
  let gateStage: String
  let template: String
  let commit: String
  let commitTime: String
  let stakeholders: [Stakeholder]
  let strategicAlignment: [String]
  let keyRisks: [String]
  let details: [Detail]
  let parts: [Part]
  /// The approvals table, ordered by time, then section, then version.
  let approvals: [Approval]
  /// The approval this document is rendered as of, when it is an approval's export.
  let asOf: Approval?
  /// Tags of the shown approvals whose section's text in this revision is not the text they
  /// approved: shown as stale, never as current. Empty for an approval's own export, which
  /// shows the revision its approvals saw.
  var stale: Set<String> = []

  /// The decision as the approvals table shows it.
  func decision(_ approval: Approval) -> String {
    approval.decision.rawValue + (stale.contains(approval.tag) ? " (stale: the section changed since)" : "")
  }

  /// Profile keys the title page shows in their own places.
  static let schemaKeys: Set<String> = [
    "project_id", "project_title", "gate_stage", "stakeholders", "key_risks", "strategic_alignment",
  ]

  /// A section's title for the approvals table: its title in this document, else its id.
  func title(of section: String) -> String {
    parts.first { $0.id == section }?.title ?? section
  }

  /// The text of a scalar for display; nil for sequences and mappings.
  static func scalarText(_ node: Node) -> String? {
    switch node {
    case .null: return ""
    case .bool(let value): return value ? "yes" : "no"
    case .int(let value): return String(value)
    case .float(let value): return String(value)
    case .string(let value): return value
    case .sequence, .mapping: return nil
    }
  }

  /// A recorded timestamp as people read it: `2026-11-25T09:30:00Z` → `2026-11-25 09:30 UTC`.
  static func readableTime(_ time: String) -> String {
    guard time.count == 20, time.hasSuffix("Z"), Array(time)[10] == "T" else { return time }
    return time.prefix(10) + " " + time.dropFirst(11).prefix(5) + " UTC"
  }

  /// The one-line status of a part, shared by both formats.
  static func statusLine(_ part: Part, stale: Set<String>) -> String {
    guard let record = part.record else {
      return part.required ? "Not yet drafted (required)" : "Not yet drafted"
    }
    var items = [record.status.rawValue.prefix(1).uppercased() + record.status.rawValue.dropFirst()]
    items.append("revision \(record.revision)")
    if let by = record.committedBy, record.status == .committed {
      items.append("committed by \(by)" + (record.committedAt.map { ", \(readableTime($0))" } ?? ""))
    }
    if !record.updatedBy.isEmpty {
      items.append(
        "last change by \(record.updatedBy)" + (record.updatedAt.isEmpty ? "" : ", \(readableTime(record.updatedAt))"))
    }
    if let latest = part.approvals.last {
      items.append(
        "\(latest.decision.rawValue) v\(latest.version) by \(latest.reviewer), \(readableTime(latest.time))"
          + (stale.contains(latest.tag) ? ", stale: the section changed since" : ""))
    }
    return items.joined(separator: " · ")
  }

  /// The status in a few words, for the table of contents.
  static func shortStatus(_ part: Part) -> String {
    guard let record = part.record else { return "not yet drafted" }
    return "\(record.status.rawValue), revision \(record.revision)"
  }

  /// The content without a leading level-1 heading that repeats the section's title (drafts
  /// usually start with one; the export prints the title itself).
  static func bodyLines(_ content: String, title: String) -> [String] {
    var lines = MarkdownText.lines(content)
    while let last = lines.last, MarkdownText.isBlank(last) { lines.removeLast() }
    guard let first = lines.firstIndex(where: { !MarkdownText.isBlank($0) }),
      let heading = MarkdownText.heading(lines[first]), heading.level == 1,
      heading.text.lowercased() == title.trimmingSpaces().lowercased()
    else { return lines }
    // One cut, not a removeFirst per blank line: 400 KB of blank lines after the title would
    // otherwise move the whole array once per line.
    let body = lines[(first + 1)...].firstIndex { !MarkdownText.isBlank($0) } ?? lines.endIndex
    return Array(lines[body...])
  }

  /// A section's text as the export renders it (`Markdown.html`, `Markdown.markdown`): without
  /// the repeated title; headings go two levels down (under the document's `#` and the
  /// section's `##`), and footnotes are labelled `s<number>-` so that they stay apart from other
  /// sections' and from the citations' `fn-N`.
  static func body(_ content: String, of part: Part) -> (text: String, headingShift: Int, footnotePrefix: String) {
    (bodyLines(content, title: part.title).joined(separator: "\n") + "\n", 2, "s\(part.number)-")
  }

  /// Cuts an excerpt to a size a footnote can carry.
  static func trimmedExcerpt(_ text: String) -> String {
    var lines = MarkdownText.lines(text)
    while let last = lines.last, MarkdownText.isBlank(last) { lines.removeLast() }
    var cut = false
    if lines.count > 30 {
      lines = Array(lines.prefix(30))
      cut = true
    }
    var out = lines.joined(separator: "\n")
    if out.count > 2_000 {
      out = String(out.prefix(2_000))
      cut = true
    }
    return cut ? out + " …" : out
  }
}
