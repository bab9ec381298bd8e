import Foundation

/// Timestamps as Casebook writes them: ISO 8601, UTC, whole seconds (`2026-11-25T09:30:00Z`).
enum Timestamp {
  /// Built once: every write stamps several times, and a Calendar is not free to make.
  private static let utc: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }()

  static func string(_ date: Date) -> String {
    let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
  }

  static func parse(_ text: String) -> Date? {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: text)
  }
}
