import AsyncHTTPClient
import EmulatorTestKit
import Foundation
import GoogleClient
import SyncboardCore
import Synchronization
import Testing
@testable import GoogleEmulator
@testable import SyncEngines

/// The built-in engine against the Google emulator over HTTP, checked with the emulator's state and request log.
@Suite("Built-in engine against the Google emulator")
struct BuiltinEngineTests {
    static let source = "work@group.calendar.google.com"
    static let sink = "home@group.calendar.google.com"
    static let window = (start: date("2026-12-01T00:00:00Z"), end: date("2027-01-01T00:00:00Z"))

    static func date(_ text: String) -> Date { try! Date(text, strategy: Date.ISO8601FormatStyle()) }

    struct World {
        let google: EmulatedGoogle
        let engine: BuiltinSyncEngine
        let token: String
        var emulator: GoogleEmulatorServer { google.server }
        var state: EmulatorState { google.state }

        @discardableResult
        func run(_ mode: BuiltinSyncEngine.Mode = .sync, transformers: [ConfiguredStep] = [.init(name: "KeepTitle")], filters: [ConfiguredStep] = [],
                 concurrency: Int = 1) async throws -> (BuiltinSyncEngine.Outcome, [String]) {
            let lines = Mutex<[String]>([])
            let outcome = try await engine.run(source: .init(id: BuiltinEngineTests.source, accessToken: token),
                                               sink: .init(id: BuiltinEngineTests.sink, accessToken: token),
                                               transformers: transformers, filters: filters, window: BuiltinEngineTests.window, mode: mode,
                                               concurrency: concurrency) { line in lines.withLock { $0.append(line) } }
            return (outcome, lines.withLock { $0 })
        }

        @discardableResult
        func add(_ summary: String, _ start: String, _ end: String, to calendar: String = BuiltinEngineTests.source, _ extra: [String: JSONValue] = [:]) async throws -> JSONValue {
            try await google.addEvent(summary, to: calendar, start: start, end: end, extra)
        }

        /// The sink's live (not cancelled) events.
        func sinkEvents() async -> [JSONValue] { await google.liveEvents(BuiltinEngineTests.sink) }

        func calls(_ method: String? = nil) async -> Int { await google.calls(method) }
    }

    static func withWorld(_ body: (World) async throws -> Void) async throws {
        try await EmulatedGoogle.with(accounts: [.init(subject: "1", email: "ada@example.com", name: "Ada")],
                                      calendars: [EmulatedGoogle.calendar(source, "Work", owner: "ada@example.com"),
                                                  EmulatedGoogle.calendar(sink, "Home", owner: "ada@example.com")]) { google in
            let token = try await google.tokens("ada@example.com", offline: false).access
            try await TestHTTPClient.with { http in
                let api = CalendarAPIClient(baseURL: google.calendarAPI, http: http, retry: .init(maxAttempts: 5, baseDelay: .milliseconds(5)), eventsPageSize: 250,
                                            timeout: TestDeadline.call)
                try await body(World(google: google, engine: BuiltinSyncEngine(provider: .google(api)), token: token))
            }
        }
    }

