import Fluent
import Foundation
@testable import GoogleEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Real-time jobs end to end: the real `syncboard worker` binary on a real PostgreSQL, the Google emulator over
/// HTTP delivering push notifications to the app, and in-process the scheduler with polling.
@Suite("Real-time jobs: push end to end, workers, restarts, polling, quiet checks")
struct RealtimeProcessesTests {
    @Test("two workers keep exactly one channel; a change arrives through push within seconds; a restart keeps the channel and the sync state",
          .timeLimit(.minutes(5)))
    func twoWorkersAndARestart() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await PushWorld.with(on: .postgres) { world in
            let id = try await world.addEvent("Planning")
            let environment = try world.childEnvironment()
            let directory = try TestApp.temporaryDirectory()
            var workers = [try ChildProcess.start(["worker"], environment: environment, directory: directory),
                           try ChildProcess.start(["worker"], environment: environment, directory: directory)]
            do {
                try await eventually("a channel opens on the source") { await world.liveChannels(PushWorld.work).count == 1 }
                let channel = try #require(await world.liveChannels(PushWorld.work).first)
                try await Task.sleep(for: .seconds(4))  // several rounds of both workers' keepers
                #expect(await world.liveChannels(PushWorld.work).count == 1, "exactly one channel with two workers")
                #expect(await world.state.watchChannels().count == 1, "no second channel was ever opened")
                #expect(try await world.activeRows().count == 1)

                // The first run (a full reconciliation) copies what is there.
                let job = try await world.job()
                job.nextRunAt = Date()
                try await job.save(on: world.app.db)
                try await eventually("the first run copies the event") { await world.copies() == ["Planning"] }

                // A change in the source reaches the destination through push: the safety poll is minutes away (checked
                // before the change, since a notification makes the job due at once and so moves its next run).
                try await eventually("the next safety poll is minutes away") {
                    try await world.job().nextRunAt.map { $0 > Date().addingTimeInterval(300) } == true
                }
                try await world.state.changeEvent(calendarID: PushWorld.work, eventID: id, patch: ["summary": "Planning (moved)"])
                try await eventually(timeout: .seconds(30), "the change arrives through push") { await world.copies() == ["Planning (moved)"] }

                // Restart: every worker stops, a new one starts on the same database.
                for worker in workers { worker.signal(SIGTERM) }
                for worker in workers { try await worker.waitForExit(timeout: .seconds(60)) }
                workers = [try ChildProcess.start(["worker"], environment: environment, directory: directory)]
                try await Task.sleep(for: .seconds(3))
                #expect(await world.state.watchChannels().map(\.id) == [channel.id], "the channel survives the restart; none is reopened")
                try await world.state.changeEvent(calendarID: PushWorld.work, eventID: id, patch: ["summary": "Planning (final)"])
                try await eventually(timeout: .seconds(30), "the change after the restart arrives") { await world.copies() == ["Planning (final)"] }
                let runs = try await JobRun.query(on: world.app.db).filter(\.$status == .succeeded).sort(\.$finishedAt).all()
                #expect(runs.last?.syncKind == .incremental, "the sync state survived the restart")
                let newWorker = "-\(workers[0].process.processIdentifier)-"
                try await eventually(timeout: .seconds(45), "the new worker takes the channel over once the old lease expires") {
                    try await world.activeRows().first?.workerID?.contains(newWorker) == true
                }
                #expect(await world.state.watchChannels().count == 1)

                // Paused: the worker stops the channel.
                let paused = try await world.job()
                paused.enabled = false
                try await paused.save(on: world.app.db)
                try await eventually(timeout: .seconds(30), "the channel is stopped") { await world.liveChannels(PushWorld.work).isEmpty }
            } catch {
                for worker in workers where worker.process.isRunning { worker.process.terminate() }
                throw error
            }
            for worker in workers { worker.signal(SIGTERM) }
            for worker in workers { try await worker.waitForExit(timeout: .seconds(60)) }
        }
    }

    @Test("a real-time job created over the API with default settings: its channel opens with its first run, and a change made right after arrives by push within seconds, not at the next channel check",
          .timeLimit(.minutes(3)))
    func firstChangeAfterCreating() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await PushWorld.with(on: .postgres) { world in
            // The world's own job goes: this one is created over the API, as a person or a script would.
            let existing = try await world.job()
            let user = try #require(try await User.find(existing.$user.id, on: world.app.db))
            try await existing.delete(on: world.app.db)
            var environment = try world.childEnvironment()
            environment["SYNCBOARD_PUSH_CHECK_SECONDS"] = nil  // the default: channels are checked every 30 s
            environment["SYNCBOARD_POLL_INTERVAL_MS"] = nil  // the default: 1 s
            let worker = try ChildProcess.start(["worker"], environment: environment, directory: try TestApp.temporaryDirectory())
            do {
                try await eventually("the worker is up") { try await WorkerHeartbeat.query(on: world.app.db).count() > 0 }
                try await Task.sleep(for: .seconds(2))  // its keeper's first check (nothing to watch yet) is behind it
                let token = try await BearerClient.issue(for: user, scope: .readWrite, on: world.app).token
                let body = """
                    {"name": "Work → Family, live", "sourceCalendarId": "\(try world.calendars[PushWorld.work]!.requireID())",
                     "destinationCalendarId": "\(try world.calendars[PushWorld.family]!.requireID())",
                     "transformers": [{"name": "KeepTitle"}], "cadence": {"kind": "realtime"}}
                    """
                let port = try #require(world.app.http.server.shared.localAddress?.port)
                let created = try await LiveHTTP(port: port).api(.POST, "/api/v1/jobs", token: token, json: body)
                #expect(created.status == 201, "\(created.body)")
                try await eventually(timeout: .seconds(30), "the first run ends") {
                    try await JobRun.query(on: world.app.db).filter(\.$status == .succeeded).count() > 0
                }

                // A change made now, before any channel check of the worker's keeper could have opened a channel.
                let changed = ContinuousClock.now
                _ = try await world.addEvent("Made right after")
                try await eventually(timeout: .seconds(15), "the change arrives (by push; the next channel check is up to 30 s away, the safety poll 15 min)") {
                    await world.copies() == ["Made right after"]
                }
                let latency = ContinuousClock.now - changed
                #expect(await world.state.notificationDeliveries().contains { $0.state == "sync" }, "the channel opened and said so")
                #expect(await world.liveChannels(PushWorld.work).count == 1)
                print("first change after creating a real-time job arrived in \(latency)")
            } catch {
                if worker.process.isRunning { worker.process.terminate() }
                throw error
            }
            worker.signal(SIGTERM)
            try await worker.waitForExit(timeout: .seconds(60))
        }
    }

    /// The app's scheduler and channel keeper in this process, with a short polling interval.
    static func withScheduler(_ world: PushWorld, realtimeInterval: TimeInterval, _ body: () async throws -> Void) async throws {
        world.app.syncboard.nextRun = { job, date in job.nextRun(after: date, realtimeInterval: realtimeInterval) }
        var settings = world.app.syncboard.configuration.scheduler
        settings.pollInterval = .milliseconds(100)
        let executor = BuiltinRunExecutor(db: world.app.db, configuration: world.app.syncboard.configuration, vault: world.app.syncboard.vault,
                                          google: world.app.syncboard.google)
        let scheduler = Scheduler(db: world.app.db, isPostgres: world.isPostgres, settings: settings, workerID: "in-process", executor: executor,
                                  nextRun: world.app.syncboard.nextRun, logger: world.app.logger)
        let keeper = try world.keeper("in-process")
        let loops = [Task { await scheduler.run() }, Task { await keeper.run() }]
        do { try await body() } catch {
            loops.forEach { $0.cancel() }
            await scheduler.shutdown()
            throw error
        }
        loops.forEach { $0.cancel() }
        await scheduler.shutdown()
    }

    @Test("a dropped notification is caught by the polling interval; checks with nothing to do are counted, not listed; the job page says how it is kept in step")
    func droppedNotificationAndQuietChecks() async throws {
        try await PushWorld.with { world in
            let id = try await world.addEvent("Planning")
            let job = try await world.job()
            job.nextRunAt = Date()
            try await job.save(on: world.app.db)
            try await Self.withScheduler(world, realtimeInterval: 3) {
                try await eventually("the first run copies the event") { await world.copies() == ["Planning"] }
                try await eventually("the channel is open") { !(await world.liveChannels(PushWorld.work).isEmpty) }

                // The next notification never arrives: the check at the interval finds the change anyway.
                await world.state.setNotificationFaults(NotificationFaults(drop: 1))
                try await world.state.changeEvent(calendarID: PushWorld.work, eventID: id, patch: ["summary": "Planning (moved)"])
                try await eventually(timeout: .seconds(30), "the polling interval catches the lost change") {
                    await world.copies() == ["Planning (moved)"]
                }
                #expect(await world.state.notificationDeliveries().contains { $0.dropped && $0.state == "exists" })

                // Checks with nothing to do: counted on the job, not added to the history. Only ended runs are counted:
                // a check under way has a row until it is found quiet and removed.
                func ended() async throws -> Int { try await JobRun.query(on: world.app.db).filter(\.$status !~ JobRun.Status.active).count() }
                try await eventually("the run that copied the change has ended") {
                    try await JobRun.query(on: world.app.db).filter(\.$status ~~ JobRun.Status.active).count() == 0
                }
                let listed = try await ended()
                let quietBefore = try await world.job().quietChecks
                try await eventually(timeout: .seconds(30), "two quiet checks") { try await world.job().quietChecks >= quietBefore + 2 }
                #expect(try await ended() == listed, "quiet checks are not listed as runs")
                #expect(try await world.job().lastQuietCheckAt != nil)
                #expect(try await TelemetryEvent.query(on: world.app.db).count() == listed, "nor counted in the insights")

                var configuration = world.app.syncboard.configuration
                let status = try await JobSyncStatus.load(job: try await world.job(), configuration: configuration, on: world.app.db)
                #expect(status.keptInStep?.hasPrefix("Push notifications from Google; the channel renews") == true && status.channelRenewsAt != nil)
                #expect(status.lastFull?.reason == "no sync state yet" && status.nextFullBy != nil && status.quietChecks >= 2)
                configuration.push.mode = .off
                let polled = try await JobSyncStatus.load(job: try await world.job(), configuration: configuration, on: world.app.db)
                #expect(polled.keptInStep?.hasPrefix("Checked every minute") == true)
            }
        }
    }
}
