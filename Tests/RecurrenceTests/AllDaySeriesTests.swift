import Foundation
import Testing
@testable import Recurrence

@Suite("All-day series")
struct AllDaySeriesTests {
    static func days(_ start: String, _ lines: [String], from: String = "20260101", to: String = "20300101", zone: TimeZone = Expand.utc) throws -> [String] {
        guard case .date(let day)? = RecurrenceDate(parsing: start, timeZone: zone) else { fatalError() }
        let set = try RecurrenceSet(start: .date(day), lines: lines, allDayTimeZone: zone)
        let window = (Expand.local(from + "T000000").instant(in: zone), Expand.local(to + "T000000").instant(in: zone))
        return try set.occurrences(from: window.0, to: window.1).map(\.start.description)
    }

    @Test("dates, not times: a yearly birthday, a weekly all-day series with UNTIL as a DATE")
    func dates() throws {
        #expect(try Self.days("20260412", ["RRULE:FREQ=YEARLY"]) == ["20260412", "20270412", "20280412", "20290412"])
        #expect(try Self.days("20260105", ["RRULE:FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20260116"]) == ["20260105", "20260109", "20260112", "20260116"])
    }

    @Test("daylight-saving changes cannot move an all-day occurrence")
    func noDrift() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let days = try Self.days("20260320", ["RRULE:FREQ=DAILY;COUNT=20"], zone: berlin)
        #expect(days.count == 20 && days.first == "20260320" && days.last == "20260408" && Set(days).count == 20)
    }

    @Test("RDATE and EXDATE as DATE values; the window uses midnight in the all-day zone")
    func rdateExdate() throws {
        #expect(try Self.days("20260101", ["RRULE:FREQ=MONTHLY;COUNT=4", "EXDATE;VALUE=DATE:20260201", "RDATE;VALUE=DATE:20260515"]) == ["20260101", "20260301", "20260401", "20260515"])
        #expect(try Self.days("20260101", ["RRULE:FREQ=DAILY"], from: "20260105", to: "20260107") == ["20260105", "20260106"])
    }

    @Test("a time of day on an all-day series is refused")
    func timePartsRefused() {
        #expect(throws: RecurrenceSetError.timePartsOnAllDaySeries(rule: "FREQ=DAILY;BYHOUR=9")) { try Self.days("20260101", ["RRULE:FREQ=DAILY;BYHOUR=9"]) }
    }
}
