import Fluent
import Foundation
@testable import SyncEngines
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// A run past its time limit is abandoned, not awaited: its engine may go on for a while, even while the job's next
/// run works. Every write a run makes to the job's sync state, index and deletions that stick is fenced by the run.
@Suite("Fenced late writes of abandoned runs")
struct RunFenceTests {
    static func startedRun(_ app: Application, job: UUID) async throws -> JobRun {
        let run = JobRun(jobID: job, trigger: .manual, mode: .sync, status: .running, scheduledFor: nil, queuedAt: Date())
        run.startedAt = Date()
        try await run.create(on: app.db)
        return run
    }

    static func checkpoint(_ token: String, copies: [String]) -> SyncCheckpoint {
        SyncCheckpoint(syncToken: token, index: copies.map { CopyIndexEntry(sourceEventID: $0, destinationEventID: "copy-of-\($0)", syncID: $0, contentHash: "h") })
    }

    @Test("a timed-out run's late writes (and its own later reads) are refused, whether its own executor abandoned it or another process recorded its end; the next run's state is intact",
          arguments: TestDatabase.all)
    func lateWritesRefused(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let setup = try await NotificationFixtures.make(app)
            let job = try #require(try await SyncJob.find(setup.jobID, on: app.db))
            let leg = try #require(job.spec.legs.first)
            let window = (start: Date(), end: Date().addingTimeInterval(86_400))

            // Run A writes its state, then passes its time limit: the executor closes its fence and the run is recorded.
            let runA = try await Self.startedRun(app, job: setup.jobID)
            let contextA = RunContext(runID: try runA.requireID(), jobID: setup.jobID, mode: .sync, trigger: .manual, attempt: 1, timeout: 1)
            let storeA = SyncStateStore(db: app.db, jobID: setup.jobID, leg: leg, fence: contextA.fence)
            try await storeA.replace(with: Self.checkpoint("token-A", copies: ["a1"]), runID: try runA.requireID(), window: window,
                                     fingerprint: "f", reason: .noState, complete: true)
            contextA.fence.close()
            runA.status = .timedOut
            try await runA.save(on: app.db)

            // Run B, the job's next, reconciles and leaves its own state.
            let runB = try await Self.startedRun(app, job: setup.jobID)
            let contextB = RunContext(runID: try runB.requireID(), jobID: setup.jobID, mode: .sync, trigger: .manual, attempt: 1, timeout: 60)
            let storeB = SyncStateStore(db: app.db, jobID: setup.jobID, leg: leg, fence: contextB.fence)
            try await storeB.replace(with: Self.checkpoint("token-B", copies: ["b1", "b2"]), runID: try runB.requireID(), window: window,
                                     fingerprint: "f", reason: .noState, complete: true)

            // A's engine, still going, tries every kind of write: each is refused.
            // A fresh fence for A (another process's view: only the database says A has ended) refuses them too.
            let writers = [storeA, SyncStateStore(db: app.db, jobID: setup.jobID, leg: leg, fence: RunFence(runID: try runA.requireID()))]
            for store in writers {
                await #expect(throws: RunFence.Superseded.self) { try await store.markWriting(runID: try runA.requireID()) }
                await #expect(throws: RunFence.Superseded.self) {
                    try await store.apply(.upsert(CopyIndexEntry(sourceEventID: "late", destinationEventID: "late-copy", syncID: "late", contentHash: "h")))
                }
                await #expect(throws: RunFence.Superseded.self) { try await store.apply(.remove(sourceEventID: "b1")) }
                await #expect(throws: RunFence.Superseded.self) {
                    try await store.finishIncremental(runID: try runA.requireID(), syncToken: "token-A-late", complete: true)
                }
                await #expect(throws: RunFence.Superseded.self) {
                    try await store.replace(with: Self.checkpoint("token-A-late", copies: []), runID: try runA.requireID(), window: window,
                                            fingerprint: "f", reason: .noState, complete: true)
                }
                await #expect(throws: RunFence.Superseded.self) {
                    try await SyncStateStore.forgetLegs(of: setup.jobID, except: [], on: app.db, fence: store.fence)
                }
                let tombstones = TombstoneStore(db: app.db, jobID: setup.jobID, leg: leg, fence: store.fence)
                await #expect(throws: RunFence.Superseded.self) {
                    try await tombstones.add([Tombstone(sourceEventID: "b1", title: "Late", start: Date())])
                }
                await #expect(throws: RunFence.Superseded.self) { try await tombstones.removeAll() }
            }

            // A's own (closed) fence stops its reads as well: the abandoned engine stops using the database at its next step.
            await #expect(throws: RunFence.Superseded.self) { _ = try await storeA.load() }
            await #expect(throws: RunFence.Superseded.self) { _ = try await TombstoneStore(db: app.db, jobID: setup.jobID, leg: leg, fence: contextA.fence).active() }

            let (state, index) = try #require(try await storeB.load())
            #expect(state.syncToken == "token-B" && state.lastRunID == runB.id && state.incompleteRunID == nil)
            #expect(Set(index.keys) == ["b1", "b2"])
            #expect(try await SyncTombstone.query(on: app.db).count() == 0)

            // B, still running, writes on.
            try await storeB.apply(.remove(sourceEventID: "b2"))
            try await storeB.finishIncremental(runID: try runB.requireID(), syncToken: "token-B2", complete: true)
            #expect(try await storeB.load()?.state.syncToken == "token-B2")
            #expect(try await storeB.load()?.index.keys.sorted() == ["b1"])
        }
    }

    @Test("the built-in executor closes a run's fence when the run passes its time limit")
    func executorClosesTheFence() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            await setup.emulator.state.setLatency(.seconds(30))
            let run = try await Self.startedRun(app, job: setup.jobID)
            let context = RunContext(runID: try run.requireID(), jobID: setup.jobID, mode: .sync, trigger: .manual, attempt: 1, timeout: 1)
            let outcome = await setup.executor.execute(context, log: RunLogWriter(runID: try run.requireID(), db: app.db))
            #expect(outcome.status == .timedOut)
            #expect(context.fence.isClosed, "the abandoned work's writes are refused from the moment the run is given up")
            await setup.emulator.state.setLatency(.zero)
        }
    }
}
