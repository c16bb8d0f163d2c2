import Foundation
@testable import Recurrence

/// Test helpers: expand a rule written as RFC 5545 writes its examples and read the result as wall-clock strings.
enum Expand {
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let utc = TimeZone(identifier: "UTC")!

    static func local(_ text: String) -> LocalDateTime {
        guard case .dateTime(let time, _)? = RecurrenceDate(parsing: text, timeZone: utc) else { fatalError("bad date-time \(text)") }
        return time
    }

    /// The occurrences of DTSTART;TZID=`zone`:`start` with `lines`, from DTSTART up to `before` (a local date-time,
    /// default 2010), at most `limit`, as `yyyyMMddTHHmmss` on the series' wall clock.
    static func wallClock(_ start: String, _ lines: [String], zone: TimeZone = newYork, before: String = "20100101T000000", limit: Int? = nil) throws -> [String] {
        let set = try RecurrenceSet(start: .dateTime(local(start), zone), lines: lines)
        let occurrences = try set.occurrences(from: local(start).instant(in: zone), to: local(before).instant(in: zone))
        return occurrences.prefix(limit ?? .max).map(\.wallClock.description)
    }

    /// Instants as `yyyyMMddTHHmmssZ`.
    static func utcTimes(_ start: String, _ lines: [String], zone: TimeZone, before: String = "20100101T000000", limit: Int? = nil) throws -> [String] {
        let set = try RecurrenceSet(start: .dateTime(local(start), zone), lines: lines)
        let occurrences = try set.occurrences(from: local(start).instant(in: zone), to: local(before).instant(in: zone))
        return occurrences.prefix(limit ?? .max).map(\.start.description)
    }

    /// `1997-09-02` style days at a fixed time, for writing expected lists compactly: days("199709", [2, 3], "090000").
    static func days(_ yearMonth: String, _ days: [Int], _ time: String = "090000") -> [String] {
        days.map { yearMonth + ($0 < 10 ? "0" : "") + String($0) + "T" + time }
    }
}
