import Foundation
import Testing

@testable import CasebookMarkdown

/// Section Markdown → the export's HTML and Markdown: GitHub's reading of it, with nothing from
/// the draft ever reaching the output as markup, a script or an outside resource.
@Suite("Markdown to HTML")
struct MarkdownHTMLTests {
  static let cases: [(String, String)] = [
    (
      "# Title\n\nSome *em* and **strong** text.\n",
      "<h1>Title</h1>\n<p>Some <em>em</em> and <strong>strong</strong> text.</p>\n"
    ),
    ("## Closed ##\n", "<h2>Closed</h2>\n"),
    ("Setext\n======\n", "<h1>Setext</h1>\n"),
    ("a\nb\n\nc\n", "<p>a\nb</p>\n<p>c</p>\n"),
    ("line one  \nline two\n", "<p>line one<br />\nline two</p>\n"),
    ("snake_case_name and _em_\n", "<p>snake_case_name and <em>em</em></p>\n"),
    ("2 * 3 * 4\n", "<p>2 * 3 * 4</p>\n"),
    ("Use `a < b` and ``x ` y``\n", "<p>Use <code>a &lt; b</code> and <code>x ` y</code></p>\n"),
    (
      "- one\n- two\n  - nested\n- three\n",
      "<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>three</li>\n</ul>\n"
    ),
    ("1. first\n2. second\n", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"),
    ("3) three\n4) four\n", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n"),
    ("- a\n\n- b\n", "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n"),
    ("Intro:\n- item\n", "<p>Intro:</p>\n<ul>\n<li>item</li>\n</ul>\n"),
    ("> quoted *text*\n> more\n", "<blockquote>\n<p>quoted <em>text</em>\nmore</p>\n</blockquote>\n"),
    (
      "```swift\nlet x = \"<b>\"\n```\n",
      "<pre><code class=\"language-swift\">let x = &quot;&lt;b&gt;&quot;\n</code></pre>\n"
    ),
    ("    indented code\n", "<pre><code>indented code\n</code></pre>\n"),
    ("---\n", "<hr />\n"),
    (
      "| A | B | C |\n|:--|:-:|--:|\n| 1 | `x\\|y` | a \\| b |\n| 2 |\n",
      "<table>\n<thead>\n<tr>\n<th align=\"left\">A</th>\n<th align=\"center\">B</th>\n<th align=\"right\">C</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"center\"><code>x|y</code></td>\n<td align=\"right\">a | b</td>\n</tr>\n<tr>\n<td align=\"left\">2</td>\n<td align=\"center\"></td>\n<td align=\"right\"></td>\n</tr>\n</tbody>\n</table>\n"
    ),
    (
      "[GOV.UK](https://www.gov.uk/ \"title\")\n",
      "<p><a href=\"https://www.gov.uk/\" title=\"title\">GOV.UK</a></p>\n"
    ),
    ("[x](javascript:alert(1)) [y](file:///etc/passwd) [z](#top)\n", "<p>x y <a href=\"#top\">z</a></p>\n"),
    (
      "<https://example.org/a?b=1&c=2>\n",
      "<p><a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a></p>\n"
    ),
    ("![a chart](https://example.org/x.png)\n", "<p>[a chart]</p>\n"),
    ("<script>alert('x')</script>\n", "<p>&lt;script&gt;alert('x')&lt;/script&gt;</p>\n"),
    ("\\*not em\\* & \"q\"\n", "<p>*not em* &amp; &quot;q&quot;</p>\n"),
    ("tab\u{1}control\r\nwindows\r\n", "<p>tab\u{FFFD}control\nwindows</p>\n"),
    // What the hand-written converter lacked, as GitHub shows it.
    ("~~gone~~ and ~also~\n", "<p><del>gone</del> and <del>also</del></p>\n"),
    (
      "- [ ] to do\n- [x] done\n",
      "<ul>\n<li><input type=\"checkbox\" disabled=\"\" /> to do</li>\n<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> done</li>\n</ul>\n"
    ),
    (
      "See www.gov.uk and help@example.org.\n",
      "<p>See <a href=\"http://www.gov.uk\">www.gov.uk</a> and <a href=\"mailto:help@example.org\">help@example.org</a>.</p>\n"
    ),
    ("[the plan][p]\n\n[p]: https://example.org/plan\n", "<p><a href=\"https://example.org/plan\">the plan</a></p>\n"),
    ("&copy; &amp; &#169; &#x3C;b&#x3E;\n", "<p>© &amp; © &lt;b&gt;</p>\n"),
  ]

  @Test("renders GitHub-flavoured Markdown", arguments: 0..<cases.count)
  func renders(_ n: Int) {
    let (markdown, html) = Self.cases[n]
    #expect(Markdown.html(markdown) == html)
  }

  @Test("moves headings down under the document's own")
  func shift() {
    #expect(Markdown.html("# A\n###### B\n", headingShift: 2) == "<h3>A</h3>\n<h6>B</h6>\n")
    #expect(Markdown.markdown("# A\n###### B\n", headingShift: 2) == ["### A", "", "###### B"])
  }

  @Test("footnotes: ids and labels carry the prefix, so two sections' [^1] stay apart")
  func footnotes() {
    let text = "Cost[^1] and risk[^r].\n\n[^1]: The 2025 estimate.\n[^r]: See <b>annex</b>.\n"
    let html = Markdown.html(text, footnotePrefix: "s2-")
    #expect(html.contains("<a href=\"#fn-s2-1\" id=\"fnref-s2-1\" data-footnote-ref>1</a>"))
    #expect(html.contains("<li id=\"fn-s2-r\">\n<p>See &lt;b&gt;annex&lt;/b&gt;."))
    #expect(!html.contains("\"#fn-1\"") && !html.contains("id=\"fn-r\""))
    #expect(
      Markdown.markdown(text, footnotePrefix: "s2-") == [
        "Cost[^s2-1] and risk[^s2-2].", "", "[^s2-1]: The 2025 estimate.", "", "[^s2-2]: See \\<b\\>annex\\</b\\>.",
      ])
  }

  /// Tags the renderer may write; anything else in the output would have come from the input.
  static let allowedTags: Set<String> = [
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "table",
    "thead", "tbody", "tr", "th", "td", "hr", "br", "a", "del", "input", "sup", "section",
  ]
  static let allowedAttributes: Set<String> = [
    "href", "title", "class", "start", "align", "id", "type", "checked", "disabled", "aria-label",
  ]

  static let hostile = [
    "<img src=x onerror=alert(1)>", "<a href=\"javascript:x\">y</a>", "[a](<javascript:x>)", "[a](data:text/html,x)",
    "**<iframe>**", "`</code><script>`", "> <style>@import url(x)</style>", "| <b> | x |\n|---|---|\n| <i> | y |",
    "<!-- comment -->", "&lt;already&gt; &amp;", "[a](https://x.org/\"onmouseover=\"alert(1))",
    "- [x](https://a.b/c) <svg onload=1>", "www.example.org/<script>", "javascript:alert(1)@x.org",
    "[^<b>]\n\n[^<b>]: <i>", "[x]: javascript:alert(1) \"t\"\n\n[x]", "<xmp><plaintext>", "![<b>](x.png)",
    "[a](#\"onclick=\"x)", "- [ ] <input type=checkbox checked>",
    String(repeating: "[", count: 500) + "x" + String(repeating: "](y)", count: 3),
  ]

  @Test("writes only its own tags and attributes, whatever the input", arguments: hostile)
  func escapes(_ markdown: String) throws {
    let html = Markdown.html(markdown, footnotePrefix: "s1-")
    let regex = try NSRegularExpression(pattern: "<(/?)([a-zA-Z0-9]+)([^>]*)>")
    for match in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
      let tag = String(html[Range(match.range(at: 2), in: html)!])
      let attributes = String(html[Range(match.range(at: 3), in: html)!])
      #expect(Self.allowedTags.contains(tag), "tag <\(tag)> in \(html)")
      let names = try NSRegularExpression(pattern: "\\s([a-z-]+)(=\"[^\"]*\")?").matches(
        in: attributes, range: NSRange(attributes.startIndex..., in: attributes)
      ).map { String(attributes[Range($0.range(at: 1), in: attributes)!]) }
      #expect(
        names.allSatisfy { Self.allowedAttributes.contains($0) || $0.hasPrefix("data-footnote") },
        "attributes \(attributes)")
      if let href = attributes.range(of: "href=\"") {
        let url = attributes[href.upperBound...].prefix { $0 != "\"" }
        #expect(url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("mailto:") || url.hasPrefix("#"))
      }
      if tag == "input" { #expect(attributes.contains("type=\"checkbox\"") && attributes.contains("disabled=\"\"")) }
    }
  }

