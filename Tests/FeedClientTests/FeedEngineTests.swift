import Foundation
import Synchronization
import Testing
import Vapor
@testable import FeedClient
import SyncboardCore
import SyncEngines

/// The built-in engine with a feed as its source (through `CalendarProvider.byService`, as the app will wire it)
/// and an in-memory calendar as its destination: a full run copies the feed, a quiet refresh writes nothing, a
/// change writes only itself, and a broken feed fails the run without touching a copy.
@Suite struct FeedEngineTests {
    /// A destination calendar in memory that counts its writes.
    final class Memory: Sendable {
        let events = Mutex<[String: SyncEvent]>([:])
        let writes = Mutex<[String]>([])
        let next = Atomic<Int>(0)

        var provider: CalendarProvider {
            CalendarProvider(
                list: { _, query in
                    EventListing(events: self.events.withLock { $0.values.filter { $0.end > query.start && $0.start < query.end } }
                        .sorted { ($0.start, $0.id) < ($1.start, $1.id) }, cursor: "memory")
                },
                changes: { _, _, _, _ throws(ProviderError) in throw ProviderError(.cursorExpired, "the memory calendar is only listed") },
                fetch: { _, id, _ in self.events.withLock { $0[id] } },
                writes: CalendarProvider.Writes(
                    insert: { _, copy in
                        let id = "copy-\(self.next.add(1, ordering: .relaxed).newValue)"
                        var stored = copy
                        stored.id = id
                        self.events.withLock { $0[id] = stored }
                        self.writes.withLock { $0.append("insert \(copy.title)") }
                        return id
                    },
                    update: { _, id, copy in
                        var stored = copy
                        stored.id = id
                        self.events.withLock { $0[id] = stored }
                        self.writes.withLock { $0.append("update \(copy.title)") }
                    },
                    delete: { _, id in
                        let title = self.events.withLock { $0.removeValue(forKey: id)?.title ?? "?" }
                        self.writes.withLock { $0.append("delete \(title)") }
                    }))
        }

        func titles() -> [String] { events.withLock { $0.values.map(\.title) }.sorted() }
        func takeWrites() -> [String] { writes.withLock { let taken = $0; $0 = []; return taken.sorted() } }
    }

    @Test func feedToCalendarFullThenIncremental() async throws {
        let served = FeedProviderTests.Served(StyledFeeds.google)
        served.etag.withLock { $0 = "\"e1\"" }
        try await FeedServer.with(served.routes) { server, fetcher in
            let memory = Memory()
            let engine = BuiltinSyncEngine(provider: .byService([.icsFeed: .feed(fetcher), .google: memory.provider]))
            let source = CalendarAccess(provider: .icsFeed, id: server.url("/cal.ics"), accessToken: "")
            let sink = CalendarAccess(provider: .google, id: "ada@example.org", accessToken: "token")
            let keepTitle: [ConfiguredStep] = [.init(name: "KeepTitle")]
            let window = FeedProviderTests.window

            let (first, checkpoint) = try await engine.reconcile(source: source, sink: sink, transformers: keepTitle, filters: [], window: window,
                                                                 mode: .sync) { _ in }
            #expect(first.created == 5)
            #expect(memory.titles() == ["Christmas Eve", "Standup", "Standup", "Standup", "Standup (moved)"])
            _ = memory.takeWrites()
            let state = try #require(checkpoint)
            let index = Mutex(Dictionary(state.index.map { ($0.sourceEventID, $0.indexed) }, uniquingKeysWith: { $1 }))
            let cursor = Mutex(state.syncToken)

            func incremental() async throws -> IncrementalResult {
                let result = try await engine.syncChanges(
                    source: source, sink: sink, transformers: keepTitle, filters: [], window: window, since: cursor.withLock { $0 },
                    index: index.withLock { $0 }, log: { _ in },
                    record: { change in
                        index.withLock {
                            switch change {
                            case .upsert(let entry): $0[entry.sourceEventID] = entry.indexed
                            case .remove(let id): $0[id] = nil
                            }
                        }
                    })
                if case .synced(_, let next) = result { cursor.withLock { $0 = next } }
                return result
            }

            // Quiet: one request (a 304), no write.
            let before = server.requests.count
            guard case .synced(let quiet, _) = try await incremental() else { Issue.record("expected an incremental run"); return }
            #expect(quiet == .init())
            #expect(server.requests.count == before + 1)
            #expect(memory.takeWrites().isEmpty)

            // One event renamed, one occurrence excluded: one update, one delete, nothing else.
            served.body.withLock { body in
                body = body.replacingOccurrences(of: "SUMMARY:Christmas Eve", with: "SUMMARY:Christmas Eve (office closed)")
                    .replacingOccurrences(of: "EXDATE;TZID=Europe/Berlin:20261204T090000", with: "EXDATE;TZID=Europe/Berlin:20261204T090000,20261206T090000")
            }
            served.etag.withLock { $0 = "\"e2\"" }
            guard case .synced(let changed, _) = try await incremental() else { Issue.record("expected an incremental run"); return }
            #expect(changed.updated == 1 && changed.deleted == 1 && changed.created == 0)
            #expect(memory.takeWrites() == ["delete Standup", "update Christmas Eve (office closed)"])

            // A truncated body fails the run; no copy is touched, and the cursor stays where it was.
            let kept = cursor.withLock { $0 }
            served.body.withLock { $0 = String($0.prefix($0.count / 2)) }
            served.etag.withLock { $0 = "\"e3\"" }
            await #expect(throws: BuiltinSyncEngine.Failure.self) { try await incremental() }
            #expect(memory.takeWrites().isEmpty)
            #expect(memory.titles() == ["Christmas Eve (office closed)", "Standup", "Standup", "Standup (moved)"])
            #expect(cursor.withLock { $0 } == kept)

            // So does a full run on the broken feed.
            await #expect(throws: BuiltinSyncEngine.Failure.self) {
                try await engine.reconcile(source: source, sink: sink, transformers: keepTitle, filters: [], window: window, mode: .sync) { _ in }
            }
            #expect(memory.takeWrites().isEmpty)
        }
    }
}
