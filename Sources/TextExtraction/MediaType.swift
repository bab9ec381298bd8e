#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// An input's media type, from its first bytes and its extension. The bytes win where they are
/// unambiguous (a PDF named `.txt` is read as a PDF); a file whose extension promises a format
/// its bytes do not have (a `.pdf` without `%PDF-`, a `.docx` that is not a zip) is refused.
public enum MediaType {
  public static let pdf = "application/pdf"
  public static let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
  public static let html = "text/html"
  public static let markdown = "text/markdown"
  public static let plain = "text/plain"
  public static let csv = "text/csv"
  public static let zip = "application/zip"
  public static let binary = "application/octet-stream"

  /// The type by extension alone (nil when the extension says nothing).
  static func byExtension(_ ext: String?) -> String? {
    switch ext {
    case "md", "markdown": return markdown
    case "txt", "text", "log": return plain
    case "csv": return csv
    case "html", "htm", "xhtml": return html
    case "pdf": return pdf
    case "docx": return docx
    case "zip": return zip
    case "png": return "image/png"
    case "jpg", "jpeg": return "image/jpeg"
    case "gif": return "image/gif"
    case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    case "pptx": return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    default: return nil
    }
  }

  /// The type the first bytes show (nil when they show nothing in particular).
  static func sniff(_ head: Data) -> String? {
    let bytes = [UInt8](head.prefix(1024))
    func starts(_ magic: [UInt8]) -> Bool { bytes.starts(with: magic) }
    if starts(Array("%PDF-".utf8)) { return pdf }
    if starts([0x50, 0x4B, 0x03, 0x04]) { return zip }
    if starts([0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
    if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
    if starts(Array("GIF8".utf8)) { return "image/gif" }
    let text = String(decoding: bytes.prefix(512), as: UTF8.self).drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
      .lowercased()
    if text.hasPrefix("<!doctype html") || text.hasPrefix("<html") { return html }
    return nil
  }

  /// Whether the file has a PDF header: `%PDF-` within its first 1024 bytes, as readers accept.
  static func hasPDFHeader(_ head: Data) -> Bool {
    [UInt8](head.prefix(1024)).firstRange(of: Array("%PDF-".utf8)) != nil
  }

  /// Decides the type; throws when the extension claims a format the bytes contradict.
  static func decide(ext: String?, head: Data, name: String) throws(ExtractionError) -> String {
    let claimed = byExtension(ext)
    let sniffed = sniff(head)
    if claimed == pdf, !hasPDFHeader(head) {
      throw .badInput("\(name) is not a PDF: it has no %PDF- header; nothing was stored")
    }
    if claimed == docx, sniffed != zip {
      throw .badInput("\(name) is not a DOCX: it is not a zip archive; nothing was stored")
    }
    if sniffed == pdf || claimed == pdf { return pdf }
    if sniffed == zip {
      return claimed == docx || claimed?.hasPrefix("application/vnd.openxml") == true ? claimed! : zip
    }
    if let sniffed, sniffed != html || claimed == nil || claimed == plain { return sniffed }
    return claimed ?? binary
  }
}
