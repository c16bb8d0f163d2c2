import Foundation
import MicrosoftEmulator
import SyncboardCore
import Testing
@testable import MicrosoftClient

/// Graph events to the core's events: series and their instances (api-reference/v1.0/resources/event.md `type`,
/// `seriesMasterId`; resources/patternedrecurrence.md; api/user-list-calendarview.md "occurrences, exceptions, and
/// single instances"), time zones (resources/datetimetimezone.md; resources/event.md `originalStartTimeZone`
/// "may be … a Windows time zone name … or tzone://Microsoft/Custom"), all-day events (resources/event.md `isAllDay`).
@Suite("Microsoft provider: mapping")
struct GraphEventMappingTests {
    static let weekly: JSON = ["pattern": ["type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "sunday"],
                               "range": ["type": "numbered", "startDate": "2026-12-07", "numberOfOccurrences": 4]]

    /// A weekly series in a Windows zone: four occurrences at 09:00 Berlin (08:00 UTC); one moved (an exception,
    /// listed where it now is), one cancelled (gone from the listing, `@removed` in the next delta round).
    @Test func seriesOccurrencesExceptionsAndCancellations() async throws {
        try await GraphHarness.with { h in
            let master = try await h.outlookCreate(GraphHarness.work, meeting("Weekly 1:1", "2026-12-07T09:00:00", "2026-12-07T10:00:00",
                                                                              zone: "W. Europe Standard Time", extra: ["recurrence": Self.weekly]))
            let provider = CalendarProvider.microsoft(h.api)
            let calendar = await h.access()
            let first = try await provider.list(calendar, query())
            #expect(first.events.map(\.start) == ["2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28"].map { utc("\($0)T08:00:00Z") })
            #expect(first.events.allSatisfy { $0.id != master && $0.id.hasPrefix(master) && $0.title == "Weekly 1:1" })
            // Each occurrence is its own original (its own EventID), so each gets its own copy.
            #expect(Set(first.events.map(\.metadata.syncID)).count == 4)

            let moved = first.events[1].id, cancelled = first.events[2].id
            _ = try await h.state.controlUpdate(eventID: moved, ["start": at("2026-12-15T15:00:00", "W. Europe Standard Time"),
                                                                 "end": at("2026-12-15T16:00:00", "W. Europe Standard Time")])
            try await h.state.controlDelete(eventID: cancelled)
            let round = try await provider.changes(calendar, try #require(first.cursor), nil, "work-hash")
            #expect(round.changed.map(\.id) == [moved])
            #expect(round.changed.first?.start == utc("2026-12-15T14:00:00Z"))
            #expect(round.removed == [cancelled])

            let again = try await provider.list(calendar, query())
            #expect(again.events.map(\.id) == [first.events[0].id, moved, first.events[3].id])
            // The raw listing says what each one is.
            let raw = try await h.api.calendarView(calendarID: GraphHarness.work, start: december.start, end: december.end, accessToken: await h.token())
            #expect(raw.map(\.type) == ["occurrence", "exception", "occurrence"])
            #expect(raw.allSatisfy { $0.seriesMasterId == master && $0.originalStartTimeZone == "W. Europe Standard Time" })
        }
    }

    /// Events in Windows zones read as the same instants whether Graph converts them to UTC (our Prefer) or not;
    /// an all-day event in Berlin stays on its day although its UTC reading starts the evening before.
    @Test func windowsZonesAndAllDayEvents() async throws {
        try await GraphHarness.with { h in
            let pacific = try await h.outlookCreate(GraphHarness.work, meeting("Call", "2026-12-03T09:30:00", "2026-12-03T10:00:00", zone: "Pacific Standard Time"))
            let tokyo = try await h.outlookCreate(GraphHarness.work, meeting("Tokyo", "2026-12-04T09:00:00", "2026-12-04T10:00:00", zone: "Tokyo Standard Time"))
            let offsite = try await h.outlookCreate(GraphHarness.work, meeting("Offsite", "2026-12-24T00:00:00", "2026-12-26T00:00:00",
                                                                               zone: "W. Europe Standard Time", extra: ["isAllDay": true]))
            let provider = CalendarProvider.microsoft(h.api)
            let events = Dictionary(uniqueKeysWithValues: try await provider.list(await h.access(), query()).events.map { ($0.id, $0) })
            #expect(events[pacific]?.start == utc("2026-12-03T17:30:00Z"))
            #expect(events[tokyo]?.start == utc("2026-12-04T00:00:00Z"))
            let day = try #require(events[offsite])
            #expect(day.allDay)
            #expect(day.start == utc("2026-12-24T00:00:00Z") && day.end == utc("2026-12-26T00:00:00Z"))

            // Read in the event's own zone (no Prefer), the Windows name maps through the CLDR table.
            let raw = GraphEvent.decoded(#"{"id":"x","type":"singleInstance","subject":"s","start":{"dateTime":"2026-12-03T09:30:00.0000000","timeZone":"Pacific Standard Time"},"end":{"dateTime":"2026-12-03T10:00:00.0000000","timeZone":"Pacific Standard Time"}}"#)
            #expect(GraphEventMapping.syncEvent(raw, calendarHash: "h")?.start == utc("2026-12-03T17:30:00Z"))
        }
    }

    /// tzone://Microsoft/Custom names no rules: a reading in it is unusable (the event is left out, never guessed),
    /// while an all-day event whose own zone is custom keeps its day from a UTC reading.
    @Test func customZonesSeriesMastersAndCancelledEvents() {
        let custom = GraphEvent.decoded(#"{"id":"c","start":{"dateTime":"2026-12-03T09:30:00","timeZone":"tzone://Microsoft/Custom"},"end":{"dateTime":"2026-12-03T10:00:00","timeZone":"tzone://Microsoft/Custom"}}"#)
        #expect(GraphEventMapping.syncEvent(custom, calendarHash: "h") == nil)
        let allDay = GraphEvent.decoded(#"{"id":"d","isAllDay":true,"originalStartTimeZone":"tzone://Microsoft/Custom","start":{"dateTime":"2026-12-23T23:00:00.0000000","timeZone":"UTC"},"end":{"dateTime":"2026-12-24T23:00:00.0000000","timeZone":"UTC"}}"#)
        let mapped = GraphEventMapping.syncEvent(allDay, calendarHash: "h")
        #expect(mapped?.start == utc("2026-12-24T00:00:00Z") && mapped?.end == utc("2026-12-25T00:00:00Z"))
        let masterEvent = GraphEvent.decoded(#"{"id":"m","type":"seriesMaster","start":{"dateTime":"2026-12-03T09:30:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-03T10:00:00","timeZone":"UTC"}}"#)
        #expect(GraphEventMapping.syncEvent(masterEvent, calendarHash: "h") == nil)
        let cancelled = GraphEvent.decoded(#"{"id":"x","isCancelled":true,"start":{"dateTime":"2026-12-03T09:30:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-03T10:00:00","timeZone":"UTC"}}"#)
        #expect(GraphEventMapping.syncEvent(cancelled, calendarHash: "h") == nil)
        // Every Windows name of the CLDR table resolves (the emulator knows a dozen; Graph may send any).
        #expect(["Eastern Standard Time", "India Standard Time", "AUS Eastern Standard Time", "Romance Standard Time", "E. South America Standard Time"]
            .allSatisfy { GraphEventMapping.zone(named: $0) != nil })
        #expect(GraphEventMapping.zone(named: "PST") == nil)
        // Free/busy, privacy, declined and the reminder.
        let detailed = GraphEvent.decoded(#"{"id":"y","showAs":"free","sensitivity":"private","responseStatus":{"response":"declined"},"isReminderOn":true,"reminderMinutesBeforeStart":15,"lastModifiedDateTime":"2026-12-01T10:00:00.1234567Z","start":{"dateTime":"2026-12-03T09:30:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-03T10:00:00","timeZone":"UTC"}}"#)
        let event = GraphEventMapping.syncEvent(detailed, calendarHash: "h")
        #expect(event?.transparent == true && event?.visibility == "private" && event?.accepted == false)
        #expect(event?.reminders == [utc("2026-12-03T09:15:00Z")])
        #expect(GraphEventMapping.timestamp(detailed.lastModifiedDateTime).map { abs($0.timeIntervalSince(utc("2026-12-01T10:00:00Z")) - 0.1234567) < 0.001 } == true)
        // The copy mark round-trips; other transaction ids are not marks.
        let metadata = SyncMetadata(syncID: "123", originalEventURI: "u", sourceID: "abc_-=")
        #expect(GraphEventMapping.metadata(fromMark: GraphEventMapping.copyMark(metadata))?.sourceID == "abc_-=")
        #expect(GraphEventMapping.metadata(fromMark: "7E163156-7762-4BEB-A1C6-729EA81755A7") == nil)
    }
}

extension GraphEvent {
    static func decoded(_ json: String) -> GraphEvent { try! JSONDecoder().decode(GraphEvent.self, from: Data(json.utf8)) }
}
