import Foundation
import Testing

@testable import CasebookMarkdown

/// The GitHub Flavored Markdown Spec's own examples for what the export allows (tables, task
/// lists, strikethrough, autolinks, entities, reference links), in `Fixtures/gfm-spec-examples.txt`:
/// each renders as the spec shows it, once the export's link rule is applied to the spec's HTML.
@Suite("GFM spec examples")
struct GFMSpecTests {
  struct Example: CustomTestStringConvertible, Sendable {
    let number: Int
    let section: String
    let markdown: String
    let html: String
    var testDescription: String { "\(number) (\(section))" }
  }

  static let examples: [Example] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/gfm-spec-examples.txt")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
    let fence = String(repeating: "`", count: 32)
    var examples: [Example] = []
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
    while let line = lines.next() {
      guard line.hasPrefix(fence + " example ") else { continue }
      let heading = line.dropFirst(fence.count + " example ".count)
      let number = Int(heading.prefix { $0.isNumber })!
      let section = String(heading.drop { $0.isNumber }.dropFirst())
      var markdown = ""
      var html = ""
      var inHTML = false
      while let body = lines.next(), body != fence {
        if body == "." && !inHTML {
          inHTML = true
        } else if inHTML {
          html += body + "\n"
        } else {
          markdown += body + "\n"
        }
      }
      examples.append(
        Example(
          number: number, section: section, markdown: markdown.replacingOccurrences(of: "→", with: "\t"),
          html: html.replacingOccurrences(of: "→", with: "\t")))
    }
    return examples
  }()

  /// The spec's HTML under the export's rule: a link to anything but `http`, `https`, `mailto`
  /// or `#…` is its text. (Links do not nest, so the first `</a>` closes.)
  static func underPolicy(_ html: String) -> String {
    let link = try! NSRegularExpression(pattern: "<a href=\"([^\"]*)\"(?: title=\"[^\"]*\")?>(.*?)</a>")
    var out = html
    for match in link.matches(in: html, range: NSRange(html.startIndex..., in: html)).reversed() {
      let href = String(html[Range(match.range(at: 1), in: html)!])
      guard !MarkdownDocument.safeURL(href.replacingOccurrences(of: "&amp;", with: "&")) else { continue }
      out.replaceSubrange(Range(match.range, in: out)!, with: String(html[Range(match.range(at: 2), in: html)!]))
    }
    return out
  }

  @Test("the fixture holds the examples of every allowed construct")
  func fixture() {
    let sections = Set(Self.examples.map(\.section))
    #expect(
      sections == [
        "Tables (extension)", "Task list items (extension)", "Strikethrough (extension)", "Autolinks",
        "Autolinks (extension)", "Entity and numeric character references", "Link reference definitions", "Links",
      ])
    #expect(Self.examples.count == 123)
  }

  @Test("renders as the spec shows, under the export's link rule", arguments: examples)
  func example(_ example: Example) {
    var html = Markdown.html(example.markdown)
    // The spec writes a checkbox as an HTML5 serialiser would; cmark-gfm as XHTML.
    html = html.replacingOccurrences(
      of: "<input type=\"checkbox\" disabled=\"\" />", with: "<input disabled=\"\" type=\"checkbox\">"
    )
    .replacingOccurrences(
      of: "<input type=\"checkbox\" checked=\"\" disabled=\"\" />",
      with: "<input checked=\"\" disabled=\"\" type=\"checkbox\">")
    #expect(html == Self.underPolicy(example.html), "Markdown:\n\(example.markdown)")
  }
}
