import CasebookMarkdown
import YAML

extension ExportDocument {
  /// The document as Markdown (GitHub-flavoured: pipe tables, `[^label]` footnotes), under the
  /// same safety rules as the HTML: section text is rewritten from what the converter parsed
  /// (see `Markdown.markdown`), its headings moved two levels down under the section's
  /// own, and every other string from the repository (profile values, titles, file names,
  /// locators, excerpts, comments) is escaped to read as plain text.
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
      out += MarkdownText.fenced(YAML.emit(detail.value).trimmingSuffixNewlines(), info: "yaml")
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
      line("_\(Self.statusLine(part, stale: stale))_")
      line()
      if let content = part.content {
        let section = Self.body(content, of: part)
        let body = Markdown.markdown(
          section.text, headingShift: section.headingShift, footnotePrefix: section.footnotePrefix)
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
            for quoted in MarkdownText.lines(excerpt) {
              line(quoted.isEmpty ? "    >" : "    > \(Self.plain(quoted))")
            }
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
          "| \(Self.cell(title(of: a.section))) (`\(a.section)`) | v\(a.version) | \(a.revision) | \(Self.cell(decision(a))) | "
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

  /// One line of plain text: line breaks become spaces, and Markdown is escaped (`plain`).
  static func oneLine(_ text: String) -> String {
    plain(text.split(whereSeparator: \.isNewline).joined(separator: " "))
  }

  /// Text that a Markdown reader shows as written, as the HTML export shows it: characters that
  /// would start raw HTML, links, entities, code or emphasis are backslash-escaped, and control
  /// characters become U+FFFD as in the HTML.
  static func plain(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\", "`", "*", "_", "[", "]", "<", ">", "&", "|", "~", "#", "!":
        out += "\\"
        out.unicodeScalars.append(scalar)
      case "\t": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0x7f || scalar == "\u{E000}" {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// Text for a Markdown table cell: one line, escaped (pipes too).
  static func cell(_ text: String) -> String {
    oneLine(text)
  }
}

extension String {
  func trimmingSuffixNewlines() -> String {
    var s = self
    while s.hasSuffix("\n") { s.removeLast() }
    return s
  }
}
