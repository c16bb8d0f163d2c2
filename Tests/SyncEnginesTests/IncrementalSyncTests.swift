import AsyncHTTPClient
import EmulatorTestKit
import Foundation
import GoogleClient
import SyncboardCore
import Synchronization
import Testing
@testable import GoogleEmulator
@testable import SyncEngines

/// Incremental runs of the built-in engine against the emulator over HTTP: a full reconciliation leaves a sync
/// token and an index of copies; incremental runs list only the source's changes and write only what they need.
@Suite("Built-in engine: incremental sync and full reconciliation")
struct IncrementalSyncTests {
    typealias World = BuiltinEngineTests.World
    static let source = BuiltinEngineTests.source
    static let sink = BuiltinEngineTests.sink
    static let window = BuiltinEngineTests.window
    static let keepTitle: [ConfiguredStep] = [.init(name: "KeepTitle")]

    /// The job's state as the app keeps it, in memory: the token and the index, updated by every write.
    final class State: Sendable {
        let token: Mutex<String>
        let index: Mutex<[String: CopyIndexEntry]>
        init(_ checkpoint: SyncCheckpoint) {
            token = Mutex(checkpoint.syncToken)
            index = Mutex(Dictionary(checkpoint.index.map { ($0.sourceEventID, $0) }, uniquingKeysWith: { $1 }))
        }
        var indexed: [String: IncrementalPlan.IndexedCopy] { index.withLock { $0.mapValues(\.indexed) } }
        func record(_ change: IndexChange) {
            index.withLock {
                switch change {
                case .upsert(let entry): $0[entry.sourceEventID] = entry
                case .remove(let id): $0[id] = nil
                }
            }
        }
    }

