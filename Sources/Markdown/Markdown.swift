/// GitHub-flavoured Markdown for the export, as HTML or as Markdown, under the export's rules:
/// no raw HTML (it reads as text), links only to `http`, `https`, `mailto` and in-page `#`
/// targets (others keep their text), images as their alt text in brackets. Parsed by cmark-gfm
/// with GitHub's extensions (tables, strikethrough, autolinks, task lists, footnotes); see
/// `MarkdownDocument` for how the rules are applied and `TableBudget` for the one bound on
/// table padding. The output is deterministic (same input, same bytes), with `\n` line endings.
public enum Markdown {
  /// The HTML of `text`. `headingShift` moves headings down (a `#` becomes `<h3>` with 2);
  /// `footnotePrefix` goes before footnote ids (`fn-<prefix>1`), so that several documents'
  /// footnotes can share one page.
  public static func html(_ text: String, headingShift: Int = 0, footnotePrefix: String = "") -> String {
    MarkdownDocument(text, headingShift: headingShift, footnotePrefix: footnotePrefix).html()
  }

  /// `text` rewritten as Markdown under the same rules as `html`: the same tree written out,
  /// so a reader finds in it only the structure `html` shows. Footnotes are labelled
  /// `[^<prefix><number>]` and come last. Returns the lines, without line endings.
  public static func markdown(_ text: String, headingShift: Int = 0, footnotePrefix: String = "") -> [String] {
    MarkdownDocument(text, headingShift: headingShift, footnotePrefix: footnotePrefix).markdown()
  }
}
