import Foundation
import SyncboardCore
import Synchronization
import Testing
@testable import GoogleClient
@testable import GoogleEmulator
@testable import SyncEngines

/// The engine reports each copy an incremental run writes, with the original's `updated` time: the app's
/// propagation latency.
@Suite("Built-in engine: propagation of source changes")
struct PropagationTests {
    @Test("an incremental run reports one propagation per written copy (created, updated, deleted), timed from the original's `updated`")
    func reportsWrites() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let kept = try await world.add("Planning", IncrementalSyncTests.time(60), IncrementalSyncTests.time(90))
            let removed = try await world.add("Review", IncrementalSyncTests.time(120), IncrementalSyncTests.time(150))
            let heard = Mutex<[Propagation]>([])
            let engine = BuiltinSyncEngine(provider: world.engine.provider) { propagation in heard.withLock { $0.append(propagation) } }
            let reporting = BuiltinEngineTests.World(google: world.google, engine: engine, token: world.token)
            let (_, state) = try await IncrementalSyncTests.reconcile(reporting)
            #expect(heard.withLock { $0 }.isEmpty, "a full reconciliation reports nothing")

            let keptID = try #require(kept["id"]?.string), removedID = try #require(removed["id"]?.string)
            let changed = try await world.state.changeEvent(calendarID: BuiltinEngineTests.source, eventID: keptID, patch: ["summary": "Planning (moved)"])
            try await world.state.removeEvent(calendarID: BuiltinEngineTests.source, eventID: removedID)
            let added = try await world.add("Retro", IncrementalSyncTests.time(180), IncrementalSyncTests.time(210))
            let before = Date()
            let outcome = try IncrementalSyncTests.synced(try await IncrementalSyncTests.incremental(reporting, state))
            #expect(outcome.created == 1 && outcome.updated == 1 && outcome.deleted == 1)

            let reported = heard.withLock { $0 }
            #expect(Set(reported.map(\.sourceEventID)) == [keptID, removedID, try #require(added["id"]?.string)])
            let changedAt = try #require(GoogleEventMapping.timestamp(changed["updated"]?.string))
            let update = try #require(reported.first { $0.sourceEventID == keptID })
            #expect(update.changedAt == changedAt, "timed from the original's updated, to the millisecond")
            for propagation in reported {
                #expect(propagation.writtenAt >= before && propagation.changedAt <= before)
                #expect(propagation.latency >= 0 && propagation.latency == propagation.writtenAt.timeIntervalSince(propagation.changedAt))
            }
        }
    }

    @Test("Google's updated times parse with and without fractional seconds; an unreadable one is left out")
    func parsing() throws {
        let precise = try #require(GoogleEventMapping.timestamp("2026-11-25T13:41:20.123Z"))
        #expect(abs(precise.timeIntervalSince(try #require(GoogleEventMapping.timestamp("2026-11-25T13:41:20Z"))) - 0.123) < 0.0005)
        #expect(GoogleEventMapping.timestamp("yesterday") == nil && GoogleEventMapping.timestamp(nil) == nil)
        #expect(Propagation(sourceEventID: "a", changedAt: precise, writtenAt: precise.addingTimeInterval(-1)).latency == 0, "never negative")
    }
}
