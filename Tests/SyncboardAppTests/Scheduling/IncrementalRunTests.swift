import AsyncHTTPClient
import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// The built-in engine's sync state in the app: stored per job, incremental runs while it is valid, and a full
/// reconciliation (with its reason recorded) whenever it is not.
@Suite("Built-in engine in the app: sync state and incremental runs")
struct IncrementalRunTests {
    typealias Setup = BuiltinRunExecutorTests.Setup
    static let family = BuiltinRunExecutorTests.family

    static func run(_ setup: Setup, _ app: Application, mode: JobRun.Mode = .sync) async throws -> (RunOutcome, [String]) {
        try await BuiltinRunExecutorTests.execute(setup, app: app, mode: mode)
    }

    static func calendarCalls(_ setup: Setup) async -> [LoggedRequest] { await setup.emulator.state.requests(pathPrefix: "/calendar/v3/") }

    static func copies(_ setup: Setup) async -> [String] {
        await setup.emulator.state.storedEvents(calendarID: family).filter { $0["status"] != "cancelled" }.compactMap { $0["summary"]?.string }.sorted()
    }

    static func state(_ app: Application) async throws -> SyncState { try #require(try await SyncState.query(on: app.db).first()) }

    @Test("no state → full; then incremental at one API call; the state survives a new executor on the same database; each run says what it was")
    func lifecycle() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            let state = setup.emulator.state
            try await BuiltinRunExecutorTests.addEvent(state, "Planning", inDays: 1)
            try await BuiltinRunExecutorTests.addEvent(state, "Review", inDays: 2)
            let (first, firstLog) = try await Self.run(setup, app)
            #expect(first.status == .succeeded && first.created == 2 && first.syncKind == .full && first.syncReason == "no_state", "\(firstLog)")
            #expect(firstLog.contains("Full reconciliation: no sync state yet."))
            #expect(try await SyncCopy.query(on: app.db).count() == 2)

            await state.clearRequestLog()
            let (quiet, _) = try await Self.run(setup, app)
            #expect(quiet == RunOutcome(status: .succeeded, engine: .builtin, created: 0, updated: 0, deleted: 0, syncKind: .incremental))
            #expect(await Self.calendarCalls(setup).count == 1, "a run with no change is one Calendar API call")

            // A restart: a new executor (as a new process would build) on the same database.
            let restarted = try #require(EngineSelection.executor(for: app.syncboard.configuration, db: app.db, vault: app.syncboard.vault,
                                                                  google: app.syncboard.google) as? BuiltinRunExecutor)
            let fresh = Setup(emulator: setup.emulator, executor: restarted, jobID: setup.jobID, destinationAccount: setup.destinationAccount)
            try await BuiltinRunExecutorTests.addEvent(state, "Retro", inDays: 3)
            await state.clearRequestLog()
            let (incremental, _) = try await Self.run(fresh, app)
            #expect(incremental.syncKind == .incremental && incremental.created == 1)
            #expect(await Self.calendarCalls(setup).count == 2, "the listing of changes and the one insert")
            #expect(await Self.copies(setup) == ["[Work] Planning", "[Work] Retro", "[Work] Review"])

            // The recorder keeps what the run was; the run page shows it.
            let record = JobRun(jobID: setup.jobID, trigger: .manual, mode: .sync, status: .running, scheduledFor: nil, queuedAt: Date())
            record.workerID = "w"
            try await record.create(on: app.db)
            let recorder = RunRecorder(db: app.db, workerID: "w", settings: app.syncboard.configuration.scheduler)
            var outcome = incremental
            outcome.syncKind = .full
            outcome.syncReason = "window_moved"
            #expect(try await recorder.finish(runID: try record.requireID(), outcome: outcome, log: (0, 0)))
            let stored = try #require(try await JobRun.find(try record.requireID(), on: app.db))
            #expect(stored.syncKind == .full && stored.syncReason == "window_moved")
            #expect(RunPage.syncLabel(.full, reason: stored.syncReason) == "Full reconciliation: the sync window moved")
            #expect(RunPage.syncLabel(.incremental, reason: nil).hasPrefix("Incremental"))
        }
    }

    @Test("a changed rule, a moved window, the safety-net period and a stale token each bring a full reconciliation with the right result")
    func fullReasons() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            let emulator = setup.emulator.state
            try await BuiltinRunExecutorTests.addEvent(emulator, "Planning", inDays: 1)
            _ = try await Self.run(setup, app)
            #expect(try await Self.run(setup, app).0.syncKind == .incremental)

            // The job's rules change: the prefix changes every copy.
            let job = try #require(try await SyncJob.find(setup.jobID, on: app.db))
            job.transformers = [ConfiguredStep(name: "KeepTitle"), ConfiguredStep(name: "PrefixTitle", parameters: ["Prefix": .string("[Office] ")])]
            try await job.save(on: app.db)
            let (ruled, _) = try await Self.run(setup, app)
            #expect(ruled.syncKind == .full && ruled.syncReason == "definition_changed" && ruled.updated == 1)
            #expect(await Self.copies(setup) == ["[Office] Planning"])

            // The state was built for last month's window: the window has moved since.
            let moved = try await Self.state(app)
            moved.windowStart = moved.windowStart.addingTimeInterval(-31 * 86_400)
            try await moved.save(on: app.db)
            #expect(try await Self.run(setup, app).0.syncReason == "window_moved")
            #expect(try await Self.run(setup, app).0.syncKind == .incremental, "the new bounds are stored")

            // The last full reconciliation was more than a day ago.
            let old = try await Self.state(app)
            old.lastFullAt = Date().addingTimeInterval(-25 * 3_600)
            try await old.save(on: app.db)
            #expect(try await Self.run(setup, app).0.syncReason == "safety_net")

            // Google no longer takes the token (410), through the emulator's control API.
            try await BuiltinRunExecutorTests.addEvent(emulator, "Review", inDays: 2)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            var invalidate = HTTPClientRequest(url: setup.emulator.baseURL + "/emulator/calendars/\(BuiltinRunExecutorTests.work)/invalidate-sync-tokens")
            invalidate.method = .POST
            let answer = try await http.execute(invalidate, timeout: .seconds(30))
            try await http.shutdown()
            #expect(answer.status == .noContent)
            let (gone, goneLog) = try await Self.run(setup, app)
            #expect(gone.syncKind == .full && gone.syncReason == "sync_token_expired" && gone.created == 1, "\(goneLog)")
            #expect(await Self.copies(setup) == ["[Office] Planning", "[Office] Review"])
            #expect(try await Self.run(setup, app).0.syncKind == .incremental)
        }
    }

    @Test("a run that fails part-way is followed by a full reconciliation that completes it")
    func partWayFailure() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            let emulator = setup.emulator.state
            try await BuiltinRunExecutorTests.addEvent(emulator, "Planning", inDays: 1)
            _ = try await Self.run(setup, app)
            try await BuiltinRunExecutorTests.addEvent(emulator, "Review", inDays: 2)
            try await BuiltinRunExecutorTests.addEvent(emulator, "Retro", inDays: 3)
            await emulator.injectFault(Fault(status: 400, reason: "invalid", count: 1, method: "POST"))
            let (failed, _) = try await Self.run(setup, app)
            #expect(failed.status == .failed && failed.syncKind == .incremental && failed.created == 1)
            let (repaired, _) = try await Self.run(setup, app)
            #expect(repaired.syncKind == .full && repaired.syncReason == "previous_run_incomplete" && repaired.created == 1)
            #expect(await Self.copies(setup) == ["[Work] Planning", "[Work] Retro", "[Work] Review"])
            #expect(try await Self.run(setup, app).0.syncKind == .incremental)
        }
    }

    @Test("after a CalendarSync run or a clean-up the next run reconciles in full, without duplicates; a dry run leaves the state alone")
    func otherEngine() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            let emulator = setup.emulator.state
            try await BuiltinRunExecutorTests.addEvent(emulator, "Planning", inDays: 1)
            _ = try await Self.run(setup, app)
            let token = try await Self.state(app).syncToken

            let (dry, _) = try await Self.run(setup, app, mode: .dryRun)
            let tokenAfterDryRun = try await Self.state(app).syncToken
            #expect(dry.syncKind == nil && tokenAfterDryRun == token, "a dry run does not touch the state")

            // The CLI ran the job: it copied a new event, with CalendarSync's metadata and no index entry.
            try await BuiltinRunExecutorTests.addEvent(emulator, "Review", inDays: 2)
            let review = try #require(await emulator.storedEvents(calendarID: BuiltinRunExecutorTests.work).first { $0["summary"] == "Review" })
            let hash = try #require(await emulator.storedEvents(calendarID: Self.family).first?["extendedProperties"]?["private"]?["inovex.calendarsync.SourceID"])
            try await emulator.addEvent(calendarID: Self.family, ["summary": "[Work] Review", "start": review["start"]!, "end": review["end"]!,
                                                                 "extendedProperties": ["private": [
                                                                    "inovex.calendarsync.EventID": .string(String(SyncMetadata.fnv1(review["id"]!.string!))),
                                                                    "inovex.calendarsync.OriginalEventUri": review["htmlLink"]!, "inovex.calendarsync.SourceID": hash]]])
            let cli = JobRun(jobID: setup.jobID, trigger: .manual, mode: .sync, status: .succeeded, scheduledFor: nil, queuedAt: Date())
            cli.engine = "calendarsync"
            cli.startedAt = Date()
            try await cli.create(on: app.db)
            let (after, _) = try await Self.run(setup, app)
            #expect(after.syncKind == .full && after.syncReason == "other_run" && after.created == 0)
            #expect(await Self.copies(setup) == ["[Work] Planning", "[Work] Review"], "no duplicate of the CLI's copy")
            #expect(try await SyncCopy.query(on: app.db).count() == 2, "the CLI's copy is in the index now")

            // A clean-up deletes the copies behind the index's back.
            let (cleaned, _) = try await Self.runStarted(setup, app, mode: .clean)
            #expect(cleaned.deleted == 2 && cleaned.syncKind == nil)
            let (resync, _) = try await Self.run(setup, app)
            #expect(resync.syncReason == "other_run" && resync.created == 2)
            #expect(await Self.copies(setup) == ["[Work] Planning", "[Work] Review"])
        }
    }

    /// A run with its start recorded, as the scheduler records it.
    static func runStarted(_ setup: Setup, _ app: Application, mode: JobRun.Mode) async throws -> (RunOutcome, [String]) {
        let run = JobRun(jobID: setup.jobID, trigger: .manual, mode: mode, status: .running, scheduledFor: nil, queuedAt: Date())
        run.startedAt = Date()
        try await run.create(on: app.db)
        let runID = try run.requireID()
        let log = RunLogWriter(runID: runID, db: app.db)
        let outcome = await setup.executor.execute(RunContext(runID: runID, jobID: setup.jobID, mode: mode, trigger: .manual, attempt: 1, timeout: 60), log: log)
        _ = await log.finish()
        run.status = outcome.status
        try await run.save(on: app.db)
        return (outcome, [])
    }
}
