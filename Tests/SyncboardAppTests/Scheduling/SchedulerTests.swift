import Fluent
import Foundation
import Logging
import Testing
import Vapor
@testable import SyncboardApp

@Suite("Scheduler: claiming, catch-up, retries, cancel, shutdown, retention, recovery")
struct SchedulerTests {
    static let hourly: @Sendable (SyncJob, Date) -> Date? = { _, after in after.addingTimeInterval(3600) }

    static func settings(_ change: (inout SchedulerSettings) -> Void = { _ in }) -> SchedulerSettings {
        var settings = SchedulerSettings()
        settings.pollInterval = .milliseconds(20)
        settings.leaseDuration = 30
        settings.retryBaseDelay = 60
        change(&settings)
        return settings
    }

    static func scheduler(_ app: Application, executor: any RunExecutor, settings: SchedulerSettings = settings(),
                          workerID: String = "test-worker") -> Scheduler {
        Scheduler(db: app.db, isPostgres: app.syncboard.configuration.database.isPostgres, settings: settings,
                  workerID: workerID, executor: executor, nextRun: hourly, logger: Logger(label: "test"))
    }

    /// A user with two accounts, a calendar each.
    static func world(_ db: any Database) async throws -> (User, LinkedCalendar, LinkedCalendar) {
        let user = try await Fixtures.user(db)
        let a = try await Fixtures.account(db, user: user)
        let b = try await Fixtures.account(db, user: user)
        return (user, try await Fixtures.calendar(db, account: a), try await Fixtures.calendar(db, account: b))
    }

    /// Returns as soon as the scheduler has no active run; the deadline only bounds a hang (a busy machine is slow).
    static func waitUntilIdle(_ scheduler: Scheduler, timeout: Duration = .seconds(60)) async throws {
        try await eventually(timeout: timeout, every: .milliseconds(20), "the scheduler's runs finish") {
            await scheduler.activeRunCount == 0
        }
    }

    @Test("a due job runs once, records its outcome and log, and its next run moves on", arguments: TestDatabase.all)
    func dueJobRunsOnce(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            let due = Date().addingTimeInterval(-5)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: due)
            let executor = FakeExecutor()
            let scheduler = Self.scheduler(app, executor: executor)
            await scheduler.tick()
            try await Self.waitUntilIdle(scheduler)
            await scheduler.tick()
            try await Self.waitUntilIdle(scheduler)

