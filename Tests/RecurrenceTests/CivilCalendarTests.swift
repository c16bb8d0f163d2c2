import Foundation
import Testing
@testable import Recurrence

/// The integer calendar arithmetic expansion relies on, checked against Foundation's own calendars.
@Suite("Civil calendar arithmetic")
struct CivilCalendarTests {
    @Test("day numbers, weekdays and day of year agree with Foundation's Gregorian calendar from 1900 to 2200")
    func gregorian() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var day = CivilDate(year: 1900, month: 1, day: 1).dayNumber
        let end = CivilDate(year: 2200, month: 1, day: 1).dayNumber
        while day < end {
            let date = CivilDate(dayNumber: day)
            let instant = Date(timeIntervalSince1970: TimeInterval(day) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: instant)
            // Foundation numbers weekdays from Sunday = 1.
            guard date.isValid, date.dayNumber == day, parts.year == date.year, parts.month == date.month, parts.day == date.day,
                  (parts.weekday! + 5) % 7 == date.weekday.rawValue, calendar.ordinality(of: .day, in: .year, for: instant) == date.dayOfYear else {
                Issue.record("\(date) (day \(day)) disagrees with Foundation: \(parts)")
                return
            }
            day += 1
        }
    }

    @Test("week numbers with WKST=MO are ISO 8601 weeks (Foundation's ISO calendar), across 1990–2060")
    func isoWeeks() {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let weeks = WeekNumbering(weekStart: .monday)
        for day in CivilDate(year: 1990, month: 1, day: 1).dayNumber..<CivilDate(year: 2060, month: 1, day: 1).dayNumber {
            let instant = Date(timeIntervalSince1970: TimeInterval(day) * 86_400)
            let expected = calendar.component(.weekOfYear, from: instant)
            let actual = weeks.week(of: CivilDate(dayNumber: day)).number
            if expected != actual {
                Issue.record("\(CivilDate(dayNumber: day)): ISO week \(expected), ours \(actual)")
                return
            }
        }
        #expect(weeks.weeks(in: 2026) == 53 && weeks.weeks(in: 2025) == 52)
    }

    @Test("invalid dates and times are recognised, DATE and DATE-TIME text is read strictly")
    func validity() {
        #expect(!CivilDate(year: 2027, month: 2, day: 29).isValid && CivilDate(year: 2028, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2100, month: 2, day: 29).isValid && CivilDate(year: 2000, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2026, month: 4, day: 31).isValid && !CivilDate(year: 2026, month: 13, day: 1).isValid)
        #expect(RecurrenceDate(parsing: "20261125", timeZone: Expand.berlin) == .date(CivilDate(year: 2026, month: 11, day: 25)))
        #expect(RecurrenceDate(parsing: "20261125T090000", timeZone: Expand.berlin) == .dateTime(LocalDateTime(year: 2026, month: 11, day: 25, hour: 9), Expand.berlin))
        #expect(RecurrenceDate(parsing: "20261125T090000Z", timeZone: Expand.berlin) == .dateTime(LocalDateTime(year: 2026, month: 11, day: 25, hour: 9), Expand.utc))
        for bad in ["2026-11-25", "20261125T0900", "20261125T250000", "20261131", "20261125T090000+01", "2026112", ""] {
            #expect(RecurrenceDate(parsing: bad, timeZone: Expand.utc) == nil, "\(bad)")
        }
    }
}
