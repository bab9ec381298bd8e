import CasebookMarkdown
import YAML

extension ExportDocument {
  /// The document as one self-contained HTML file: inline CSS, no scripts, nothing loaded from
  /// anywhere, laid out to print on A4 (title page, contents, each section from a new page,
  /// footnotes under their section, the approvals table last).
  ///
  /// Structure that tests and tools may rely on: `header#title-page`, `nav#contents`, one
  /// `section.case-section` per section (id `section-<id>`, `data-section`, `data-status`) in
  /// document order, citation marks `a#fnref-N[href="#fn-N"]` and notes `li#fn-N` with a link
  /// back to `#fnref-N`, and `section#approvals` with one `tbody tr` per approval.
  func html() -> String {
    let e: (String) -> String = MarkdownText.escapeHTML
    var out = ""
    func add(_ text: String) { out += text + "\n" }

    add("<!DOCTYPE html>")
    add("<html lang=\"en\">")
    add("<head>")
    add("<meta charset=\"utf-8\">")
    add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    add("<meta name=\"generator\" content=\"casebook export, renderer \(Export.renderer)\">")
    add("<meta name=\"casebook-commit\" content=\"\(commit)\">")
    if let asOf { add("<meta name=\"casebook-approval\" content=\"\(e(asOf.tag))\">") }
    add("<title>\(e(projectTitle)) — business case</title>")
    add("<style>\n\(Self.css)</style>")
    add("</head>")
    add("<body>")

    add("<header id=\"title-page\" class=\"title-page\">")
    add("<p class=\"kind\">Business case\(gateStage.isEmpty ? "" : " · \(e(gateStage))")</p>")
    add("<h1>\(e(projectTitle))</h1>")
    add("<table class=\"facts\">")
    add("<tbody>")
    func fact(_ label: String, _ valueHTML: String) {
      add("<tr><th scope=\"row\">\(e(label))</th><td>\(valueHTML)</td></tr>")
    }
    fact("Project id", e(projectID))
    fact("Gate stage", gateStage.isEmpty ? "—" : e(gateStage))
    fact("Template", e(template))
    for detail in details { fact(detail.label, Self.valueHTML(detail.value)) }
    fact("Commit", "<code>\(commit)</code> (\(e(Self.readableTime(commitTime))))")
    add("</tbody>")
    add("</table>")
    if let asOf {
      add(
        "<p class=\"as-of\">This is the document approved by tag <code>\(e(asOf.tag))</code>: "
          + "\(e(asOf.decision.rawValue)) by \(e(asOf.reviewer)), \(e(Self.readableTime(asOf.time))). "
          + "Its approvals table shows the approvals recorded when it was made.</p>")
    }
    add("<h2>Stakeholders</h2>")
    if stakeholders.isEmpty {
      add("<p class=\"none\">None recorded.</p>")
    } else {
      add("<table class=\"stakeholders\">")
      add("<thead><tr><th>Name</th><th>Role</th></tr></thead>")
      add("<tbody>")
      for s in stakeholders { add("<tr><td>\(e(s.name))</td><td>\(e(s.role ?? "—"))</td></tr>") }
      add("</tbody>")
      add("</table>")
    }
    for (heading, id, items) in [
      ("Strategic alignment", "strategic-alignment", strategicAlignment), ("Key risks", "key-risks", keyRisks),
    ] {
      add("<h2>\(heading)</h2>")
      if items.isEmpty {
        add("<p class=\"none\">None recorded.</p>")
      } else {
        add("<ul class=\"\(id)\">")
        for item in items { add("<li>\(e(item))</li>") }
        add("</ul>")
      }
    }
    add("</header>")

    add("<nav id=\"contents\" class=\"contents\">")
    add("<h2>Contents</h2>")
    add("<ol>")
    for part in parts {
      add(
        "<li><a href=\"#section-\(part.id)\">\(e(part.title))</a> <span class=\"status\">\(e(Self.shortStatus(part)))</span></li>"
      )
    }
    add("<li><a href=\"#approvals\">Approvals</a></li>")
    add("</ol>")
    add("</nav>")

    add("<main>")
    for part in parts {
      let status = part.record?.status.rawValue ?? "not-drafted"
      add(
        "<section id=\"section-\(part.id)\" class=\"case-section status-\(status)\" data-section=\"\(part.id)\" data-status=\"\(status)\">"
      )
      add("<h2><span class=\"number\">\(part.number)</span> \(e(part.title))</h2>")
      add("<p class=\"status\">\(e(Self.statusLine(part, stale: stale)))</p>")
      if let content = part.content {
        add("<div class=\"content\">")
        let body = Self.body(content, of: part)
        out += Markdown.html(body.text, headingShift: body.headingShift, footnotePrefix: body.footnotePrefix)
        add("</div>")
      } else {
        add("<p class=\"not-drafted\">Not yet drafted.</p>")
      }
      if !part.citations.isEmpty {
        let marks = part.citations.map {
          "<sup class=\"fnref\"><a id=\"fnref-\($0.number)\" href=\"#fn-\($0.number)\">\($0.number)</a></sup>"
        }
        add("<p class=\"sources\">Sources: \(marks.joined(separator: " "))</p>")
        add("<ol class=\"footnotes\" start=\"\(part.citations[0].number)\">")
        for citation in part.citations {
          var note = "<li id=\"fn-\(citation.number)\">"
          if let name = citation.name {
            note += "<span class=\"input-name\">\(e(name))</span> (input <code>\(e(citation.input))</code>)"
          } else {
            note += "input <code>\(e(citation.input))</code> (not in this revision)"
          }
          if let locator = citation.locator { note += ", <span class=\"locator\">\(e(locator))</span>" }
          note += " <a class=\"backref\" href=\"#fnref-\(citation.number)\" aria-label=\"back to the text\">↩</a>"
          if let excerpt = citation.excerpt { note += "\n<blockquote class=\"excerpt\">\(e(excerpt))</blockquote>" }
          add(note + "</li>")
        }
        add("</ol>")
      }
      add("</section>")
    }
    add("</main>")

    add("<section id=\"approvals\" class=\"approvals\">")
    add("<h2>Approvals</h2>")
    if approvals.isEmpty {
      add("<p class=\"none\">No approvals recorded.</p>")
    } else {
      add("<table>")
      add(
        "<thead><tr><th>Section</th><th>Version</th><th>Revision</th><th>Decision</th><th>Reviewer</th><th>Date</th><th>Comment</th></tr></thead>"
      )
      add("<tbody>")
      for a in approvals {
        add(
          "<tr data-tag=\"\(e(a.tag))\"><td>\(e(title(of: a.section))) <code>\(e(a.section))</code></td><td>v\(a.version)</td>"
            + "<td>\(a.revision)</td><td class=\"decision-\(e(a.decision.rawValue))\(stale.contains(a.tag) ? " stale" : "")\">\(e(decision(a)))</td>"
            + "<td>\(e(a.reviewer))</td><td>\(e(Self.readableTime(a.time)))</td><td>\(e(a.comment ?? ""))</td></tr>")
      }
      add("</tbody>")
      add("</table>")
    }
    add("</section>")
    add("</body>")
    add("</html>")
    return out
  }

