import Foundation
import GoogleClient
import SyncboardCore
import Testing
@testable import GoogleEmulator
@testable import SyncEngines

/// Deletions that stick in the engine, against the emulator: a copy the user deleted in the destination is found
/// (indexed, missing, and gone when asked for) and not made again, in full and incremental runs; without the
/// option the engine behaves as CalendarSync (the copy comes back).
@Suite("Built-in engine: deletions that stick")
struct StickyDeletionsTests {
    typealias World = BuiltinEngineTests.World
    static let source = BuiltinEngineTests.source
    static let sink = BuiltinEngineTests.sink
    static let window = BuiltinEngineTests.window
    static let keepTitle: [ConfiguredStep] = [.init(name: "KeepTitle")]

    static func reconcile(_ world: World, sticky: StickyDeletions?) async throws -> (BuiltinSyncEngine.Outcome, SyncCheckpoint) {
        let (outcome, checkpoint) = try await world.engine.reconcile(
            source: .init(id: source, accessToken: world.token), sink: .init(id: sink, accessToken: world.token),
            transformers: keepTitle, filters: [], window: window, mode: .sync, sticky: sticky) { _ in }
        return (outcome, try #require(checkpoint))
    }

    static func index(_ checkpoint: SyncCheckpoint) -> [String: IncrementalPlan.IndexedCopy] {
        Dictionary(checkpoint.index.map { ($0.sourceEventID, $0.indexed) }, uniquingKeysWith: { $1 })
    }

    /// Deletes the copy titled `title` in the destination, as the user would in Google Calendar.
    static func deleteCopy(_ world: World, _ title: String) async throws {
        let copy = try #require(await world.sinkEvents().first { $0["summary"]?.string == title })
        try await world.state.removeEvent(calendarID: sink, eventID: copy["id"]!.string!)
    }

    static func titles(_ world: World) async -> [String] { await world.sinkEvents().compactMap { $0["summary"]?.string }.sorted() }

    @Test("full reconciliation: a deleted copy gets a tombstone and stays deleted; without the option it is made again")
    func full() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let planning = try await world.add("Planning", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            try await world.add("Review", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")
            let (_, first) = try await Self.reconcile(world, sticky: StickyDeletions(tombstones: [], previousIndex: [:]))
            try await Self.deleteCopy(world, "Planning")

            let (second, checkpoint) = try await Self.reconcile(world, sticky: StickyDeletions(tombstones: [], previousIndex: Self.index(first)))
            let planningID = planning["id"]!.string!
            #expect(second.created == 0 && second.tombstoned.map(\.sourceEventID) == [planningID])
            #expect(second.tombstoned.first?.title == "Planning")
            #expect(checkpoint.retainedTombstones == [planningID] && !checkpoint.index.contains { $0.sourceEventID == planningID })
            #expect(await Self.titles(world) == ["Review"])

            // The next full run knows the tombstone: nothing to check, nothing made.
            await world.state.clearRequestLog()
            let (third, later) = try await Self.reconcile(world, sticky: StickyDeletions(tombstones: [planningID], previousIndex: Self.index(checkpoint)))
            #expect(third == .init() && later.retainedTombstones == [planningID])
            #expect(await world.calls("GET") == 2, "the two listings, no event lookups")
            #expect(await Self.titles(world) == ["Review"])

            // An original that is deleted takes its tombstone with it.
            try await world.state.removeEvent(calendarID: Self.source, eventID: planningID)
            let (_, gone) = try await Self.reconcile(world, sticky: StickyDeletions(tombstones: [planningID], previousIndex: Self.index(later)))
            #expect(gone.retainedTombstones.isEmpty)

            // Without the option (CalendarSync's behaviour) a deleted copy is made again.
            try await Self.deleteCopy(world, "Review")
            let (plain, _) = try await Self.reconcile(world, sticky: nil)
            #expect(plain.created == 1 && plain.tombstoned.isEmpty)
            #expect(await Self.titles(world) == ["Review"])
        }
    }

    @Test("incremental: an edited original whose copy was deleted gets a tombstone instead of a rewrite that would bring the copy back")
    func incremental() async throws {
        try await BuiltinEngineTests.withWorld { world in
            let planning = try await world.add("Planning", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z")
            let review = try await world.add("Review", "2026-12-03T09:00:00Z", "2026-12-03T10:00:00Z")
            let (_, checkpoint) = try await Self.reconcile(world, sticky: StickyDeletions(tombstones: [], previousIndex: [:]))
            let state = IncrementalSyncTests.State(checkpoint)
            try await Self.deleteCopy(world, "Planning")
            try await Self.deleteCopy(world, "Review")
            let planningID = planning["id"]!.string!

            func incremental(tombstones: Set<String>?) async throws -> BuiltinSyncEngine.Outcome {
                let result = try await world.engine.syncChanges(
                    source: .init(id: Self.source, accessToken: world.token), sink: .init(id: Self.sink, accessToken: world.token),
                    transformers: Self.keepTitle, filters: [], window: Self.window, since: state.token.withLock { $0 }, index: state.indexed,
                    tombstones: tombstones, log: { _ in }, record: { state.record($0) })
                if case .synced(_, let next) = result { state.token.withLock { $0 = next } }
                return try IncrementalSyncTests.synced(result)
            }
            try await world.state.changeEvent(calendarID: Self.source, eventID: planningID, patch: ["summary": "Planning (moved)"])
            let outcome = try await incremental(tombstones: [])
            #expect(outcome.updated == 0 && outcome.created == 0 && outcome.tombstoned.map(\.sourceEventID) == [planningID])
            #expect(state.index.withLock { $0[planningID] } == nil, "the index no longer claims a copy")
            #expect(await Self.titles(world).isEmpty)

            // Edited again: with the tombstone, no copy is made.
            try await world.state.changeEvent(calendarID: Self.source, eventID: planningID, patch: ["summary": "Planning (again)"])
            #expect(try await incremental(tombstones: [planningID]) == .init())
            #expect(await Self.titles(world).isEmpty)

            // Without the option, the rewrite brings the deleted copy back (Google restores a cancelled event that is updated).
            try await world.state.changeEvent(calendarID: Self.source, eventID: review["id"]!.string!, patch: ["summary": "Review (moved)"])
            let plain = try await incremental(tombstones: nil)
            #expect(plain.updated == 1 && plain.tombstoned.isEmpty)
            #expect(await Self.titles(world) == ["Review (moved)"])
        }
    }
}
