import YAML

extension ExportDocument {
  /// The document as Markdown (GitHub-flavoured: pipe tables, `[^label]` footnotes). Section
  /// text is kept as drafted, its headings moved two levels down under the section's own.
  func markdown() -> String {
    var out: [String] = []
    func line(_ text: String = "") { out.append(text) }

    line("# \(Self.oneLine(projectTitle))")
    line()
    line("**Business case\(gateStage.isEmpty ? "" : " — \(Self.oneLine(gateStage))")**")
    line()
    line("| | |")
    line("| --- | --- |")
    line("| Project id | \(Self.cell(projectID)) |")
    line("| Gate stage | \(Self.cell(gateStage.isEmpty ? "—" : gateStage)) |")
    line("| Template | \(Self.cell(template)) |")
    for detail in details {
      if let text = Self.scalarText(detail.value) {
        line("| \(Self.cell(detail.label)) | \(Self.cell(text.isEmpty ? "—" : text)) |")
      } else if let items = detail.value.sequence, items.allSatisfy(\.isScalar) {
        line("| \(Self.cell(detail.label)) | \(Self.cell(items.compactMap(Self.scalarText).joined(separator: "; "))) |")
      } else {
        line("| \(Self.cell(detail.label)) | see below |")
      }
    }
    line("| Commit | `\(commit)` (\(Self.readableTime(commitTime))) |")
    line()
    if let asOf {
      line(
        "This is the document approved by tag `\(asOf.tag)`: \(asOf.decision.rawValue) by \(asOf.reviewer), "
          + "\(Self.readableTime(asOf.time)). Its approvals table shows the approvals recorded when it was made.")
      line()
    }
    for detail in details
    where Self.scalarText(detail.value) == nil && !(detail.value.sequence?.allSatisfy(\.isScalar) ?? false) {
      line("**\(Self.oneLine(detail.label))**")
      line()
      line("```yaml")
      line(YAML.emit(detail.value).trimmingSuffixNewlines())
      line("```")
      line()
    }
    line("## Stakeholders")
    line()
    if stakeholders.isEmpty {
      line("None recorded.")
    } else {
      line("| Name | Role |")
      line("| --- | --- |")
      for s in stakeholders { line("| \(Self.cell(s.name)) | \(Self.cell(s.role ?? "—")) |") }
    }
    line()
    for (heading, items) in [("Strategic alignment", strategicAlignment), ("Key risks", keyRisks)] {
      line("## \(heading)")
      line()
      if items.isEmpty { line("None recorded.") }
      for item in items { line("- \(Self.oneLine(item))") }
      line()
    }
    line("## Contents")
    line()
    for part in parts { line("\(part.number). \(Self.oneLine(part.title)) — \(Self.shortStatus(part))") }
    line("\(parts.count + 1). Approvals")
    line()

    for part in parts {
      line("---")
      line()
      line("## \(part.number). \(Self.oneLine(part.title))")
      line()
      line("_\(Self.statusLine(part))_")
      line()
      if let content = part.content {
        let body = Self.demoted(Self.bodyLines(content, title: part.title), by: 2)
        out.append(contentsOf: body)
        if !body.isEmpty { line() }
      } else {
        line("*Not yet drafted.*")
        line()
      }
      if !part.citations.isEmpty {
        line("Sources: " + part.citations.map { "[^src-\($0.number)]" }.joined(separator: " "))
        line()
        for citation in part.citations {
          line("[^src-\(citation.number)]: \(Self.describe(citation))")
          if let excerpt = citation.excerpt {
            line()
            for quoted in MarkdownHTML.lines(excerpt) { line(quoted.isEmpty ? "    >" : "    > \(quoted)") }
          }
          line()
        }
      }
    }
    line("---")
    line()
    line("## Approvals")
    line()
    if approvals.isEmpty {
      line("No approvals recorded.")
    } else {
      line("| Section | Version | Revision | Decision | Reviewer | Date | Comment |")
      line("| --- | --- | --- | --- | --- | --- | --- |")
      for a in approvals {
        line(
          "| \(Self.cell(title(of: a.section))) (`\(a.section)`) | v\(a.version) | \(a.revision) | \(a.decision.rawValue) | "
            + "\(Self.cell(a.reviewer)) | \(Self.readableTime(a.time)) | \(Self.cell(a.comment ?? "")) |")
      }
    }
    line()
    return out.joined(separator: "\n")
  }

  /// How a footnote names its input: file name, id, and where in it.
  static func describe(_ citation: Citation) -> String {
    let at = citation.locator.map { ", \(oneLine($0))" } ?? ""
    guard let name = citation.name else { return "input \(oneLine(citation.input))\(at) (not in this revision)" }
    return "\(oneLine(name)) (input \(citation.input))\(at)"
  }

  static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
  }

  /// Text for a Markdown table cell: one line, pipes escaped.
  static func cell(_ text: String) -> String {
    oneLine(text).replacingEvery("|", with: "\\|")
  }

  /// ATX headings outside code fences moved `shift` levels down (at most to level 6).
  static func demoted(_ lines: [String], by shift: Int) -> [String] {
    var fence: MarkdownHTML.Fence?
    return lines.map { line in
      if let open = fence {
        if let close = MarkdownHTML.fence(line), close.char == open.char, close.count >= open.count, close.info.isEmpty
        {
          fence = nil
        }
        return line
      }
      if let open = MarkdownHTML.fence(line) {
        fence = open
        return line
      }
      guard let heading = MarkdownHTML.heading(line) else { return line }
      return String(repeating: "#", count: min(6, heading.level + shift)) + " " + heading.text
    }
  }
}

extension String {
  func trimmingSuffixNewlines() -> String {
    var s = self
    while s.hasSuffix("\n") { s.removeLast() }
    return s
  }
}
