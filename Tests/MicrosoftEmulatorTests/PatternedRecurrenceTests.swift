import Foundation
import Recurrence
import Testing
@testable import MicrosoftEmulator

/// Graph's patternedRecurrence → RRULE, per api-reference/v1.0/resources/recurrencepattern.md and
/// recurrencerange.md (the six pattern types and three range types).
struct PatternedRecurrenceTests {
    func rule(_ pattern: JSON, _ range: JSON = ["type": "noEnd", "startDate": "2026-12-01"]) throws -> PatternedRecurrence {
        try PatternedRecurrence(["pattern": pattern, "range": range])
    }

    @Test func dailyEveryThreeDaysNumbered() throws {
        let mapped = try rule(["type": "daily", "interval": 3], ["type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 5])
        #expect(mapped.rule.description == "FREQ=DAILY;COUNT=5;INTERVAL=3")
        #expect(mapped.startDate == CivilDate(year: 2026, month: 12, day: 1))
    }

    @Test func weeklyKeepsDaysAndFirstDayOfWeek() throws {
        // Graph's firstDayOfWeek defaults to Sunday; RRULE's WKST to Monday, so it is written out.
        let mapped = try rule(["type": "weekly", "interval": 2, "daysOfWeek": ["monday", "tuesday"], "firstDayOfWeek": "sunday"])
        #expect(mapped.rule.description == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU;WKST=SU")
    }

    @Test func absoluteMonthlyAndYearly() throws {
        #expect(try rule(["type": "absoluteMonthly", "interval": 3, "dayOfMonth": 15]).rule.description == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15")
        #expect(try rule(["type": "absoluteYearly", "interval": 3, "dayOfMonth": 15, "month": 3]).rule.description
            == "FREQ=YEARLY;INTERVAL=3;BYMONTH=3;BYMONTHDAY=15")
    }

    @Test func relativePatternsUseSetPosition() throws {
        // "the second Thursday or Friday every three months": the first matching day at that position.
        #expect(try rule(["type": "relativeMonthly", "interval": 3, "daysOfWeek": ["thursday", "friday"], "index": "second"]).rule.description
            == "FREQ=MONTHLY;INTERVAL=3;BYDAY=TH,FR;BYSETPOS=2")
        #expect(try rule(["type": "relativeYearly", "interval": 1, "daysOfWeek": ["friday"], "index": "last", "month": 11]).rule.description
            == "FREQ=YEARLY;BYMONTH=11;BYDAY=FR;BYSETPOS=-1")
        // index defaults to first.
        #expect(try rule(["type": "relativeMonthly", "interval": 1, "daysOfWeek": ["monday"]]).rule.bySetPos == [1])
    }

    @Test func endDateIsAnInclusiveDateUntil() throws {
        let mapped = try rule(["type": "daily", "interval": 1], ["type": "endDate", "startDate": "2026-12-01", "endDate": "2026-12-04"])
        #expect(mapped.rule.description == "FREQ=DAILY;UNTIL=20261204")
        let set = RecurrenceSet(start: .dateTime(LocalDateTime(year: 2026, month: 12, day: 1, hour: 9), TimeZone(identifier: "Europe/Berlin")!), rules: [mapped.rule])
        let occurrences = try set.occurrences(from: .distantPast, to: .distantFuture)
        #expect(occurrences.map(\.wallClock.date.day) == [1, 2, 3, 4])
    }

    @Test func seriesStartsOnTheFirstMatchingDayAfterStartDate() throws {
        // 2026-12-01 is a Tuesday; a Thursday-only weekly series starts on the 3rd.
        let weekly = try rule(["type": "weekly", "interval": 1, "daysOfWeek": ["thursday"], "firstDayOfWeek": "sunday"])
        #expect(weekly.firstDay() == CivilDate(year: 2026, month: 12, day: 3))
        // The last Friday of December 2026 is the 25th.
        let lastFriday = try rule(["type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"])
        #expect(lastFriday.firstDay() == CivilDate(year: 2026, month: 12, day: 25))
        let yearly = try rule(["type": "absoluteYearly", "interval": 1, "dayOfMonth": 15, "month": 3])
        #expect(yearly.firstDay() == CivilDate(year: 2027, month: 3, day: 15))
    }

    @Test func missingRequiredPropertiesAreRefused() {
        #expect(throws: PatternedRecurrence.MappingError.missing("pattern.daysOfWeek")) { try rule(["type": "weekly", "interval": 1]) }
        #expect(throws: PatternedRecurrence.MappingError.missing("pattern.dayOfMonth")) { try rule(["type": "absoluteMonthly", "interval": 1]) }
        #expect(throws: PatternedRecurrence.MappingError.missing("range.numberOfOccurrences")) {
            try rule(["type": "daily", "interval": 1], ["type": "numbered", "startDate": "2026-12-01"])
        }
        #expect(throws: PatternedRecurrence.MappingError.invalid("unknown pattern.type hourly")) { try rule(["type": "hourly", "interval": 1]) }
    }
}