    static func reconcile(_ world: World, filters: [ConfiguredStep] = []) async throws -> (BuiltinSyncEngine.Outcome, State) {
        let (outcome, checkpoint) = try await world.engine.reconcile(
            source: .init(id: source, accessToken: world.token), sink: .init(id: sink, accessToken: world.token),
            transformers: keepTitle, filters: filters, window: window, mode: .sync, concurrency: 8) { _ in }
        return (outcome, State(try #require(checkpoint)))
    }

    static func incremental(_ world: World, _ state: State, filters: [ConfiguredStep] = []) async throws -> IncrementalResult {
        let result = try await world.engine.syncChanges(
            source: .init(id: source, accessToken: world.token), sink: .init(id: sink, accessToken: world.token),
            transformers: keepTitle, filters: filters, window: window, since: state.token.withLock { $0 }, index: state.indexed,
            concurrency: 4, log: { _ in }, record: { state.record($0) })
        if case .synced(_, let next) = result { state.token.withLock { $0 = next } }
        return result
    }

    static func synced(_ result: IncrementalResult) throws -> BuiltinSyncEngine.Outcome {
        guard case .synced(let outcome, _) = result else { Issue.record("expected an incremental run, got \(result)"); throw CancellationError() }
        return outcome
    }

    static func time(_ minutes: Int) -> String {
        window.start.addingTimeInterval(Double(minutes) * 60).formatted(Date.ISO8601FormatStyle())
    }

    func sinkTitles(_ world: World) async -> [String] { await world.sinkEvents().compactMap { $0["summary"]?.string }.sorted() }

    @Test("2,000 events: no change costs one call; 20 changes cost one listing and the 20 writes, never a destination listing")
    func steadyState() async throws {
        try await BuiltinEngineTests.withWorld { world in
            var ids: [String] = []
            for index in 0..<2_000 {
                let event = try await world.add("Event \(index)", Self.time(index * 20), Self.time(index * 20 + 15))
                ids.append(event["id"]!.string!)
            }
            let (first, state) = try await Self.reconcile(world)
            #expect(first.created == 2_000 && state.index.withLock { $0.count } == 2_000)

            await world.state.clearRequestLog()
            #expect(try Self.synced(try await Self.incremental(world, state)) == .init())
            #expect(await world.calls() == 1, "a run with no change is one API call")

            // 20 changes: 10 edits, 5 deletions, 5 new events.
            for id in ids[0..<10] { try await world.state.changeEvent(calendarID: Self.source, eventID: id, patch: ["summary": "Edited"]) }
            for id in ids[10..<15] { try await world.state.removeEvent(calendarID: Self.source, eventID: id) }
            for index in 0..<5 { try await world.add("New \(index)", Self.time(index * 20 + 5), Self.time(index * 20 + 10)) }
            await world.state.clearRequestLog()
            var outcome = try Self.synced(try await Self.incremental(world, state))
            #expect(Set(outcome.sourceRemoved) == Set(ids[10..<15]), "the deleted originals, for a group's check of its copies")
            outcome.sourceRemoved = []
            #expect(outcome == .init(created: 5, updated: 10, deleted: 5, failures: []))
            let gets = await world.state.requests(pathPrefix: "/calendar/v3/calendars/", method: "GET")
            #expect(gets.count == 1 && gets.allSatisfy { $0.path.contains("work%40") || $0.path.contains("work@") }, "one listing, of the source: \(gets.map(\.path))")
            #expect(await world.calls() == 21, "the listing and the 20 writes")
            #expect(await world.state.requests(pathPrefix: "/calendar/v3/calendars/\(Self.sink)/events", method: "GET").isEmpty)

            let titles = await sinkTitles(world)
            #expect(titles.count == 2_000 && titles.filter { $0 == "Edited" }.count == 10 && titles.filter { $0.hasPrefix("New ") }.count == 5)
            #expect(state.index.withLock { $0.count } == 2_000, "the index follows every write")
            await world.state.clearRequestLog()
            #expect(try Self.synced(try await Self.incremental(world, state)) == .init(), "its own writes are not changes of the source")
            #expect(await world.calls() == 1)
        }
    }

    @Test("changes are listed over every page")
    func changesArePaged() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = http.shutdown(queue: .global()) { _ in } }
            let api = CalendarAPIClient(baseURL: URL(string: world.emulator.baseURL + "/calendar/v3")!, http: http,
                                        retry: .init(maxAttempts: 3, baseDelay: .milliseconds(5)), eventsPageSize: 7, timeout: TestDeadline.call)
            let small = World(google: world.google, engine: BuiltinSyncEngine(provider: .google(api)), token: world.token)
            let (_, state) = try await Self.reconcile(small)
            for index in 0..<20 { try await small.add("E\(index)", Self.time(index * 60), Self.time(index * 60 + 30)) }
            await small.state.clearRequestLog()
            #expect(try Self.synced(try await Self.incremental(small, state)).created == 20)
            #expect(await small.calls("GET") == 3, "20 changes in pages of 7")
            #expect(await sinkTitles(small).count == 20)
        }
    }

    @Test("a stale sync token (410) asks for a full reconciliation, which gets it right")
    func goneToken() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let kept = try await world.add("Kept", Self.time(60), Self.time(90))
            let (_, state) = try await Self.reconcile(world)
            try await world.state.changeEvent(calendarID: Self.source, eventID: kept["id"]!.string!, patch: ["summary": "Kept (renamed)"])
            try await world.add("Added", Self.time(120), Self.time(150))
            await world.state.invalidateSyncTokens(calendarID: Self.source)
            guard case .needsFullReconciliation(.syncTokenExpired) = try await Self.incremental(world, state) else {
                Issue.record("a 410 must ask for a full reconciliation"); return
            }
            #expect(await sinkTitles(world) == ["Kept"], "nothing was written on the stale token")
            let (full, fresh) = try await Self.reconcile(world)
            #expect(full == .init(created: 1, updated: 1, deleted: 0, failures: []))
            #expect(await sinkTitles(world) == ["Added", "Kept (renamed)"])
            #expect(try Self.synced(try await Self.incremental(world, fresh)) == .init(), "the fresh token works")
        }
    }

    @Test("deletions (also of a recurring event), edits into a filter and moves out of the window remove copies; events from the sink are not copied back")
    func semantics() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let filters: [ConfiguredStep] = [.init(name: "RegexTitle", parameters: ["ExcludeRegexp": .string("^Private")])]
            let series = try await world.state.addEvent(calendarID: Self.source, ["summary": "Stand-up", "start": ["dateTime": .string(Self.time(24 * 60))],
                                                                                  "end": ["dateTime": .string(Self.time(24 * 60 + 15))], "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]])
            let dentist = try await world.add("Dentist", Self.time(60), Self.time(90))
            let trip = try await world.add("Trip", Self.time(180), Self.time(240))
            let (first, state) = try await Self.reconcile(world, filters: filters)
            #expect(first.created == 5)

            try await world.state.removeEvent(calendarID: Self.source, eventID: series["id"]!.string!)
            try await world.state.changeEvent(calendarID: Self.source, eventID: dentist["id"]!.string!, patch: ["summary": "Private: dentist"])
            try await world.state.changeEvent(calendarID: Self.source, eventID: trip["id"]!.string!,
                                              patch: ["start": ["dateTime": "2027-03-01T10:00:00Z"], "end": ["dateTime": "2027-03-01T11:00:00Z"]])
            try await world.add("Came from home", Self.time(300), Self.time(330), ["extendedProperties": ["private": [
                "inovex.calendarsync.EventID": "123", "inovex.calendarsync.OriginalEventUri": "x",
                "inovex.calendarsync.SourceID": .string(CalendarHash.of(Self.sink))]]])
            var outcome = try Self.synced(try await Self.incremental(world, state, filters: filters))
            // With singleEvents=true Google reports a deleted series as its cancelled instances, never the series
            // itself (events.list, showDeleted in the Calendar v3 reference).
            let seriesID = series["id"]!.string!
            #expect(!outcome.sourceRemoved.isEmpty && outcome.sourceRemoved.allSatisfy { $0.hasPrefix(seriesID + "_") })
            outcome.sourceRemoved = []
            #expect(outcome == .init(created: 0, updated: 0, deleted: 5, failures: []))
            #expect(await world.sinkEvents().isEmpty)
            #expect(state.index.withLock { $0.isEmpty })
            // The full plan agrees: nothing left to do.
            #expect(try await Self.reconcile(world, filters: filters).0 == .init())
        }
    }

    @Test("a deleted or edited copy in the destination is repaired by the next full reconciliation")
    func repair() async throws {
        try await BuiltinEngineTests.withWorld { world in
            try await world.add("A", Self.time(60), Self.time(90))
            try await world.add("B", Self.time(120), Self.time(150))
            let (_, state) = try await Self.reconcile(world)
            let copies = await world.sinkEvents()
            let a = try #require(copies.first { $0["summary"] == "A" }?["id"]?.string)
            let b = try #require(copies.first { $0["summary"] == "B" }?["id"]?.string)
            try await world.state.removeEvent(calendarID: Self.sink, eventID: a)
            try await world.state.changeEvent(calendarID: Self.sink, eventID: b, patch: ["summary": "B (edited by hand)"])
            #expect(try Self.synced(try await Self.incremental(world, state)) == .init(), "the index does not see changes in the destination")
            let (full, rebuilt) = try await Self.reconcile(world)
            #expect(full == .init(created: 1, updated: 1, deleted: 0, failures: []))
            #expect(await sinkTitles(world) == ["A", "B"])
            #expect(Set(rebuilt.index.withLock { $0.values.map(\.destinationEventID) }) == Set(await world.sinkEvents().compactMap { $0["id"]?.string }))
        }
    }

    @Test("copies written by CalendarSync (metadata, no index entry) are taken into the index by a full reconciliation, without duplicates")
    func cliCopies() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let a = try await world.add("A", Self.time(60), Self.time(90))
            // What the CLI wrote: A's copy with CalendarSync's metadata.
            try await world.add("A", Self.time(60), Self.time(90), to: Self.sink, ["extendedProperties": ["private": [
                "inovex.calendarsync.EventID": .string(String(SyncMetadata.fnv1(a["id"]!.string!))),
                "inovex.calendarsync.OriginalEventUri": a["htmlLink"]!, "inovex.calendarsync.SourceID": .string(CalendarHash.of(Self.source))]]])
            let (full, state) = try await Self.reconcile(world)
            #expect(full == .init())
            #expect(state.index.withLock { $0[a["id"]!.string!] } != nil, "the CLI's copy is indexed")
            try await world.state.changeEvent(calendarID: Self.source, eventID: a["id"]!.string!, patch: ["summary": "A2"])
            #expect(try Self.synced(try await Self.incremental(world, state)) == .init(created: 0, updated: 1, deleted: 0, failures: []))
            #expect(await sinkTitles(world) == ["A2"], "the CLI's copy was updated, not duplicated")
        }
    }
}