    @Test("creates, then changes nothing, then propagates an update and a deletion, with CalendarSync's metadata and the fewest calls")
    func propagation() async throws {
        try await Self.withWorld { world in
            let planning = try await world.add("Planning", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            let review = try await world.add("Review", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")
            try await world.add("Retro", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z")
            try await world.add("Outside the window", "2027-02-01T09:00:00Z", "2027-02-01T10:00:00Z")

            let (first, log) = try await world.run()
            #expect(first == .init(created: 3, updated: 0, deleted: 0, failures: []))
            #expect(log.contains("found 3 new, 0 changed, and 0 deleted events"))
            let (gets, posts) = (await world.calls("GET"), await world.calls("POST"))
            #expect(gets == 2 && posts == 3, "one list per calendar, one insert per event")
            let copy = try #require(await world.sinkEvents().first { $0["summary"] == "Planning" })
            let properties = try #require(copy["extendedProperties"]?["private"]?.object)
            #expect(properties["inovex.calendarsync.EventID"]?.string == String(SyncMetadata.fnv1(planning["id"]!.string!)))
            // base64url(SHA-1("work@group.calendar.google.com")), computed independently with Python's hashlib.
            #expect(properties["inovex.calendarsync.SourceID"]?.string == "hjDz5AJGAsEmzfWfUsSvwDNoC1k=")
            #expect(properties["inovex.calendarsync.OriginalEventUri"] == planning["htmlLink"])
            #expect(copy["start"]?["dateTime"] == "2026-12-02T09:00:00Z")

            await world.state.clearRequestLog()
            let (second, _) = try await world.run()
            #expect(second == .init(), "an unchanged calendar makes no writes")
            #expect(await world.calls() == 2)

            try await world.state.changeEvent(calendarID: Self.source, eventID: planning["id"]!.string!, patch: ["summary": "Planning (moved)",
                                              "start": ["dateTime": "2026-12-02T11:00:00Z"], "end": ["dateTime": "2026-12-02T12:00:00Z"]])
            try await world.state.removeEvent(calendarID: Self.source, eventID: review["id"]!.string!)
            await world.state.clearRequestLog()
            let (third, _) = try await world.run()
            #expect(third == .init(created: 0, updated: 1, deleted: 1, failures: []))
            let (puts, deletes, inserts) = (await world.calls("PUT"), await world.calls("DELETE"), await world.calls("POST"))
            #expect(puts == 1 && deletes == 1 && inserts == 0)
            let titles = await world.sinkEvents().compactMap { $0["summary"]?.string }.sorted()
            #expect(titles == ["Planning (moved)", "Retro"])
            #expect(await world.sinkEvents().first { $0["summary"] == "Planning (moved)" }?["start"]?["dateTime"] == "2026-12-02T11:00:00Z")
        }
    }

    @Test("transformers copy what they name, in CalendarSync's order, whatever the job's order")
    func transformers() async throws {
        try await Self.withWorld { world in
            try await world.add("Board meeting", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z", [
                "description": "Agenda\r\n items ", "location": "Room 1", "hangoutLink": "https://meet.google.com/abc",
                "attendees": [["email": "ada@example.com", "displayName": "Ada", "responseStatus": "accepted"], ["email": "bob@example.org"]],
                "reminders": ["useDefault": false, "overrides": [["method": "popup", "minutes": 15], ["method": "email", "minutes": 60]]]])
            let steps: [ConfiguredStep] = [
                .init(name: "PrefixTitle", parameters: ["Prefix": .string("[Work] ")]), .init(name: "KeepTitle"),
                .init(name: "KeepMeetingLink"), .init(name: "KeepDescription"), .init(name: "KeepLocation"),
                .init(name: "KeepAttendees", parameters: ["UseEmailAsDisplayName": .bool(true)]), .init(name: "KeepReminders"),
                .init(name: "NoSuchTransformer"),
            ]
            try await world.run(transformers: steps)
            let copy = try #require(await world.sinkEvents().first)
            #expect(copy["summary"] == "[Work] Board meeting", "KeepTitle runs before PrefixTitle")
            #expect(copy["description"] == "original meeting link: https://meet.google.com/abc\n\n############\nAgenda items")
            #expect(copy["location"] == "Room 1")
            #expect(copy["attendees"]?.array?.compactMap { $0["email"]?.string } == ["ada_example.com@localhost", "bob_example.org@localhost"])
            #expect(copy["attendees"]?[0]?["displayName"] == "ada@example.com")
            #expect(copy["reminders"]?["overrides"] == [["method": "popup", "minutes": 15]], "only popup reminders")

            // Without transformers only the time is copied, titled as CalendarSync does; ReplaceTitle wins over the rest.
            try await world.state.addCalendar(.init(id: Self.sink, summary: "Home", roles: ["ada@example.com": "owner"]))
            let (plain, _) = try await world.run(transformers: [])
            #expect(plain.updated == 1)
            let bare = try #require(await world.sinkEvents().first)
            #expect(bare["summary"] == "CalendarSync Event" && bare["location"] == nil && bare["description"] == nil && bare["attendees"] == nil)
            try await world.run(transformers: [.init(name: "ReplaceTitle", parameters: ["NewTitle": .string("Busy")]), .init(name: "KeepTitle")])
            #expect(await world.sinkEvents().first?["summary"] == "Busy")
        }
    }

    @Test("filters leave out declined, all-day, matching and out-of-hours events; a copy whose original is filtered out is deleted")
    func filters() async throws {
        try await Self.withWorld { world in
            try await world.add("Kept", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            try await world.add("Declined", "2026-12-02T11:00:00Z", "2026-12-02T12:00:00Z",
                                ["attendees": [["email": "ada@example.com", "responseStatus": "declined"]]])
            try await world.add("Private: dentist", "2026-12-02T13:00:00Z", "2026-12-02T14:00:00Z")
            try await world.add("Late call", "2026-12-02T20:00:00Z", "2026-12-02T21:00:00Z")
            try await world.state.addEvent(calendarID: Self.source, ["summary": "Holiday", "start": ["date": "2026-12-24"], "end": ["date": "2026-12-25"]])

            try await world.run(filters: [.init(name: "DeclinedEvents")])
            #expect(await world.sinkEvents().count == 4, "the declined meeting is left out")
            let (second, _) = try await world.run(filters: [.init(name: "RegexTitle", parameters: ["ExcludeRegexp": .string("^Private")]),
                                                            .init(name: "AllDayEvents"), .init(name: "DeclinedEvents"),
                                                            .init(name: "TimeFrame", parameters: ["HourStart": .int(8), "HourEnd": .int(17)])])
            #expect(second.deleted == 3, "copies of events now filtered out are removed")
            #expect(await world.sinkEvents().compactMap { $0["summary"]?.string } == ["Kept"])
            try await world.run(filters: [.init(name: "TimeFilter", parameters: ["HourStart": .int(8), "HourEnd": .int(17)])])
            let titles = Set(await world.sinkEvents().compactMap { $0["summary"]?.string })
            #expect(titles == ["Late call", "Holiday"], "TimeFilter keeps all-day events and those not wholly within the hours: \(titles)")
        }
    }

    @Test("all-day events are copied as dates and recurring events as their instances")
    func allDayAndRecurring() async throws {
        try await Self.withWorld { world in
            try await world.state.addEvent(calendarID: Self.source, ["summary": "Trip", "start": ["date": "2026-12-10"], "end": ["date": "2026-12-13"]])
            try await world.state.addEvent(calendarID: Self.source, ["summary": "Stand-up", "start": ["dateTime": "2026-12-07T09:00:00Z"],
                                                                     "end": ["dateTime": "2026-12-07T09:15:00Z"], "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]])
            let (outcome, _) = try await world.run()
            #expect(outcome.created == 4)
            let copies = await world.sinkEvents()
            #expect(copies.first { $0["summary"] == "Trip" }?["start"] == ["date": "2026-12-10"])
            #expect(copies.first { $0["summary"] == "Trip" }?["end"] == ["date": "2026-12-13"])
            #expect(copies.filter { $0["summary"] == "Stand-up" }.compactMap { $0["start"]?["dateTime"]?.string }.sorted()
                    == ["2026-12-07T09:00:00Z", "2026-12-14T09:00:00Z", "2026-12-21T09:00:00Z"])
            #expect(try await world.run().0 == .init(), "a second run changes nothing")
        }
    }

    @Test("copies written by the Go tool are recognised (prefixed or not); events from the sink are not copied back; other events are untouched")
    func interoperability() async throws {
        try await Self.withWorld { world in
            let sourceHash = "hjDz5AJGAsEmzfWfUsSvwDNoC1k="
            let sinkHash = CalendarHash.of(Self.sink)
            let a = try await world.add("A", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            let b = try await world.add("B", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")
            // What CalendarSync itself wrote on an earlier run: A's copy with prefixed keys (up to date),
            // B's copy with unprefixed keys and an old title.
            try await world.add("CalendarSync Event", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z", to: Self.sink, ["extendedProperties": ["private": [
                "inovex.calendarsync.EventID": .string(String(SyncMetadata.fnv1(a["id"]!.string!))),
                "inovex.calendarsync.OriginalEventUri": a["htmlLink"]!, "inovex.calendarsync.SourceID": .string(sourceHash)]]])
            try await world.add("Old title", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z", to: Self.sink, ["extendedProperties": ["private": [
                "EventID": .string(String(SyncMetadata.fnv1(b["id"]!.string!))), "OriginalEventUri": b["htmlLink"]!, "SourceID": .string(sourceHash)]]])
            // A copy in the source of an event that came from the sink and was deleted there: not to be resurrected.
            try await world.add("Came from home", "2026-12-05T09:00:00Z", "2026-12-05T10:00:00Z", ["extendedProperties": ["private": [
                "inovex.calendarsync.EventID": "123", "inovex.calendarsync.OriginalEventUri": "x", "inovex.calendarsync.SourceID": .string(sinkHash)]]])
            // The sink's own event and a copy made by another source: never touched.
            try await world.add("Home event", "2026-12-06T09:00:00Z", "2026-12-06T10:00:00Z", to: Self.sink)
            try await world.add("From elsewhere", "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z", to: Self.sink, ["extendedProperties": ["private": [
                "inovex.calendarsync.EventID": "999", "inovex.calendarsync.OriginalEventUri": "y", "inovex.calendarsync.SourceID": "b3RoZXI="]]])

            let (outcome, log) = try await world.run(transformers: [])
            #expect(outcome == .init(created: 0, updated: 1, deleted: 0, failures: []), "\(log)")
            #expect(log.contains { $0.contains("came from the destination") })
            let titles = await world.sinkEvents().compactMap { $0["summary"]?.string }.sorted()
            #expect(titles == ["CalendarSync Event", "CalendarSync Event", "From elsewhere", "Home event"], "no duplicates, no resurrection")
        }
    }

