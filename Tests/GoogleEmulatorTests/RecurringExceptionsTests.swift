import Foundation
import NIOHTTP1
import Testing
@testable import GoogleEmulator

/// Exceptions of recurring events as Google's "Recurring events" guide (developers.google.com/workspace/calendar/api/
/// guides/recurringevents: "Modify instances", "Change all following instances"), the Events resource (`status`,
/// `recurringEventId`, `originalStartTime`) and events.list (`singleEvents`, `showDeleted`) describe them.
@Suite("Emulator: recurring events and their exceptions")
struct RecurringExceptionsTests {
    static let calendar = "team@group.calendar.google.com"
    let events = EmulatorHarness.events(Self.calendar)
    static let window = "timeMin=2026-12-01T00:00:00Z&timeMax=2027-01-31T00:00:00Z"

    /// Mondays at 09:00 in Berlin from 7 December 2026, four times: 08:00Z each (winter time).
    func series(_ google: EmulatorHarness, token: String, rule: String = "RRULE:FREQ=WEEKLY;COUNT=4") async throws -> String {
        let created = try await google.call(.POST, events, token: token, body: [
            "summary": "Weekly 1:1", "start": ["dateTime": "2026-12-07T09:00:00+01:00", "timeZone": "Europe/Berlin"],
            "end": ["dateTime": "2026-12-07T09:30:00+01:00", "timeZone": "Europe/Berlin"], "recurrence": [.string(rule)],
            "attendees": [["email": "carol@example.com", "displayName": "Carol Danvers"]]])
        #expect(created.status == 200, "\(created.json)")
        return try #require(created.json["id"]?.string)
    }

