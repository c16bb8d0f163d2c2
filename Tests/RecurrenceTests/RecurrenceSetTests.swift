import Foundation
import Testing
@testable import Recurrence

@Suite("RecurrenceSet: DTSTART, RRULE, RDATE and EXDATE together")
struct RecurrenceSetTests {
    typealias E = Expand

    @Test("DTSTART is the first occurrence even when the rule does not generate it, and COUNT counts it (RFC 5545 §3.8.5.3)")
    func unsynchronisedStart() throws {
        // 2 September 1997 is a Tuesday; the rule wants Thursdays.
        #expect(try E.wallClock("19970902T090000", ["RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=3"]) == ["19970902T090000", "19970904T090000", "19970911T090000"])
        #expect(try E.wallClock("19970902T090000", ["RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=1"]) == ["19970902T090000"])
    }

    @Test("EXDATE removes after COUNT is applied: an excluded occurrence still used its place")
    func exdateAfterCount() throws {
        #expect(try E.wallClock("20260105T090000", ["RRULE:FREQ=DAILY;COUNT=4", "EXDATE;TZID=America/New_York:20260106T090000,20260107T090000"], before: "20270101T000000") ==
            ["20260105T090000", "20260108T090000"])
        // An EXDATE in UTC names the same instant.
        #expect(try E.wallClock("20260105T090000", ["RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20260106T140000Z"], before: "20270101T000000") ==
            ["20260105T090000", "20260107T090000"])
    }

    @Test("RDATE adds times (in their own zone), duplicates count once, and several RRULEs merge in order")
    func rdateAndRules() throws {
        let lines = ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2", "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=2", "RDATE;TZID=Europe/Berlin:20260110T150000", "RDATE:20260105T140000Z"]
        // DTSTART (a Monday) counts as the first of each rule's COUNT, so the Wednesday rule adds only one more.
        #expect(try E.wallClock("20260105T090000", lines, before: "20270101T000000") ==
            ["20260105T090000", "20260107T090000", "20260110T090000", "20260112T090000"])
    }

    @Test("the window is half-open on the start: [from, to)")
    func window() throws {
        let set = try RecurrenceSet(start: .dateTime(E.local("20260105T090000"), E.berlin), lines: ["RRULE:FREQ=DAILY"])
        let from = E.local("20260106T090000").instant(in: E.berlin), to = E.local("20260108T090000").instant(in: E.berlin)
        #expect(try set.occurrences(from: from, to: to).map(\.wallClock.description) == ["20260106T090000", "20260107T090000"])
        #expect(try set.occurrences(from: to, to: from).isEmpty)
    }

    @Test("a far window over an endless daily series is bounded by the window, not by the rule")
    func boundedByWindow() throws {
        let set = try RecurrenceSet(start: .dateTime(E.local("20000101T090000"), E.utc), lines: ["RRULE:FREQ=DAILY"])
        let from = E.local("20500101T000000").instant(in: E.utc), to = E.local("20500103T000000").instant(in: E.utc)
        #expect(try set.occurrences(from: from, to: to).map(\.start.description) == ["20500101T090000Z", "20500102T090000Z"])
        // A rule that can never match (30 February) ends with the window too.
        let never = try RecurrenceSet(start: .dateTime(E.local("20000101T090000"), E.utc), lines: ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"])
        #expect(try never.occurrences(from: from, to: to).isEmpty)
    }

    @Test("limit: the first occurrences of an endless series in an open-ended window, EXDATEs and RDATEs included")
    func limit() throws {
        let set = try RecurrenceSet(start: .dateTime(E.local("20000103T090000"), E.utc),
                                    lines: ["RRULE:FREQ=DAILY", "RRULE:FREQ=WEEKLY;BYDAY=SA;BYHOUR=12", "EXDATE:20260102T090000Z,20260103T090000Z", "RDATE:20260101T080000Z"])
        let from = E.local("20260101T000000").instant(in: E.utc)
        #expect(try set.occurrences(from: from, to: .distantFuture, limit: 4).map(\.start.description) ==
            ["20260101T080000Z", "20260101T090000Z", "20260103T120000Z", "20260104T090000Z"])
        #expect(try set.occurrences(from: from, to: .distantFuture, limit: 0).isEmpty)
        // A DATE excluding a day of a timed series turns the early stop off, and the result is still right.
        let days = try RecurrenceSet(start: .dateTime(E.local("20260101T090000"), E.utc), lines: ["RRULE:FREQ=DAILY;BYHOUR=9,10", "EXDATE;VALUE=DATE:20260101"])
        #expect(try days.occurrences(from: from, to: E.local("20270101T000000").instant(in: E.utc), limit: 3).map(\.start.description) ==
            ["20260102T090000Z", "20260102T100000Z", "20260103T090000Z"])
    }

    @Test("UNTIL as a DATE on a timed series includes that whole day; floating UNTIL compares wall clocks")
    func untilForms() throws {
        #expect(try E.wallClock("20260105T090000", ["RRULE:FREQ=DAILY;UNTIL=20260107"], before: "20270101T000000") == ["20260105T090000", "20260106T090000", "20260107T090000"])
        #expect(try E.wallClock("20260105T090000", ["RRULE:FREQ=DAILY;UNTIL=20260107T085959"], before: "20270101T000000") == ["20260105T090000", "20260106T090000"])
    }

    @Test("recurrence lines are checked: unknown properties, PERIOD values, unknown zones and bad rules name the line")
    func lineErrors() {
        let start = RecurrenceDate.dateTime(E.local("20260105T090000"), E.utc)
        #expect(throws: RecurrenceSetError.invalidLine(line: "EXRULE:FREQ=DAILY", reason: "EXRULE is not RRULE, RDATE or EXDATE")) { try RecurrenceSet(start: start, lines: ["EXRULE:FREQ=DAILY"]) }
        #expect(throws: RecurrenceSetError.invalidLine(line: "RDATE;VALUE=PERIOD:20260105T090000Z/PT1H", reason: "VALUE=PERIOD is not supported")) { try RecurrenceSet(start: start, lines: ["RDATE;VALUE=PERIOD:20260105T090000Z/PT1H"]) }
        #expect(throws: RecurrenceSetError.unknownTimeZone("Mars/Olympus")) { try RecurrenceSet(start: start, lines: ["EXDATE;TZID=Mars/Olympus:20260105T090000"]) }
        #expect(throws: RecurrenceSetError.invalidRule(line: "RRULE:FREQ=DAILY;COUNT=x", .invalidValue(part: "COUNT", value: "x", expected: "a positive integer"))) {
            try RecurrenceSet(start: start, lines: ["RRULE:FREQ=DAILY;COUNT=x"])
        }
        #expect(throws: RecurrenceSetError.invalidLine(line: "EXDATE:2026-01-05", reason: "2026-01-05 is not a DATE or DATE-TIME")) { try RecurrenceSet(start: start, lines: ["EXDATE:2026-01-05"]) }
    }
}