    @Test("clean deletes only this source's copies in the window; dry-run writes nothing")
    func cleanAndDryRun() async throws {
        try await Self.withWorld { world in
            try await world.add("A", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            try await world.add("B", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")
            try await world.add("Home event", "2026-12-06T09:00:00Z", "2026-12-06T10:00:00Z", to: Self.sink)

            await world.state.clearRequestLog()
            let (dry, log) = try await world.run(.dryRun)
            #expect(dry.created == 2 && log.contains("dry run: nothing was written") && log.contains { $0.hasPrefix("would create “A”") })
            let (all, lists) = (await world.calls(), await world.calls("GET"))
            #expect(all == 2 && lists == 2, "only the two lists")
            #expect(await world.sinkEvents().count == 1)

            try await world.run()
            #expect(await world.sinkEvents().count == 3)
            let (clean, _) = try await world.run(.clean)
            #expect(clean.deleted == 2)
            #expect(await world.sinkEvents().compactMap { $0["summary"]?.string } == ["Home event"])
            #expect(await world.state.storedEvents(calendarID: Self.source).count == 2, "the source is never written")
        }
    }

    @Test("more than 1,000 events are listed over every page once and copied without duplicates")
    func paging() async throws {
        try await Self.withWorld { world in
            let start = Self.date("2026-12-01T00:00:00Z")
            for index in 0..<1_100 {
                let begin = start.addingTimeInterval(Double(index) * 1_800)
                try await world.add("Event \(index)", begin.formatted(Date.ISO8601FormatStyle()), begin.addingTimeInterval(900).formatted(Date.ISO8601FormatStyle()))
            }
            let (first, _) = try await world.run(concurrency: 8)
            #expect(first.created == 1_100)
            #expect(Set(await world.sinkEvents().compactMap { $0["summary"]?.string }).count == 1_100)
            await world.state.clearRequestLog()
            #expect(try await world.run().0 == .init())
            #expect(await world.calls("GET") == 10, "five pages of 250 per calendar")
        }
    }

    @Test("rate limits and 5xx are retried; one failing event is reported and the others are still written")
    func retriesAndPartialFailure() async throws {
        try await Self.withWorld { world in
            for index in 0..<4 { try await world.add("E\(index)", "2026-12-0\(index + 2)T09:00:00Z", "2026-12-0\(index + 2)T10:00:00Z") }
            await world.state.injectFault(Fault(status: 429, count: 2, method: "GET"))
            await world.state.injectFault(Fault(status: 403, reason: "rateLimitExceeded", count: 1, method: "POST"))
            await world.state.injectFault(Fault(status: 503, count: 1, method: "POST"))
            let (outcome, _) = try await world.run()
            #expect(outcome == .init(created: 4, updated: 0, deleted: 0, failures: []))
            #expect(await world.state.requests().filter { $0.status == 429 || $0.status == 403 || $0.status == 503 }.count == 4)

            try await world.add("E9", "2026-12-10T09:00:00Z", "2026-12-10T10:00:00Z")
            try await world.add("E8", "2026-12-11T09:00:00Z", "2026-12-11T10:00:00Z")
            await world.state.injectFault(Fault(status: 400, reason: "invalid", count: 1, method: "POST"))
            let (partial, log) = try await world.run()
            #expect(partial.created == 1 && partial.failures.count == 1, "a 400 is not retried, and the other event is written")
            #expect(log.contains { $0.hasPrefix("ERROR could not create") })
        }
    }
}