    @Test("Recurring events guide, Modify instances: PATCH of an instance id makes a modified exception that singleEvents=true shows in the occurrence's place, never the series")
    func modifiedException() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada)
            let second = "\(id)_20261214T080000Z"
            let fetched = try await google.call(.GET, events + "/\(second)", token: ada)
            #expect(fetched.status == 200 && fetched.json["recurringEventId"]?.string == id, "events.get reads an instance by its id")
            let moved = try await google.call(.PATCH, events + "/\(second)", token: ada, body: [
                "summary": "1:1 (moved)", "start": ["dateTime": "2026-12-15T14:00:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2026-12-15T14:30:00+01:00", "timeZone": "Europe/Berlin"]])
            #expect(moved.status == 200, "\(moved.json)")
            #expect(moved.json["id"]?.string == second && moved.json["recurringEventId"]?.string == id)
            #expect(moved.json["originalStartTime"]?["dateTime"]?.string.flatMap(EmulatorState.parseTime) == EmulatorState.parseTime("2026-12-14T08:00:00Z"),
                    "the exception keeps its occurrence's original start")

            let single = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&orderBy=startTime&" + Self.window)
            #expect(single.items.allSatisfy { $0["recurrence"] == nil && $0["recurringEventId"]?.string == id }, "never the series itself")
            #expect(single.items.map { $0["summary"]?.string } == ["Weekly 1:1", "1:1 (moved)", "Weekly 1:1", "Weekly 1:1"])
            #expect(single.items[1]["start"]?["dateTime"]?.string.flatMap(EmulatorState.parseTime) == EmulatorState.parseTime("2026-12-15T13:00:00Z"))

            // Moved out of a window, an exception leaves it; moved into one, it appears there.
            let dec14 = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&timeMin=2026-12-14T00:00:00Z&timeMax=2026-12-15T00:00:00Z")
            #expect(dec14.items.isEmpty)
            let dec15 = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&timeMin=2026-12-15T00:00:00Z&timeMax=2026-12-16T00:00:00Z")
            #expect(dec15.items.map { $0["id"]?.string } == [second])

            let seriesAfter = try await google.call(.GET, events + "/\(id)", token: ada)
            #expect(seriesAfter.json["summary"] == "Weekly 1:1", "an exception does not change the series")
        }
    }

    @Test("events.list showDeleted: a cancelled instance is left out with singleEvents=true unless showDeleted, and still listed with singleEvents=false")
    func cancelledException() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada)
            let third = "\(id)_20261221T080000Z"
            #expect(try await google.call(.DELETE, events + "/\(third)", token: ada).status == 204)
            #expect(try await google.call(.DELETE, events + "/\(third)", token: ada).reason == "deleted", "a second delete is 410 deleted")

            let single = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&" + Self.window)
            #expect(single.items.count == 3 && !single.items.contains { $0["id"]?.string == third })
            let withDeleted = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&showDeleted=true&" + Self.window)
            let cancelled = try #require(withDeleted.items.first { $0["id"]?.string == third })
            #expect(cancelled["status"] == "cancelled" && cancelled["recurringEventId"]?.string == id && cancelled["originalStartTime"] != nil)

            // "Cancelled instances of recurring events (but not the underlying recurring event) will still be included
            // if showDeleted and singleEvents are both False."
            let series = try await google.listAll(Self.calendar, token: ada, query: Self.window)
            #expect(series.items.map { $0["id"]?.string } == [id, third])
            #expect(series.items[1]["status"] == "cancelled" && series.items[1]["originalStartTime"] != nil)
        }
    }

    @Test("events.list singleEvents=false: the series when any occurrence overlaps the window (not only its first), with its exceptions as items carrying recurringEventId and originalStartTime")
    func seriesListing() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada)
            _ = try await google.call(.PATCH, events + "/\(id)_20261228T080000Z", token: ada, body: ["summary": "Last 1:1"])
            let late = try await google.listAll(Self.calendar, token: ada, query: "timeMin=2026-12-20T00:00:00Z&timeMax=2027-01-31T00:00:00Z")
            #expect(late.items.map { $0["id"]?.string } == [id, "\(id)_20261228T080000Z"])
            #expect(late.items[0]["recurrence"] != nil)
            #expect(late.items[1]["recurringEventId"]?.string == id && late.items[1]["originalStartTime"] != nil && late.items[1]["summary"] == "Last 1:1")
            let after = try await google.listAll(Self.calendar, token: ada, query: "timeMin=2027-01-01T00:00:00Z&timeMax=2027-01-31T00:00:00Z")
            #expect(after.items.isEmpty, "no occurrence after the fourth")
        }
    }

    @Test("events.instances: the instances of one recurring event, exceptions applied, with timeMin/timeMax, showDeleted and originalStart")
    func instances() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada)
            _ = try await google.call(.PATCH, events + "/\(id)_20261214T080000Z", token: ada, body: ["summary": "Retitled"])
            _ = try await google.call(.DELETE, events + "/\(id)_20261221T080000Z", token: ada)
            let all = try await google.call(.GET, events + "/\(id)/instances", token: ada)
            #expect(all.status == 200 && all.json["kind"] == "calendar#events")
            #expect(all.items.map { $0["summary"]?.string } == ["Weekly 1:1", "Retitled", "Weekly 1:1"])
            let deleted = try await google.call(.GET, events + "/\(id)/instances?showDeleted=true&timeMin=2026-12-20T00:00:00Z", token: ada)
            #expect(deleted.items.map { $0["status"]?.string } == ["cancelled", "confirmed"])
            let one = try await google.call(.GET, events + "/\(id)/instances?originalStart=2026-12-14T09:00:00%2B01:00", token: ada)
            #expect(one.items.map { $0["id"]?.string } == ["\(id)_20261214T080000Z"])
            #expect(try await google.call(.GET, events + "/nosuchseries1/instances", token: ada).status == 404)
        }
    }

    @Test("Synchronize resources efficiently + showDeleted: incremental sync reports a changed and a cancelled occurrence, with and without singleEvents")
    func incrementalExceptions() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada)
            let singleToken = try #require(try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&" + Self.window).syncToken)
            let seriesToken = try #require(try await google.listAll(Self.calendar, token: ada).syncToken)
            _ = try await google.call(.PATCH, events + "/\(id)_20261214T080000Z", token: ada, body: ["summary": "Retitled"])
            _ = try await google.call(.DELETE, events + "/\(id)_20261221T080000Z", token: ada)

            let single = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&syncToken=\(singleToken)")
            #expect(single.items.map { $0["id"]?.string } == ["\(id)_20261214T080000Z", "\(id)_20261221T080000Z"], "only the two changed occurrences")
            #expect(single.items[0]["summary"] == "Retitled" && single.items[0]["status"] == "confirmed")
            // Events resource, status: cancelled exceptions are "only guaranteed to have values for the id,
            // recurringEventId and originalStartTime fields".
            #expect(single.items[1]["status"] == "cancelled" && single.items[1]["recurringEventId"]?.string == id
                    && single.items[1]["originalStartTime"]?["dateTime"] != nil)

            let series = try await google.listAll(Self.calendar, token: ada, query: "syncToken=\(seriesToken)")
            #expect(series.items.map { $0["id"]?.string } == ["\(id)_20261214T080000Z", "\(id)_20261221T080000Z"], "the series itself did not change")
            #expect(series.items[1]["status"] == "cancelled" && series.items[1]["recurringEventId"]?.string == id)
        }
    }

    @Test("events.list showDeleted: a deleted series is one cancelled event without singleEvents and its cancelled instances with it (never the series)")
    func deletedSeries() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada)
            let singleToken = try #require(try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true").syncToken)
            #expect(try await google.call(.DELETE, events + "/\(id)", token: ada).status == 204)
            let single = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&syncToken=\(singleToken)")
            #expect(single.items.count == 4 && single.items.allSatisfy { $0["status"] == "cancelled" && $0["recurringEventId"]?.string == id })
            #expect(!single.items.contains { $0["id"]?.string == id })
            let series = try await google.listAll(Self.calendar, token: ada, query: "syncToken=\(singleToken)")
            #expect(series.items.map { $0["id"]?.string } == [id] && series.items[0]["status"] == "cancelled")
            #expect(try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true").items.isEmpty)
        }
    }

    @Test("Recurring events guide, Change all following instances: the old series ends with UNTIL, a new one starts; incremental sync cancels the cut instances")
    func thisAndFollowing() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada, rule: "RRULE:FREQ=WEEKLY")
            let token = try #require(try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&" + Self.window).syncToken)
            // From 21 December on: 10:00 instead of 09:00.
            let cut = try await google.call(.PATCH, events + "/\(id)", token: ada, body: ["recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20261220T225959Z"]])
            #expect(cut.status == 200)
            let following = try await google.call(.POST, events, token: ada, body: [
                "summary": "Weekly 1:1", "start": ["dateTime": "2026-12-21T10:00:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2026-12-21T10:30:00+01:00", "timeZone": "Europe/Berlin"], "recurrence": ["RRULE:FREQ=WEEKLY"]])
            let newID = try #require(following.json["id"]?.string)

            let listed = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&orderBy=startTime&timeMin=2026-12-01T00:00:00Z&timeMax=2027-01-05T00:00:00Z")
            #expect(listed.items.compactMap { $0["start"]?["dateTime"]?.string.flatMap(EmulatorState.parseTime) } == [
                "2026-12-07T08:00:00Z", "2026-12-14T08:00:00Z", "2026-12-21T09:00:00Z", "2026-12-28T09:00:00Z", "2027-01-04T09:00:00Z",
            ].compactMap(EmulatorState.parseTime))

            let changes = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&syncToken=\(token)")
            let cancelled = changes.items.filter { $0["status"] == "cancelled" }
            #expect(cancelled.contains { $0["id"]?.string == "\(id)_20261221T080000Z" } && cancelled.allSatisfy { $0["recurringEventId"]?.string == id })
            #expect(!cancelled.contains { $0["id"]?.string == "\(id)_20261214T080000Z" }, "occurrences before the cut stay")
            #expect(changes.items.contains { $0["id"]?.string == "\(newID)_20261221T090000Z" && $0["status"] == "confirmed" })
        }
    }

    @Test("Synchronize resources efficiently: a series rescheduled, or made a one-off event, reports its former instances cancelled with singleEvents=true")
    func rescheduledSeries() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let id = try await series(google, token: ada)
            let token = try #require(try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true").syncToken)
            _ = try await google.call(.PATCH, events + "/\(id)", token: ada, body: [
                "start": ["dateTime": "2026-12-07T11:00:00+01:00", "timeZone": "Europe/Berlin"], "end": ["dateTime": "2026-12-07T11:30:00+01:00", "timeZone": "Europe/Berlin"]])
            let moved = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&syncToken=\(token)")
            let old = ["20261207T080000Z", "20261214T080000Z", "20261221T080000Z", "20261228T080000Z"].map { "\(id)_\($0)" }
            #expect(Set(moved.items.filter { $0["status"] == "cancelled" }.compactMap { $0["id"]?.string }) == Set(old))
            #expect(moved.items.filter { $0["status"] == "confirmed" }.compactMap { $0["id"]?.string }.sorted()
                    == ["20261207T100000Z", "20261214T100000Z", "20261221T100000Z", "20261228T100000Z"].map { "\(id)_\($0)" })

            let next = try #require(moved.syncToken)
            _ = try await google.call(.PATCH, events + "/\(id)", token: ada, body: ["recurrence": .null])
            let single = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&syncToken=\(next)")
            #expect(single.items.filter { $0["status"] == "cancelled" }.count == 4 && single.items.contains { $0["id"]?.string == id && $0["status"] == "confirmed" })
        }
    }

    @Test("Events resource start.timeZone: a series expands in its zone, so 09:00 Berlin stays 09:00 across the change to summer time")
    func daylightSaving() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let created = try await google.call(.POST, events, token: ada, body: [
                "summary": "Sunday", "start": ["dateTime": "2027-03-21T09:00:00+01:00", "timeZone": "Europe/Berlin"],
                "end": ["dateTime": "2027-03-21T10:00:00+01:00", "timeZone": "Europe/Berlin"],
                "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=3", "EXDATE;TZID=Europe/Berlin:20270404T090000"]])
            let id = try #require(created.json["id"]?.string)
            let listed = try await google.listAll(Self.calendar, token: ada, query: "singleEvents=true&timeZone=Europe/Berlin")
            #expect(listed.items.map { $0["id"]?.string } == ["\(id)_20270321T080000Z", "\(id)_20270328T070000Z"])
            #expect(listed.items.map { $0["start"]?["dateTime"]?.string } == ["2027-03-21T09:00:00+01:00", "2027-03-28T09:00:00+02:00"])
        }
    }
}
