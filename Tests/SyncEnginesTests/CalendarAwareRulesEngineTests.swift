import Foundation
import GoogleClient
import SyncboardCore
import Testing
@testable import GoogleEmulator
@testable import SyncEngines

/// The built-in engine's calendar-aware rules against the emulator: what each keeps and drops, and what the copies
/// carry (busy/free, visibility, colour), in a full reconciliation and in incremental runs.
@Suite("Built-in engine: calendar-aware rules against the emulator")
struct CalendarAwareRulesEngineTests {
    typealias World = BuiltinEngineTests.World
    static let source = BuiltinEngineTests.source
    static let sink = BuiltinEngineTests.sink
    static let window = BuiltinEngineTests.window

    static func sinkCalendar(_ world: World) -> BuiltinSyncEngine.Calendar {
        .init(id: sink, accessToken: world.token, accountEmail: "ada@example.com")
    }

    static func reconcile(_ world: World, transformers: [ConfiguredStep], filters: [ConfiguredStep]) async throws
        -> (BuiltinSyncEngine.Outcome, IncrementalSyncTests.State) {
        let (outcome, checkpoint) = try await world.engine.reconcile(
            source: .init(id: source, accessToken: world.token), sink: sinkCalendar(world), transformers: transformers, filters: filters,
            window: window, mode: .sync) { _ in }
        return (outcome, IncrementalSyncTests.State(try #require(checkpoint)))
    }

    static func copy(_ world: World, titled title: String) async -> JSONValue? {
        await world.sinkEvents().first { $0["summary"]?.string == title }
    }

    @Test("filters: free events, special event types and invitations the destination has are dropped; the rest are copied")
    func filters() async throws {
        try await BuiltinEngineTests.withWorld { world in
            try await world.add("Busy", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            try await world.add("Explicitly busy", "2026-12-02T11:00:00Z", "2026-12-02T12:00:00Z", ["transparency": "opaque"])
            try await world.add("Free", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z", ["transparency": "transparent"])
            try await world.add("Away", "2026-12-04T09:00:00Z", "2026-12-04T17:00:00Z", ["eventType": "outOfOffice"])
            try await world.add("Deep work", "2026-12-05T09:00:00Z", "2026-12-05T11:00:00Z", ["eventType": "focusTime"])
            try await world.add("Office", "2026-12-06T08:00:00Z", "2026-12-06T09:00:00Z", ["eventType": "workingLocation"])
            try await world.add("Flight", "2026-12-07T08:00:00Z", "2026-12-07T09:00:00Z", ["eventType": "fromGmail"])
            try await world.add("Ada's birthday", "2026-12-10T00:00:00Z", "2026-12-10T01:00:00Z", ["eventType": "birthday"])
            try await world.add("Invitation Ada has", "2026-12-08T09:00:00Z", "2026-12-08T10:00:00Z",
                                ["attendees": [["email": "boss@work.example"], ["email": "ADA@example.com", "responseStatus": "needsAction"]]])
            try await world.add("Invitation of others", "2026-12-09T09:00:00Z", "2026-12-09T10:00:00Z",
                                ["attendees": [["email": "boss@work.example"], ["email": "bob@example.org"]]])

            let filters = SyncCatalog.pinned.validate([.init(name: "FreeEvents"), .init(name: "EventTypes"), .init(name: "InvitedDestination")],
                                                      kind: .filter).steps
            let (outcome, _) = try await Self.reconcile(world, transformers: [.init(name: "KeepTitle")], filters: filters)
            #expect(outcome.created == 4)
            let titles = await world.sinkEvents().compactMap { $0["summary"]?.string }.sorted()
            #expect(titles == ["Busy", "Explicitly busy", "Flight", "Invitation of others"])

            // Without the filters, everything CalendarSync reads is copied (ordinary events, focus time, out of office);
            // without EventTypes, events from Gmail, working locations and birthdays are not read, so Flight's copy goes.
            let (all, _) = try await Self.reconcile(world, transformers: [.init(name: "KeepTitle")], filters: [])
            #expect(all.created == 4 && all.deleted == 1)
            let titlesAfter = await world.sinkEvents().compactMap { $0["summary"]?.string }.sorted()
            #expect(titlesAfter == ["Away", "Busy", "Deep work", "Explicitly busy", "Free", "Invitation Ada has", "Invitation of others"])
        }
    }

    @Test("transformers: copies keep busy/free, are private and coloured; a changed rule rewrites them; without them copies carry none")
    func transformers() async throws {
        try await BuiltinEngineTests.withWorld { world in
            try await world.add("Busy", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z", ["visibility": "public", "colorId": "3"])
            try await world.add("Free", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z", ["transparency": "transparent"])
            let rules: [ConfiguredStep] = [.init(name: "KeepTitle"), .init(name: "KeepTransparency"),
                                           .init(name: "SetVisibility", parameters: ["Visibility": .string("private")]),
                                           .init(name: "SetColor", parameters: ["ColorId": .int(11)])]
            try await Self.reconcile(world, transformers: rules, filters: [])
            let busy = try #require(await Self.copy(world, titled: "Busy")), free = try #require(await Self.copy(world, titled: "Free"))
            #expect(busy["transparency"]?.string == "opaque" && free["transparency"]?.string == "transparent")
            #expect(busy["visibility"]?.string == "private" && free["visibility"]?.string == "private")
            #expect(busy["colorId"]?.string == "11" && free["colorId"]?.string == "11")

            // Another colour: each copy is rewritten once, then the calendars are in step.
            var recoloured = rules
            recoloured[3] = .init(name: "SetColor", parameters: ["ColorId": .int(5)])
            let (rewrite, _) = try await Self.reconcile(world, transformers: recoloured, filters: [])
            #expect(rewrite.updated == 2)
            #expect(await Self.copy(world, titled: "Busy")?["colorId"]?.string == "5")
            #expect(await Self.copy(world, titled: "Free")?["transparency"]?.string == "transparent", "what the rules still set is kept")
            #expect(try await Self.reconcile(world, transformers: recoloured, filters: []).0 == .init())

            // A job without the rules: new copies say nothing about busy/free, visibility or colour (as CalendarSync's).
            try await world.add("Plain", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z", ["transparency": "transparent", "colorId": "2"])
            try await Self.reconcile(world, transformers: [.init(name: "KeepTitle")], filters: [])
            let plain = try #require(await Self.copy(world, titled: "Plain"))
            #expect(plain["transparency"] == nil && plain["colorId"] == nil && plain["visibility"] == nil)
        }
    }

    @Test("incremental runs apply the rules: an event that becomes free loses its copy, a busy one gains one, an invitation is skipped")
    func incremental() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let meeting = try await world.add("Meeting", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            let filters: [ConfiguredStep] = [.init(name: "FreeEvents"), .init(name: "InvitedDestination")]
            let transformers: [ConfiguredStep] = [.init(name: "KeepTitle"), .init(name: "SetColor", parameters: ["ColorId": .int(7)])]
            let (first, state) = try await Self.reconcile(world, transformers: transformers, filters: filters)
            #expect(first.created == 1)

            try await world.state.changeEvent(calendarID: Self.source, eventID: meeting["id"]!.string!, patch: ["transparency": "transparent"])
            try await world.add("Lunch", "2026-12-03T12:00:00Z", "2026-12-03T13:00:00Z")
            try await world.add("Invited", "2026-12-03T15:00:00Z", "2026-12-03T16:00:00Z", ["attendees": [["email": "ada@example.com"]]])
            let result = try await world.engine.syncChanges(
                source: .init(id: Self.source, accessToken: world.token), sink: Self.sinkCalendar(world), transformers: transformers,
                filters: filters, window: Self.window, since: state.token.withLock { $0 }, index: state.indexed, log: { _ in },
                record: { state.record($0) })
            let outcome = try IncrementalSyncTests.synced(result)
            #expect(outcome == .init(created: 1, updated: 0, deleted: 1, failures: []))
            #expect(await world.sinkEvents().compactMap { $0["summary"]?.string } == ["Lunch"])
            #expect(await Self.copy(world, titled: "Lunch")?["colorId"]?.string == "7")
        }
    }
}
