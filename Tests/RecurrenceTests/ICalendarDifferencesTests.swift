import Foundation
import Testing
@testable import Recurrence

/// Where our feed expansion and recurring-ical-events (the cross-check's reference, with icalendar) part ways, and
/// why. The fixture feeds avoid these cases; each is pinned here instead, with what the reference does in a comment.
@Suite("Known differences from recurring-ical-events")
struct ICalendarDifferencesTests {
    func occurrences(_ body: String) throws -> [ICalendarOccurrence] {
        try ICalendar(parsing: ICalendarEventTests.feed(body)).occurrences(from: Feeds.from, to: Feeds.to)
    }

    @Test("DTEND across a daylight-saving change: the RFC's exact duration, where recurring-ical-events keeps wall-clock length")
    func exactDuration() throws {
        // RFC 5545 §3.8.5.3: "If the duration of the recurring component is specified with the DTEND or DUE property,
        // then the same exact duration will apply to the recurring instances". 20:00–20:00 Berlin over a normal
        // weekend is 24 hours, so the next weekend, over the change to summer time, runs 20:00 to 21:00.
        // recurring-ical-events 3.8.2 subtracts aware datetimes of one zone (Python's wall-clock difference) and
        // ends that occurrence at 20:00 CEST (18:00Z). A DURATION:P1D event gets 20:00 to 20:00 from both.
        let weekends = try occurrences("BEGIN:VEVENT\r\nUID:o\r\nDTSTART;TZID=Europe/Berlin:20260321T200000\r\nDTEND;TZID=Europe/Berlin:20260322T200000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n")
        #expect(weekends.map { Feeds.text($0.end) } == ["20260322T190000Z", "20260329T190000Z", "20260405T180000Z"])
        #expect(weekends[1].end == .dateTime(Expand.local("20260329T210000"), Expand.berlin))
    }

    @Test("STATUS:CANCELLED events are not occurrences; recurring-ical-events returns them with their status")
    func cancelled() throws {
        // A feed provider wants the calendar as it is: a cancelled event is one to delete, not one to copy. The
        // cross-check's script leaves out what recurring-ical-events returns with STATUS:CANCELLED to compare the rest.
        #expect(try occurrences("BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260305T100000Z\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n").isEmpty)
        let calendar = try ICalendar(parsing: ICalendarEventTests.feed("BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260305T100000Z\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"))
        #expect(calendar.events.map(\.isCancelled) == [true])  // still in the model, for whoever needs it
    }

    @Test("an event we cannot read is listed as a problem and left out, where icalendar would fail the whole feed or guess")
    func unreadableEvent() throws {
        // icalendar raises on a malformed DTSTART when the event's dates are read (the whole expansion stops); an
        // unknown TZID without VTIMEZONE becomes a floating time there. Here the rest of the feed is read, and the
        // event's UID is reported so its copies are kept as they are rather than deleted.
        let calendar = try ICalendar(parsing: ICalendarEventTests.feed("BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Mars/Olympus:20260305T100000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20260305T100000Z\r\nEND:VEVENT\r\n"))
        #expect(calendar.events.map(\.uid) == ["ok"] && calendar.problems.map(\.uid) == ["u"])
    }

    @Test("DURATION's hours are exact across a daylight-saving gap; recurring-ical-events adds them on the wall clock")
    func exactHours() throws {
        // RFC 5545 §3.3.6: "the duration of an hour, minute or second is fixed". 01:30 Berlin on the night the clocks
        // go from 02:00 to 03:00, for PT2H, ends at 02:30Z (04:30 summer time); Python's aware-datetime arithmetic
        // in recurring-ical-events ends it at 03:30 on the wall clock, 01:30Z, one hour later than it started.
        // A start inside the gap (02:30, read as 03:30 summer time by both, §3.3.5) with PT1H ends at 02:30Z here and
        // at 01:30Z there: an event of no length.
        let events = try occurrences("""
            BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20260329T013000\r\nDURATION:PT2H\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Europe/Berlin:20260329T023000\r\nDURATION:PT1H\r\nEND:VEVENT\r

            """)
        #expect(events.map { "\($0.id.seriesID) \(Feeds.text($0.start))–\(Feeds.text($0.end))" } == ["a 20260329T003000Z–20260329T023000Z", "b 20260329T013000Z–20260329T023000Z"])
    }

    @Test("COUNT with a DTSTART the rule does not generate: RFC 5545 counts DTSTART, recurring-ical-events (dateutil) does not")
    func countCountsStart() throws {
        // As DateutilDifferencesTests.countCountsStart: Monday 23 February, then Fridays, COUNT=3 is 23 Feb, 27 Feb
        // and 6 March here; recurring-ical-events adds 13 March. The random cross-check ends such rules by UNTIL.
        let events = try ICalendar(parsing: ICalendarEventTests.feed("BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260223T154500Z\r\nRRULE:FREQ=WEEKLY;BYDAY=FR;COUNT=3\r\nEND:VEVENT\r\n"))
            .occurrences(from: Feeds.instant("20260201T000000Z"), to: Feeds.to)
        #expect(events.map { Feeds.text($0.start) } == ["20260223T154500Z", "20260227T154500Z", "20260306T154500Z"])
    }

    @Test("a line that is not a content line, or an END that closes the wrong BEGIN, fails the feed; icalendar reads on")
    func brokenStructure() throws {
        // icalendar 7.3.2 reads Fixtures/feeds/bad-line.ics and unbalanced.ics as one event each, skipping the broken
        // line and the stray END:VTODO. A line without a property name is most often a fold that lost its space (a
        // DESCRIPTION cut in two) and a mismatched END a cut or spliced body: guessing could drop or corrupt events,
        // and a sync would then delete their copies, so the feed is refused with the line named (issue 29, "Safety").
        #expect(throws: ICalendarError.self) { try Feeds.calendar("bad-line.ics") }
        #expect(throws: ICalendarError.self) { try Feeds.calendar("unbalanced.ics") }
    }
}
