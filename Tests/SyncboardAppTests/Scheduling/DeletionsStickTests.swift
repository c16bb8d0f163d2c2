import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
import VaporTesting
@testable import SyncboardApp

/// Deletions that stick in the app: a copy the user deletes in the destination (through the emulator) is not made
/// again by incremental or full runs; the job page lists it with a Restore button (POST with CSRF) that brings it
/// back with the run it queues; with the option off, the copy comes back as with CalendarSync.
@Suite("Built-in engine in the app: deletions that stick")
struct DeletionsStickTests {
    typealias Setup = BuiltinRunExecutorTests.Setup
    static let work = BuiltinRunExecutorTests.work
    static let family = BuiltinRunExecutorTests.family

    static func copies(_ setup: Setup) async -> [String] { await IncrementalRunTests.copies(setup) }

    static func deleteCopy(_ setup: Setup, _ title: String) async throws {
        let copy = try #require(await setup.emulator.state.storedEvents(calendarID: family)
            .first { $0["status"] != "cancelled" && $0["summary"]?.string == title })
        try await setup.emulator.state.removeEvent(calendarID: family, eventID: copy["id"]!.string!)
    }

    static func addEvent(_ setup: Setup, _ summary: String, inDays days: Double) async throws -> String {
        let start = Date().addingTimeInterval(days * 86_400)
        let event = try await setup.emulator.state.addEvent(calendarID: work, [
            "summary": .string(summary), "start": ["dateTime": .string(start.formatted(.iso8601))],
            "end": ["dateTime": .string(start.addingTimeInterval(3_600).formatted(.iso8601))]])
        return event["id"]!.string!
    }

    /// The next run is a full reconciliation: the safety net is due.
    static func makeFullDue(_ app: Application) async throws {
        let state = try await IncrementalRunTests.state(app)
        state.lastFullAt = Date(timeIntervalSince1970: 0)
        try await state.save(on: app.db)
    }

    static func setOption(_ app: Application, _ setup: Setup, _ on: Bool) async throws {
        let job = try #require(try await SyncJob.find(setup.jobID, on: app.db))
        job.deletionsStick = on
        try await job.save(on: app.db)
    }

    /// Executes the run the Restore button queued (as a worker would claim it).
    static func executeQueued(_ setup: Setup, _ app: Application) async throws -> RunOutcome {
        let run = try #require(try await JobRun.query(on: app.db).filter(\.$job.$id == setup.jobID).filter(\.$status == .queued).first())
        run.status = .running
        run.startedAt = Date()
        try await run.save(on: app.db)
        let log = RunLogWriter(runID: try run.requireID(), db: app.db)
        let outcome = await setup.executor.execute(RunContext(runID: try run.requireID(), jobID: setup.jobID, mode: .sync, trigger: .manual,
                                                              attempt: 1, timeout: 60), log: log)
        _ = await log.finish()
        run.status = outcome.status
        try await run.save(on: app.db)
        return outcome
    }

    @Test("a deleted copy stays deleted through incremental and full runs; the job page lists it; Restore brings it back")
    func sticksAndRestores() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            try await Self.setOption(app, setup, true)
            let planning = try await Self.addEvent(setup, "Planning", inDays: 1)
            _ = try await Self.addEvent(setup, "Review", inDays: 2)
            let (first, _) = try await IncrementalRunTests.run(setup, app)
            #expect(first.created == 2 && first.syncKind == .full)

            try await Self.deleteCopy(setup, "[Work] Planning")
            let (quiet, _) = try await IncrementalRunTests.run(setup, app)
            #expect(quiet.syncKind == .incremental && quiet.created == 0)

            // An edit of the original: incremental, and the deleted copy is not rewritten back to life.
            _ = try await setup.emulator.state.changeEvent(calendarID: Self.work, eventID: planning, patch: ["summary": "Planning (moved)"])
            let (edited, editedLog) = try await IncrementalRunTests.run(setup, app)
            #expect(edited.syncKind == .incremental && edited.updated == 0 && edited.created == 0, "\(editedLog)")
            #expect(editedLog.contains { $0.contains("keeping “Planning (moved)” deleted") })
            #expect(await Self.copies(setup) == ["[Work] Review"])
            #expect(try await SyncTombstone.query(on: app.db).all().map(\.title) == ["Planning (moved)"])

            // A full reconciliation does not make it again either.
            try await Self.makeFullDue(app)
            let (full, _) = try await IncrementalRunTests.run(setup, app)
            #expect(full.syncKind == .full && full.syncReason == "safety_net" && full.created == 0)
            #expect(await Self.copies(setup) == ["[Work] Review"])

            // The job page lists it with a Restore form carrying the CSRF token.
            let job = try #require(try await SyncJob.find(setup.jobID, on: app.db))
            let user = try #require(try await User.find(job.$user.id, on: app.db))
            let client = try await SignedInClient.signIn(user, on: app)
            let tombstone = try #require(try await SyncTombstone.query(on: app.db).first())
            let page = try await client.get("/jobs/\(setup.jobID.uuidString)").body.string
            #expect(page.contains("Copies you deleted (1)") && page.contains("Planning (moved)"))
            let action = "/jobs/\(setup.jobID.uuidString)/deleted-copies/\(try tombstone.requireID().uuidString)/restore"
            #expect(page.contains(#"<form method="post" action="\#(action)"><input type="hidden" name="\#(CSRFProtection.formField)" value="\#(client.csrf)"/>"#))
            #expect(page.contains(#"aria-label="Restore the copy of Planning (moved)""#))

            #expect(try await client.post(action, withCSRF: false).status == .forbidden, "no restore without the CSRF token")
            #expect(try await SyncTombstone.query(on: app.db).filter(\.$restoredAt != nil).count() == 0)
            let restored = try await client.post(action)
            #expect(restored.status == .seeOther && restored.headers.first(name: .location) == "/jobs/\(setup.jobID.uuidString)?notice=copy-restored")
            let outcome = try await Self.executeQueued(setup, app)
            #expect(outcome.syncKind == .full && outcome.syncReason == "restored" && outcome.created == 1)
            #expect(await Self.copies(setup) == ["[Work] Planning (moved)", "[Work] Review"])
            #expect(try await SyncTombstone.query(on: app.db).count() == 0)
            #expect(try await client.post(action).status == .notFound, "a restored copy cannot be restored twice")
        }
    }

    @Test("a clean-up's deletions are not taken for the user's: the next run makes the copies again")
    func cleanUpIsNotTheUser() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            try await Self.setOption(app, setup, true)
            _ = try await Self.addEvent(setup, "Planning", inDays: 1)
            _ = try await IncrementalRunTests.run(setup, app)
            let (cleaned, _) = try await IncrementalRunTests.runStarted(setup, app, mode: .clean)
            #expect(cleaned.deleted == 1)
            #expect(await Self.copies(setup).isEmpty)
            let (resync, _) = try await IncrementalRunTests.run(setup, app)
            #expect(resync.syncReason == "other_run" && resync.created == 1)
            #expect(await Self.copies(setup) == ["[Work] Planning"])
            #expect(try await SyncTombstone.query(on: app.db).count() == 0)
        }
    }

    @Test("with the option off (the default), a deleted copy is made again by the next full run, as CalendarSync does")
    func offByDefault() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            #expect(try await SyncJob.find(setup.jobID, on: app.db)?.deletionsStick == false)
            _ = try await Self.addEvent(setup, "Planning", inDays: 1)
            _ = try await IncrementalRunTests.run(setup, app)
            try await Self.deleteCopy(setup, "[Work] Planning")
            try await Self.makeFullDue(app)
            let (full, _) = try await IncrementalRunTests.run(setup, app)
            #expect(full.syncKind == .full && full.created == 1)
            #expect(await Self.copies(setup) == ["[Work] Planning"])
            #expect(try await SyncTombstone.query(on: app.db).count() == 0)
        }
    }

    @Test("an original deleted from the source takes its deletion with it: the incremental run forgets the tombstone")
    func originalGoneForgetsTombstone() async throws {
        try await BuiltinRunExecutorTests.withSetup { app, setup in
            try await Self.setOption(app, setup, true)
            let planning = try await Self.addEvent(setup, "Planning", inDays: 1)
            _ = try await IncrementalRunTests.run(setup, app)
            try await Self.deleteCopy(setup, "[Work] Planning")
            // An edit makes the incremental run look at the copy and find it deleted.
            _ = try await setup.emulator.state.changeEvent(calendarID: Self.work, eventID: planning, patch: ["summary": "Planning 2"])
            _ = try await IncrementalRunTests.run(setup, app)
            #expect(try await SyncTombstone.query(on: app.db).count() == 1)
            try await setup.emulator.state.removeEvent(calendarID: Self.work, eventID: planning)
            let (gone, log) = try await IncrementalRunTests.run(setup, app)
            #expect(gone.status == .succeeded && gone.syncKind == .incremental, "\(log)")
            #expect(try await SyncTombstone.query(on: app.db).count() == 0)
        }
    }
}