  @Test("a wide header over many short rows is not padded past a budget: the output stays linear in the input")
  func wideTable() {
    // 600 columns over 600 one-cell rows: cmark-gfm pads every row to the header's width, which
    // made rows × columns empty cells (3 MB of HTML from 4 KB; 180 MB from 84 KB).
    let markdown =
      "|" + String(repeating: "a|", count: 600) + "\n|" + String(repeating: "-|", count: 600) + "\n"
      + String(repeating: "x|\n", count: 600)
    let html = Markdown.html(markdown)
    #expect(html.utf8.count < 20 * markdown.utf8.count, "\(html.utf8.count) bytes of HTML from \(markdown.utf8.count)")
    // Over budget, the table is a paragraph of its text, as written.
    #expect(html.hasPrefix("<p>|a|a|"))
    #expect(!html.contains("<table>"))
    let md = Markdown.markdown(markdown).joined(separator: "\n")
    #expect(md.utf8.count < 20 * markdown.utf8.count)
    // A narrow table's short rows are still padded, as GitHub pads them, next to the wide one.
    let both = Markdown.html("| A | B | C |\n| - | - | - |\n| 1 |\n\n" + markdown)
    #expect(
      both.hasPrefix(
        "<table>\n<thead>\n<tr>\n<th>A</th>\n<th>B</th>\n<th>C</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td></td>\n<td></td>\n</tr>\n"
      ))
    // In a quote and a list the same; in code, nothing is changed.
    for wrapped in [
      markdown.split(separator: "\n").map { "> " + $0 }.joined(separator: "\n"),
      "- x\n\n" + markdown.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"),
    ] {
      let out = Markdown.html(wrapped)
      #expect(out.utf8.count < 20 * wrapped.utf8.count, "\(out.utf8.count) bytes from \(wrapped.utf8.count)")
    }
    let code = "```\n" + markdown + "```\n"
    #expect(Markdown.html(code).contains("\n|" + String(repeating: "-|", count: 600) + "\n"))
  }

  @Test("a 100,000-column header over 20,000 short rows stays linear")
  func widestTable() {
    let markdown =
      "|" + String(repeating: "a|", count: 100_000) + "\n|" + String(repeating: "-|", count: 100_000) + "\n"
      + String(repeating: "x|\n", count: 20_000)
    let html = Markdown.html(markdown)
    #expect(html.utf8.count < 20 * markdown.utf8.count)
  }

  @Test("code spans close on the next run of the same length, after any number of other runs")
  func codeSpanRuns() {
    #expect(Markdown.html("`a`` ``b` ``c```d``\n") == "<p><code>a`` ``b</code> <code>c```d</code></p>\n")
    #expect(Markdown.html("\\``x` y`\n") == "<p>`<code>x</code> y`</p>\n")
    let runs = (1...300).map { String(repeating: "`", count: $0) }.joined(separator: " ")
    #expect(Markdown.html(runs) == "<p>\(runs)</p>\n")
  }

  /// Section text → the Markdown export's rewriting of it: raw HTML reads as text, links only
  /// for the targets the HTML keeps, images as their alt text.
  static let markdownCases: [(String, String)] = [
    ("<script>alert(1)</script>\n", "\\<script\\>alert(1)\\</script\\>"),
    ("<img src=x onerror=alert(1)>\n", "\\<img src=x onerror=alert(1)\\>"),
    ("<!-- hidden -->\n\n<div>\nx\n# y\n</div>\n", "\\<\\!-- hidden --\\>\n\n\\<div\\>\nx\n\\# y\n\\</div\\>"),
    ("[a](javascript:alert(1)) [b](<java&#9;script:x>) [c](data:text/html,x)\n", "a b c"),
    ("<javascript:alert(1)> <https://a.example/?x=1&y=2>\n", "javascript:alert(1) <https://a.example/?x=1&y=2>"),
    ("[r]: javascript:alert(1)\n\n[r] [^1]\n", "r \\[^1\\]"),
    (
      "[ok](https://x.org/a_(b) \"t\") ![alt *x*](https://x.org/i.png)\n",
      "[ok](https://x.org/a_\\(b\\) \"t\") \\[alt *x*\\]"
    ),
    ("&#60;b&#62; R&D \\<i>\n", "\\<b\\> R\\&D \\<i\\>"),
    ("Use `<b>` and ``a`b``\n", "Use `<b>` and ``a`b``"),
    ("# Head <b>\n\n> <q>\n", "### Head \\<b\\>\n\n> \\<q\\>"),
    // Code without an info string is written indented, which no fence inside can close.
    ("~~~~\n<b>\n````\n~~~~\n", "    <b>\n    ````"),
    ("~~~~ swift\n````\n~~~~\n", "````` swift\n````\n`````"),
    ("| <b> | x |\n| --- | :-: |\n| `a\\|b` |\n", "| \\<b\\> | x |\n| --- | :-: |\n| `a\\|b` |  |"),
    ("- [ ] a\n- [x] ~~b~~\n", "- [ ] a\n- [x] ~~b~~"),
  ]

  @Test("the Markdown export rewrites section text under the HTML's safety rules", arguments: 0..<markdownCases.count)
  func markdown(_ n: Int) {
    let (markdown, expected) = Self.markdownCases[n]
    let shift = markdown.hasPrefix("#") ? 2 : 0
    #expect(Markdown.markdown(markdown, headingShift: shift).joined(separator: "\n") == expected)
  }

  @Test("the rewritten Markdown converts to the same HTML as the draft", arguments: 0..<cases.count)
  func markdownRoundTrip(_ n: Int) {
    let markdown = Self.cases[n].0
    let rewritten = Markdown.markdown(markdown).joined(separator: "\n") + "\n"
    #expect(Markdown.html(rewritten) == Markdown.html(markdown), "rewritten: \(rewritten)")
  }

  @Test("finishes on large pathological input, escaped, nesting capped")
  func pathological() {
    let inputs = [
      String(repeating: "*a ", count: 40_000), String(repeating: "_", count: 100_000),
      String(repeating: "`", count: 50_000) + "x", String(repeating: "[x](", count: 20_000),
      String(repeating: "[x](", count: 20_000) + ")",
      String(repeating: "> ", count: 5_000) + "deep", String(repeating: "- ", count: 5_000) + "deep",
      String(repeating: "**a ", count: 30_000), String(repeating: "<", count: 50_000),
      String(repeating: "[^", count: 20_000), String(repeating: "~", count: 50_000) + "x",
      String(repeating: "| a ", count: 20_000) + "\n" + String(repeating: "|-", count: 20_000),
    ]
    for input in inputs {
      let html = Markdown.html(input)
      #expect(!html.isEmpty)
      #expect(!html.contains("<<"), "an unescaped '<' from the input")
      #expect(html.components(separatedBy: "<blockquote>").count <= MarkdownDocument.maxDepth + 1)
      #expect(html.components(separatedBy: "<li>").count <= MarkdownDocument.maxDepth + 1)
      #expect(!Markdown.markdown(input).isEmpty)
    }
  }
}
