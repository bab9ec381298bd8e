import Foundation
import Testing

@testable import Casebook

/// The Markdown-to-HTML converter the HTML export uses: the subset drafts use, and nothing
/// from the draft ever reaching the output unescaped.
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
    ("line one  \nline two\n", "<p>line one<br>\nline two</p>\n"),
    ("snake_case_name and _em_\n", "<p>snake_case_name and <em>em</em></p>\n"),
    ("2 * 3 * 4\n", "<p>2 * 3 * 4</p>\n"),
    ("Use `a < b` and ``x ` y``\n", "<p>Use <code>a &lt; b</code> and <code>x ` y</code></p>\n"),
    (
      "- one\n- two\n  - nested\n- three\n",
      "<ul>\n<li>one</li>\n<li>two\n<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>three</li>\n</ul>\n"
    ),
    ("1. first\n2. second\n", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"),
    ("3) three\n4) four\n", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n"),
    ("- a\n\n- b\n", "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n"),
    ("Intro:\n- item\n", "<p>Intro:</p>\n<ul>\n<li>item</li>\n</ul>\n"),
    ("> quoted *text*\n> more\n", "<blockquote>\n<p>quoted <em>text</em>\nmore</p>\n</blockquote>\n"),
    (
      "```swift\nlet x = \"<b>\"\n```\n",
      "<pre><code class=\"language-swift\">let x = &quot;&lt;b&gt;&quot;\n</code></pre>\n"
    ),
    ("    indented code\n", "<pre><code>indented code\n</code></pre>\n"),
    ("---\n", "<hr>\n"),
    (
      "| A | B | C |\n|:--|:-:|--:|\n| 1 | `x|y` | a \\| b |\n| 2 |\n",
      "<table>\n<thead>\n<tr><th class=\"align-left\">A</th><th class=\"align-center\">B</th><th class=\"align-right\">C</th></tr>\n</thead>\n<tbody>\n<tr><td class=\"align-left\">1</td><td class=\"align-center\"><code>x|y</code></td><td class=\"align-right\">a | b</td></tr>\n<tr><td class=\"align-left\">2</td><td class=\"align-center\"></td><td class=\"align-right\"></td></tr>\n</tbody>\n</table>\n"
    ),
    ("[GOV.UK](https://www.gov.uk/ \"title\")\n", "<p><a href=\"https://www.gov.uk/\">GOV.UK</a></p>\n"),
    ("[x](javascript:alert(1)) [y](file:///etc/passwd) [z](#top)\n", "<p>x y <a href=\"#top\">z</a></p>\n"),
    (
      "<https://example.org/a?b=1&c=2>\n",
      "<p><a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a></p>\n"
    ),
    ("![a chart](https://example.org/x.png)\n", "<p><span class=\"image\">[a chart]</span></p>\n"),
    ("<script>alert('x')</script>\n", "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>\n"),
    ("\\*not em\\* & \"q\"\n", "<p>*not em* &amp; &quot;q&quot;</p>\n"),
    ("tab\u{1}control\r\nwindows\r\n", "<p>tab\u{FFFD}control\nwindows</p>\n"),
  ]

  @Test("renders the subset drafts use", arguments: 0..<cases.count)
  func renders(_ n: Int) {
    let (markdown, html) = Self.cases[n]
    #expect(MarkdownHTML.render(markdown) == html)
  }

  @Test("moves headings down under the document's own")
  func shift() {
    #expect(MarkdownHTML.render("# A\n###### B\n", headingShift: 2) == "<h3>A</h3>\n<h6>B</h6>\n")
  }

  /// Tags the converter may write; anything else in the output would have come from the input.
  static let allowedTags: Set<String> = [
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "table",
    "thead", "tbody", "tr", "th", "td", "hr", "br", "a", "span",
  ]

  static let hostile = [
    "<img src=x onerror=alert(1)>", "<a href=\"javascript:x\">y</a>", "[a](<javascript:x>)", "[a](data:text/html,x)",
    "**<iframe>**", "`</code><script>`", "> <style>@import url(x)</style>", "| <b> | x |\n|---|---|\n| <i> | y |",
    "<!-- comment -->", "&lt;already&gt; &amp;", "[a](https://x.org/\"onmouseover=\"alert(1))",
    "- [x](https://a.b/c) <svg onload=1>",
    String(repeating: "[", count: 500) + "x" + String(repeating: "](y)", count: 3),
  ]

  @Test("writes only its own tags and attributes, whatever the input", arguments: hostile)
  func escapes(_ markdown: String) throws {
    let html = MarkdownHTML.render(markdown)
    let regex = try NSRegularExpression(pattern: "<(/?)([a-zA-Z0-9]+)([^>]*)>")
    for match in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
      let tag = String(html[Range(match.range(at: 2), in: html)!])
      let attributes = String(html[Range(match.range(at: 3), in: html)!])
      #expect(Self.allowedTags.contains(tag), "tag <\(tag)> in \(html)")
      let names = try NSRegularExpression(pattern: "\\s([a-z-]+)=").matches(
        in: attributes, range: NSRange(attributes.startIndex..., in: attributes)
      ).map { String(attributes[Range($0.range(at: 1), in: attributes)!]) }
      #expect(names.allSatisfy { ["href", "class", "start"].contains($0) }, "attributes \(attributes)")
      if let href = attributes.range(of: "href=\"") {
        let url = attributes[href.upperBound...]
        #expect(url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("mailto:") || url.hasPrefix("#"))
        #expect(!url.dropLast().contains("\""), "a quote inside href in \(attributes)")
      }
    }
  }

  @Test("a wide header over many short rows is not padded past a budget: the HTML stays linear in the input")
  func wideTable() {
    // 600 columns over 600 one-cell rows: padding every row to the header's width made
    // rows × columns empty cells (3 MB of HTML from 4 KB; 180 MB from 84 KB).
    let markdown =
      "|" + String(repeating: "a|", count: 600) + "\n|" + String(repeating: "-|", count: 600) + "\n"
      + String(repeating: "x|\n", count: 600)
    let html = MarkdownHTML.render(markdown)
    #expect(html.utf8.count < 20 * markdown.utf8.count, "\(html.utf8.count) bytes of HTML from \(markdown.utf8.count)")
    #expect(html.components(separatedBy: "<th>").count - 1 == 600)
    #expect(html.components(separatedBy: "<tr><td>x</td></tr>").count - 1 == 600)
    // A narrow table's short rows are still padded, as before, next to the wide one.
    let both = MarkdownHTML.render("| A | B | C |\n| - | - | - |\n| 1 |\n\n" + markdown)
    #expect(
      both.hasPrefix(
        "<table>\n<thead>\n<tr><th>A</th><th>B</th><th>C</th></tr>\n</thead>\n<tbody>\n<tr><td>1</td><td></td><td></td></tr>\n"
      ))
  }

  @Test("code spans close on the next run of the same length, after any number of other runs")
  func codeSpanRuns() {
    #expect(MarkdownHTML.render("`a`` ``b` ``c```d``\n") == "<p><code>a`` ``b</code> <code>c```d</code></p>\n")
    #expect(MarkdownHTML.render("\\``x` y`\n") == "<p>`<code>x</code> y`</p>\n")
    // Runs of 1, 2, 3… backticks, none closed: every one is text.
    let runs = (1...300).map { String(repeating: "`", count: $0) }.joined(separator: " ")
    #expect(MarkdownHTML.render(runs) == "<p>\(runs)</p>\n")
  }

  /// Section text → the Markdown export's rewriting of it: raw HTML reads as text, links only
  /// for the targets the HTML keeps, images as their alt text.
  static let markdownCases: [(String, String)] = [
    ("<script>alert(1)</script>\n", "\\<script>alert(1)\\</script>"),
    ("<img src=x onerror=alert(1)>\n", "\\<img src=x onerror=alert(1)>"),
    ("<!-- hidden -->\n\n<div>\nx\n</div>\n", "\\<!-- hidden -->\n\n\\<div>\nx\n\\</div>"),
    ("[a](javascript:alert(1)) [b](<java&#9;script:x>) [c](data:text/html,x)\n", "a b c"),
    ("<javascript:alert(1)> <https://a.example/?x=1&y=2>\n", "\\<javascript:alert(1)> <https://a.example/?x=1&y=2>"),
    ("[r]: javascript:alert(1)\n\n[r] [^1]\n", "\\[r\\]: javascript:alert(1)\n\n\\[r\\] \\[^1\\]"),
    (
      "[ok](https://x.org/a_(b) \"t\") ![alt *x*](https://x.org/i.png)\n",
      "[ok](https://x.org/a\\_\\(b\\)) \\[alt *x*\\]"
    ),
    ("&#60;b&#62; R&D \\<i>\n", "\\&#60;b\\&#62; R&D \\<i>"),
    ("Use `<b>` and ``a`b``\n", "Use `<b>` and ``a`b``"),
    ("# Head <b>\n\n> <q>\n", "### Head \\<b>\n\n> \\<q>"),
    ("- <li>\n  1. x\n", "- \\<li>\n  1. x"),
    ("~~~~\n<b>\n````\n~~~~\n", "`````\n<b>\n````\n`````"),
    ("| <b> | x |\n| --- | :-: |\n| `a|b` |\n", "| \\<b> | x |\n| --- | :-: |\n| `a\\|b` |"),
    ("a  \nb \\ c\n", "a\\\nb \\\\ c"),
  ]

  @Test("the Markdown export rewrites section text under the HTML's safety rules", arguments: 0..<markdownCases.count)
  func markdown(_ n: Int) {
    let (markdown, expected) = Self.markdownCases[n]
    let shift = markdown.hasPrefix("#") ? 2 : 0
    #expect(
      MarkdownHTML.markdown(MarkdownHTML.blocks(markdown), headingShift: shift).joined(separator: "\n") == expected)
  }

  @Test("the rewritten Markdown converts to the same HTML as the draft", arguments: 0..<cases.count)
  func markdownRoundTrip(_ n: Int) {
    let markdown = Self.cases[n].0
    guard !markdown.contains("![") else { return }  // an image is its alt text in brackets, by design
    let rewritten = MarkdownHTML.markdown(MarkdownHTML.blocks(markdown)).joined(separator: "\n") + "\n"
    #expect(MarkdownHTML.render(rewritten) == MarkdownHTML.render(markdown), "rewritten: \(rewritten)")
  }

  @Test("finishes on large pathological input, escaped")
  func pathological() {
    let inputs = [
      String(repeating: "*a ", count: 40_000), String(repeating: "_", count: 100_000),
      String(repeating: "`", count: 50_000) + "x", String(repeating: "[x](", count: 20_000),
      String(repeating: "[x](", count: 20_000) + ")",
      String(repeating: "> ", count: 5_000) + "deep", String(repeating: "- ", count: 5_000) + "deep",
      String(repeating: "**a ", count: 30_000), String(repeating: "<", count: 50_000),
    ]
    for input in inputs {
      let html = MarkdownHTML.render(input)
      #expect(!html.isEmpty)
      #expect(!html.contains("<<"), "an unescaped '<' from the input")
    }
  }
}
