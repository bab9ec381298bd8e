#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The one way in: a file's media type from its first bytes and its name, then its text with
/// the map of its locators. Every failure is an `ExtractionError`, which says whether the file or
/// the machine is at fault.
public enum Extraction {
  /// Largest text extracted from a text file (or printed by `pdftotext`); larger text files are
  /// stored but not extracted.
  public static let maxExtractedBytes = 32 << 20

  /// What a file is (`MediaType`), from `head` (its first bytes, 1024 are enough) and `ext`
  /// (its extension, lower case); `name` is how messages call it. A file whose extension
  /// promises a format its bytes do not have is refused.
  public static func mediaType(ext: String?, head: Data, name: String) throws(ExtractionError) -> String {
    try MediaType.decide(ext: ext, head: head, name: name)
  }

  /// The text of the file at `path`, of `mediaType` (from `mediaType(ext:head:name:)`) and
  /// `size` bytes: the final media type (a zip holding `word/document.xml` is a DOCX; valid
  /// UTF-8 without NULs is text) and the text, or nil for a file stored as it is.
  public static func text(path: String, name: String, mediaType: String, size: Int) throws(ExtractionError)
    -> (mediaType: String, text: ExtractedText?)
  {
    do {
      return try extract(path: path, name: name, mediaType: mediaType, size: size)
    } catch let error as ExtractionError {
      throw error
    } catch let overflow as LocatorOverflow {
      // Refused rather than stored with a partial map, or with one the YAML reader would refuse.
      throw .badInput("\(name): \(overflow.message); nothing was stored")
    } catch {
      // Every reader converts its own errors; this is only the compiler's due.
      throw .badInput("\(name): \(error); nothing was stored")
    }
  }

  private static func extract(path: String, name: String, mediaType: String, size: Int) throws
    -> (mediaType: String, text: ExtractedText?)
  {
    switch mediaType {
    case MediaType.pdf:
      return (mediaType, try PDFText.extract(path: path, name: name))
    case MediaType.docx:
      return (mediaType, try DOCXText.extract(path: path, name: name))
    case MediaType.zip:
      // A zip that cannot be read is stored as it is, like any zip that is not a DOCX. One that
      // holds word/document.xml is read through the reader already open, not opened again.
      guard let archive = try? ZIPReader(path: path), archive.entry(named: "word/document.xml") != nil else {
        return (mediaType, nil)
      }
      return (MediaType.docx, try DOCXText.extract(archive: archive, name: name))
    case MediaType.html, MediaType.markdown, MediaType.plain, MediaType.csv, MediaType.binary:
      guard size <= maxExtractedBytes else { return (mediaType, nil) }
      guard let data = FileManager.default.contents(atPath: path) else {
        throw ExtractionError.badInput("cannot read \(name)")
      }
      guard let text = String(data: data, encoding: .utf8), !text.unicodeScalars.contains("\u{0}") else {
        if mediaType == MediaType.binary { return (mediaType, nil) }
        throw ExtractionError.badInput("\(name) is not valid UTF-8 text; nothing was stored")
      }
      switch mediaType {
      case MediaType.html: return (mediaType, try HTMLText.extract(text))
      case MediaType.markdown: return (mediaType, try ExtractedText.markdown(text))
      case MediaType.csv: return (mediaType, ExtractedText(verbatim: text))
      default: return (MediaType.plain, try ExtractedText.plain(text))
      }
    default:
      return (mediaType, nil)
    }
  }
}
