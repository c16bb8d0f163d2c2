import Foundation
@testable import Recurrence

/// Test helpers for the iCalendar fixtures in Fixtures/feeds.
enum Feeds {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/feeds")
    static let styled = ["outlook.ics", "google.ics", "apple.ics", "school.ics", "mixed.ics"]

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    static func calendar(_ name: String, floating: TimeZone = Expand.utc) throws -> ICalendar {
        try ICalendar(data: data(name), options: ICalendar.Options(floatingTimeZone: floating))
    }

    static func instant(_ text: String) -> Date { Expand.local(text.replacingOccurrences(of: "Z", with: "")).instant(in: Expand.utc) }

    /// The cross-check's window: March and April 2026.
    static let from = instant("20260301T000000Z")
    static let to = instant("20260501T000000Z")

    /// `yyyyMMddTHHmmssZ` for a timed value, `yyyyMMdd` for a date.
    static func text(_ value: RecurrenceDate) -> String {
        switch value {
        case .date(let date): date.description
        case .dateTime(let time, let zone): LocalDateTime(time.instant(in: zone), in: Expand.utc).description + "Z"
        }
    }

    /// One line per occurrence: start, end, UID, summary.
    static func lines(_ occurrences: [ICalendarOccurrence]) -> [String] {
        occurrences.map { "\(text($0.start)) \(text($0.end)) \($0.id.seriesID) \($0.event.summary ?? "")" }
    }
}
