import Foundation
import Testing

@testable import Casebook

/// Casebook's own timestamp arithmetic against Foundation's ISO 8601 formatter, which it replaced
/// for speed: both must write and read exactly the same instants.
@Suite("Timestamps")
struct TimestampTests {
  private static func formatter() -> ISO8601DateFormatter {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f
  }

  @Test("writes what ISO8601DateFormatter writes, across four centuries and every leap day")
  func writesLikeFoundation() {
    let f = Self.formatter()
    var generator = SystemRandomNumberGenerator()
    // 1600 to 2400, plus the edges that catch off-by-one errors in the civil arithmetic.
    var instants: [Double] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_400, -11_670_912_000]
    for _ in 0..<5_000 {
      instants.append(Double(Int64.random(in: -11_676_096_000...13_569_465_600, using: &generator)))
    }
    for year in stride(from: 1_600, through: 2_400, by: 4) {
      if let leap = f.date(from: String(format: "%04d-02-29T23:59:59Z", year)) {
        instants.append(leap.timeIntervalSince1970)
      }
    }
    for seconds in instants {
      let date = Date(timeIntervalSince1970: seconds)
      #expect(Timestamp.string(date) == f.string(from: date), "at \(seconds)")
    }
    // Fractions of a second are dropped, not rounded: a stamp never lies in the future.
    #expect(Timestamp.string(Date(timeIntervalSince1970: 1_764_063_000.999)) == "2025-11-25T09:30:00Z")
    #expect(Timestamp.string(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
  }

  @Test("reads back what it writes, and what the formatter reads, offsets included")
  func readsLikeFoundation() throws {
    let f = Self.formatter()
    for seconds in stride(from: -2_000_000_000.0, through: 4_000_000_000, by: 9_876_543) {
      let text = Timestamp.string(Date(timeIntervalSince1970: seconds))
      #expect(Timestamp.parse(text) == Date(timeIntervalSince1970: seconds))
    }
    for text in [
      "2026-11-25T09:30:00Z", "2026-11-25T10:30:00+01:00", "2026-11-25T04:00:00-05:30", "2000-02-29T00:00:00Z",
    ] {
      let parsed = try #require(Timestamp.parse(text), "\(text)")
      #expect(parsed == f.date(from: text), "\(text)")
    }
  }

  @Test(
    "refuses what is not a Casebook timestamp",
    arguments: [
      "", "2026-11-25", "2026-11-25 09:30:00Z", "2026-11-25T09:30:00", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
      "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-25T24:00:00Z",
      "2026-11-25T09:60:00Z", "2026-11-25T09:30:60Z", "2026-11-25T09:30:00+1:00", "2026-11-25T09:30:00+01:60",
      "2026-11-25T09:30:00.5Z", "2026-11-2xT09:30:00Z", "２０２６-11-25T09:30:00Z", "2026-11-25T09:30:00z",
    ])
  func refuses(_ text: String) {
    #expect(Timestamp.parse(text) == nil)
  }
}