  /// A profile value on the title page: text, a list of scalars, or the YAML of anything else.
  static func valueHTML(_ node: Node) -> String {
    if let text = scalarText(node) { return text.isEmpty ? "—" : MarkdownText.escapeHTML(text) }
    if let items = node.sequence, items.allSatisfy(\.isScalar) {
      return "<ul>" + items.compactMap(scalarText).map { "<li>\(MarkdownText.escapeHTML($0))</li>" }.joined() + "</ul>"
    }
    return "<pre>\(MarkdownText.escapeHTML(YAML.emit(node).trimmingSuffixNewlines()))</pre>"
  }

  /// The style sheet, inline so the file stands alone. Print rules: A4 pages with numbers,
  /// the title page and contents on their own pages, each section from a new page, headings
  /// kept with what follows, table rows and notes not split.
  static let css = """
    @page { size: A4; margin: 20mm 18mm 22mm 18mm; }
    @page { @bottom-center { content: counter(page); font: 9pt Arial, Helvetica, sans-serif; color: #555; } }
    html { font: 11pt/1.45 Georgia, "Times New Roman", serif; color: #111; background: #fff; }
    body { max-width: 46em; margin: 0 auto; padding: 2em 1.5em; }
    h1, h2, h3, h4, h5, h6 { font-family: Arial, Helvetica, sans-serif; line-height: 1.2; break-after: avoid; page-break-after: avoid; }
    h1 { font-size: 24pt; margin: 0.2em 0 0.6em; }
    h2 { font-size: 16pt; margin: 1.2em 0 0.4em; }
    h3 { font-size: 13pt; } h4 { font-size: 11.5pt; } h5, h6 { font-size: 11pt; }
    .title-page { break-after: page; page-break-after: always; }
    .title-page .kind { font-family: Arial, Helvetica, sans-serif; text-transform: uppercase; letter-spacing: 0.08em; color: #555; margin-top: 3em; }
    .contents { break-after: page; page-break-after: always; }
    .contents li { margin: 0.3em 0; }
    .contents .status, p.status { display: block; font-size: 9pt; color: #555; }
    section.case-section, section.approvals { break-before: page; page-break-before: always; }
    section.case-section h2 .number { color: #555; margin-right: 0.4em; }
    .not-drafted { font-style: italic; color: #8a1c1c; }
    table { border-collapse: collapse; width: 100%; margin: 0.8em 0; font-size: 10pt; }
    th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
    thead { display: table-header-group; }
    thead th { background: #eee; }
    tr, li, blockquote, pre { break-inside: avoid; page-break-inside: avoid; }
    table.facts th { width: 32%; background: #f4f4f4; }
    td ul { margin: 0; padding-left: 1.2em; }
    th[align="center"], td[align="center"] { text-align: center; } th[align="right"], td[align="right"] { text-align: right; }
    li > input[type="checkbox"] { margin: 0 0.4em 0 0; }
    pre, code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 9.5pt; }
    pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f6f6; padding: 0.6em; border: 1px solid #ddd; }
    blockquote { margin: 0.6em 0; padding: 0 0 0 0.9em; border-left: 3px solid #bbb; color: #333; }
    blockquote.excerpt { white-space: pre-wrap; font-size: 9pt; }
    .sources { font-size: 9.5pt; color: #333; }
    sup.fnref a { text-decoration: none; padding: 0 0.1em; }
    ol.footnotes { font-size: 9pt; border-top: 1px solid #999; padding-top: 0.5em; }
    ol.footnotes li { margin-bottom: 0.4em; }
    ol.footnotes code { font-size: 8.5pt; }
    a.backref { text-decoration: none; }
    section.footnotes { font-size: 9pt; border-top: 1px solid #ccc; margin-top: 1em; }
    sup.footnote-ref a, a.footnote-backref { text-decoration: none; }
    .decision-approved { color: #1a5e20; } .decision-rejected { color: #8a1c1c; } .decision-changes-requested { color: #7a5200; }
    a { color: #0b4f8a; }
    @media print {
      body { max-width: none; margin: 0; padding: 0; }
      a { color: inherit; text-decoration: none; }
    }

    """
}
