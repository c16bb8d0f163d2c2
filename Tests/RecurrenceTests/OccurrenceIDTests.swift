import Foundation
import Testing
@testable import Recurrence

@Suite("OccurrenceID: series id and original start, in Google's instance id format")
struct OccurrenceIDTests {
    @Test("timed: <seriesId>_<yyyyMMdd'T'HHmmss'Z'> from the original start in UTC, whatever the series' zone")
    func timed() throws {
        let set = try RecurrenceSet(start: .dateTime(Expand.local("20260330T090000"), Expand.berlin), lines: ["RRULE:FREQ=WEEKLY;COUNT=2"])
        let occurrences = try set.occurrences(from: .distantPast, to: .distantFuture)
        let ids = occurrences.map { OccurrenceID(seriesID: "abc123", originalStart: $0.start) }
        #expect(ids.map(\.googleInstanceID) == ["abc123_20260330T070000Z", "abc123_20260406T070000Z"])
        #expect(ids.map { OccurrenceID(googleInstanceID: $0.googleInstanceID) } == ids)
    }

    @Test("all-day: <seriesId>_<yyyyMMdd>")
    func allDay() {
        let id = OccurrenceID(seriesID: "abc123", originalStart: .allDay(CivilDate(year: 2026, month: 4, day: 12)))
        #expect(id.googleInstanceID == "abc123_20260412")
        #expect(OccurrenceID(googleInstanceID: "abc123_20260412") == id)
    }

    @Test("series ids with underscores keep them; ids without an instance suffix are not occurrences")
    func parsing() {
        #expect(OccurrenceID(googleInstanceID: "a_b_20260412")?.seriesID == "a_b")
        #expect(OccurrenceID(googleInstanceID: "abc123") == nil)
        #expect(OccurrenceID(googleInstanceID: "abc_123") == nil)
        #expect(OccurrenceID(googleInstanceID: "_20260412") == nil)
        #expect(OccurrenceID(googleInstanceID: "abc_20260412T090000") == nil) // floating: Google always writes UTC
    }
}