            #expect(executor.callCount == 1)
            let runs = try await JobRun.query(on: app.db).filter(\.$job.$id == jobID).all()
            let run = try #require(runs.first)
            #expect(runs.count == 1)
            #expect(run.status == .succeeded)
            #expect(run.trigger == .scheduled)
            #expect(run.engine == "noop")
            #expect(run.createdCount == 1)
            #expect(run.logLineCount == 1)
            #expect(abs((run.scheduledFor ?? .distantPast).timeIntervalSince(due)) < 0.01)
            #expect(run.leaseExpiresAt == nil && run.finishedAt != nil && run.durationMilliseconds != nil)
            let lines = try await RunLogLine.query(on: app.db).filter(\.$run.$id == run.requireID()).all()
            #expect(lines.map(\.text) == ["fake engine: running sync"])
            let job = try #require(try await SyncJob.find(jobID, on: app.db))
            #expect(try #require(job.nextRunAt) > Date().addingTimeInterval(3000))
        }
    }

    @Test("after downtime a job that missed several runs runs once, as a catch-up", arguments: TestDatabase.all)
    func catchUp(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination,
                                               nextRunAt: Date().addingTimeInterval(-3 * 3600 - 60))
            let executor = FakeExecutor()
            let scheduler = Self.scheduler(app, executor: executor)
            for _ in 0..<3 {
                await scheduler.tick()
                try await Self.waitUntilIdle(scheduler)
            }
            let runs = try await JobRun.query(on: app.db).filter(\.$job.$id == jobID).all()
            #expect(runs.count == 1)
            #expect(runs.first?.trigger == .catchUp)
            let next = try #require(try await SyncJob.find(jobID, on: app.db)?.nextRunAt)
            #expect(next > Date(), "the schedule continues from now, missed slots are not replayed")
        }
    }

    @Test("a transient failure is retried with backoff; one that needs the user is not", arguments: TestDatabase.all)
    func retryClassification(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            let transientJob = try await Fixtures.job(app.db, user: user, source: source, destination: destination,
                                                      name: "transient", nextRunAt: Date().addingTimeInterval(-1))
            let executor = FakeExecutor { run in
                run.jobID == transientJob
                    ? .failed(engine: .noop, "Google answered 503", class: .transient)
                    : RunOutcome(status: .needsReconnect, engine: .noop, errorSummary: "Reconnect b@example.com",
                                 failureClass: .reconnect, reconnectAccountID: UUID())
            }
            let settings = Self.settings { $0.maxAttempts = 2; $0.retryBaseDelay = 30; $0.allowConcurrentRunsPerAccount = true; $0.workerConcurrency = 2 }
            let scheduler = Self.scheduler(app, executor: executor, settings: settings)
            let userJob = try await Fixtures.job(app.db, user: user, source: destination, destination: source,
                                                 name: "needs user", nextRunAt: Date().addingTimeInterval(-1))
            await scheduler.tick()
            try await Self.waitUntilIdle(scheduler)

            let queued = try #require(try await JobRun.query(on: app.db).filter(\.$job.$id == transientJob).filter(\.$status == .queued).first())
            #expect(queued.trigger == .retry)
            #expect(queued.attempt == 2)
            let failed = try #require(try await JobRun.query(on: app.db).filter(\.$job.$id == transientJob).filter(\.$status == .failed).first())
            #expect(try #require(queued.scheduledFor).timeIntervalSince(try #require(failed.finishedAt)) > 29, "the retry waits for its backoff")
            #expect(try await JobRun.query(on: app.db).filter(\.$job.$id == userJob).count() == 1, "no retry when the user must act")
            let userJobRow = try #require(try await SyncJob.find(userJob, on: app.db))
            #expect(userJobRow.statusReason == "Reconnect b@example.com")
            #expect(userJobRow.consecutiveFailures == 1)

            // The retry runs once its backoff has passed (moved to now here); it is the last attempt, so no third one is queued.
            queued.scheduledFor = Date().addingTimeInterval(-1)
            try await queued.save(on: app.db)
            await scheduler.tick()
            try await Self.waitUntilIdle(scheduler)
            let attempts = try await JobRun.query(on: app.db).filter(\.$job.$id == transientJob).sort(\.$attempt).all()
            #expect(attempts.map(\.attempt) == [1, 2])
            #expect(attempts.allSatisfy { $0.status == .failed && $0.failureClass == .transient })
        }
    }

    @Test("run now is refused while a run is active; cancel stops a running run", arguments: TestDatabase.all)
    func runNowAndCancel(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: nil)
            let control = RunControl(db: app.db)
            let queued = try await control.runNow(jobID: jobID, mode: .dryRun)
            await #expect(throws: RunControl.Refusal.alreadyActive(runID: try queued.requireID())) {
                _ = try await control.runNow(jobID: jobID, mode: .sync)
            }
            let scheduler = Self.scheduler(app, executor: FakeExecutor(duration: .seconds(30)))
            await scheduler.tick()
            #expect(await scheduler.activeRunCount == 1)
            let running = try #require(try await JobRun.find(queued.requireID(), on: app.db))
            #expect(running.status == .running && running.mode == .dryRun && running.trigger == .manual)

            _ = try await control.cancel(runID: try queued.requireID())
            try await Self.waitUntilIdle(scheduler, timeout: .seconds(30))
            let cancelled = try #require(try await JobRun.find(queued.requireID(), on: app.db))
            #expect(cancelled.status == .cancelled)
            await #expect(throws: RunControl.Refusal.notActive) { _ = try await control.cancel(runID: try queued.requireID()) }
        }
    }

    @Test("shutdown lets short runs finish and marks runs that outlast the grace period interrupted", arguments: TestDatabase.all)
    func shutdown(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: Date().addingTimeInterval(-1))
            // Recording the interruption gets 20 s, not the default 5: on a loaded machine PostgreSQL took longer, and the
            // run was left for lease recovery (correct for a process, but not what this test looks at).
            let scheduler = Self.scheduler(app, executor: FakeExecutor(duration: .seconds(120)), settings: Self.settings {
                $0.shutdownGracePeriod = .milliseconds(200)
                $0.shutdownRecordTime = .seconds(20)
            })
            await scheduler.tick()
            let started = ContinuousClock.now
            await scheduler.shutdown()
            // The grace period is 0.2 s (and 20 s to record) and the run would take 120 s: the bound lies between.
            #expect(ContinuousClock.now - started < .seconds(60))
            let run = try #require(try await JobRun.query(on: app.db).filter(\.$job.$id == jobID).first())
            #expect(run.status == .interrupted)
            #expect(run.errorSummary?.contains("shutting down") == true)
            // After shutdown nothing new is claimed.
            try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "later", nextRunAt: Date().addingTimeInterval(-1))
            await scheduler.tick()
            #expect(await scheduler.activeRunCount == 0)
        }
    }

    @Test("retention keeps the newest runs of each job and deletes older runs with their logs", arguments: TestDatabase.all)
    func retention(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: nil)
            let start = Date().addingTimeInterval(-10_000)
            for index in 0..<10 {
                let run = JobRun(jobID: jobID, trigger: .scheduled, mode: .sync, status: .succeeded, scheduledFor: nil,
                                 queuedAt: start.addingTimeInterval(Double(index) * 60))
                try await run.create(on: app.db)
                try await RunLogLine(runID: try run.requireID(), seq: 0, stream: .stdout, loggedAt: Date(), text: "run \(index)").create(on: app.db)
            }
            #expect(try await RunRetention(db: app.db, keep: 3).prune() == 7)
            let kept = try await JobRun.query(on: app.db).sort(\.$queuedAt).all()
            #expect(kept.count == 3)
            #expect(try await RunLogLine.query(on: app.db).sort(\.$text).all(\.$text) == ["run 7", "run 8", "run 9"])
        }
    }

    @Test("a run whose worker died is marked abandoned and its job runs again", arguments: TestDatabase.all)
    func crashRecovery(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: Date().addingTimeInterval(3600))
            let dead = JobRun(jobID: jobID, trigger: .scheduled, mode: .sync, status: .running, scheduledFor: Date(), queuedAt: Date())
            dead.workerID = "dead-worker"
            dead.startedAt = Date().addingTimeInterval(-120)
            dead.leaseExpiresAt = Date().addingTimeInterval(-1)
            try await dead.create(on: app.db)

            let executor = FakeExecutor()
            let scheduler = Self.scheduler(app, executor: executor)
            await scheduler.tick()
            try await Self.waitUntilIdle(scheduler)
            let runs = try await JobRun.query(on: app.db).filter(\.$job.$id == jobID).sort(\.$queuedAt).all()
            #expect(runs.map(\.status) == [.abandoned, .succeeded])
            #expect(runs.last?.trigger == .recovery)
            #expect(runs.first?.errorSummary?.contains("dead-worker") == true)
        }
    }

    @Test("two workers ticking at once never run a job twice; with SYNCBOARD_CONCURRENT_RUNS_PER_ACCOUNT=false runs on one account take turns", arguments: TestDatabase.all)
    func twoWorkers(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            for index in 0..<4 {
                try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "job \(index)",
                                       nextRunAt: Date().addingTimeInterval(-1))
            }
            // Runs long enough that two on one account would overlap however slowly this machine claims them.
            let executor = FakeExecutor(duration: .milliseconds(300))
            let settings = Self.settings { $0.workerConcurrency = 4; $0.allowConcurrentRunsPerAccount = false }
            let a = Self.scheduler(app, executor: executor, settings: settings, workerID: "a")
            let b = Self.scheduler(app, executor: executor, settings: settings, workerID: "b")
            async let tickA: Void = a.tick()
            async let tickB: Void = b.tick()
            _ = await (tickA, tickB)
            // All four jobs share the same two accounts: only one may run at a time. (Its run may have ended already
            // on a loaded machine, so "at most one" here; the executor's peak below says "never two".)
            #expect(await a.activeRunCount + b.activeRunCount <= 1)
            // Tick both until every job has run once.
            try await eventually(every: .milliseconds(30), "every job has run once") {
                if try await JobRun.query(on: app.db).filter(\.$status == .succeeded).count() >= 4 { return true }
                await a.tick(); await b.tick()
                return false
            }
            try await Self.waitUntilIdle(a)
            try await Self.waitUntilIdle(b)
            let runs = try await JobRun.query(on: app.db).all()
            #expect(runs.count == 4)
            #expect(Set(runs.map { $0.$job.id }).count == 4, "each job ran exactly once")
            #expect(runs.allSatisfy { $0.status == .succeeded })
            #expect(executor.peakConcurrency == 1, "runs on one account overlapped")
        }
    }

    @Test("with the default settings four workers claim side by side, each due job once, a wave in few claims", arguments: TestDatabase.all)
    func workersClaimSideBySide(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await Self.world(app.db)
            for index in 0..<40 {
                try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "job \(index)",
                                       nextRunAt: Date().addingTimeInterval(-1))
            }
            let executor = FakeExecutor(duration: .milliseconds(20))
            let settings = Self.settings { $0.workerConcurrency = 16 }
            #expect(!RunClaimer(db: app.db, isPostgres: true, workerID: "x", settings: settings, nextRun: Self.hourly).needsOnePicture,
                    "the defaults need no lock shared by every claim")
            let workers = (0..<4).map { Self.scheduler(app, executor: executor, settings: settings, workerID: "w\($0)") }
            // All four claim at the same moment, as often as it takes; a job must never get a second run.
            try await eventually(every: .milliseconds(30), "every job has run once") {
                if try await JobRun.query(on: app.db).filter(\.$status == .succeeded).count() >= 40 { return true }
                await withTaskGroup(of: Void.self) { group in
                    for worker in workers { group.addTask { await worker.tick() } }
                }
                return false
            }
            for worker in workers { try await Self.waitUntilIdle(worker) }
            let runs = try await JobRun.query(on: app.db).all()
            #expect(runs.count == 40, "one run a job: \(runs.count)")
            #expect(Set(runs.map { $0.$job.id }).count == 40)
            #expect(runs.allSatisfy { $0.status == .succeeded && $0.trigger == .scheduled && $0.scheduledFor != nil })
            // Each claimed job's next run moved on and its push was forgotten, in the claim's one update.
            let jobs = try await SyncJob.query(on: app.db).all()
            #expect(jobs.allSatisfy { ($0.nextRunAt ?? .distantPast) > Date() && $0.pushedAt == nil })
            // Several workers took part (no lock made them take turns one claim at a time).
            #expect(Set(runs.compactMap(\.workerID)).count >= 2, "workers: \(Set(runs.compactMap(\.workerID)))")
        }
    }
}
