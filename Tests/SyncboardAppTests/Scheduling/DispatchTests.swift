import Fluent
import Foundation
import Logging
import Synchronization
import Testing
import Vapor
@testable import SyncboardApp

/// How due runs are dispatched when many are due at once: claimed as soon as there is room (not at the next poll),
/// pushed runs before scheduled ones, by turns between people, and CLI runs within their own lower limit.
@Suite("Dispatch: wake-ups, order under load, the CLI's own limit")
struct DispatchTests {
    @Test("a process claims the next due run as soon as one of its runs ends, not at its next poll", arguments: TestDatabase.all)
    func claimsWhenASlotFrees(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await SchedulerTests.world(app.db)
            for index in 0..<4 {
                try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "Job \(index)", nextRunAt: Date().addingTimeInterval(-5))
            }
            // One run at once, a poll every 60 s: four runs in a row take three polls after the first claim
            // (3 minutes) without the wake-up, and a few hundred milliseconds with it. The bound lies below the
            // first and leaves room for one claim round lost to a loaded database (its retry is the next poll: a
            // 45 s bound failed so once on PostgreSQL in a full local run).
            let settings = SchedulerTests.settings { $0.pollInterval = .seconds(60); $0.workerConcurrency = 1 }
            let executor = FakeExecutor(duration: .milliseconds(50))
            let scheduler = SchedulerTests.scheduler(app, executor: executor, settings: settings)
            let loop = Task { await scheduler.run() }
            defer { loop.cancel() }
            try await eventually(timeout: .seconds(150), every: .milliseconds(50), "four runs dispatched") { executor.callCount >= 4 }
            #expect(executor.callCount == 4, "each ended run woke the scheduler to claim the next")
            try await SchedulerTests.waitUntilIdle(scheduler)
            loop.cancel()
            await scheduler.shutdown()
        }
    }

    @Test("a saved job wakes the process's scheduler at once (the app's wake-up), whatever its poll interval", arguments: TestDatabase.all)
    func wakeUpFromTheApp(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await SchedulerTests.world(app.db)
            let settings = SchedulerTests.settings { $0.pollInterval = .seconds(60) }
            let executor = FakeExecutor()
            let scheduler = Scheduler(db: app.db, isPostgres: app.syncboard.configuration.database.isPostgres, settings: settings, workerID: "w",
                                      executor: executor, nextRun: SchedulerTests.hourly, logger: Logger(label: "test"),
                                      wake: app.syncboard.wakeups.scheduler)
            let loop = Task { await scheduler.run() }
            defer { loop.cancel() }
            try await Task.sleep(for: .milliseconds(300))  // its first (empty) round is behind it
            try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: Date())
            app.syncboard.wakeups.jobsChanged()
            try await eventually(timeout: .seconds(30), every: .milliseconds(50), "the woken scheduler claims the job") { executor.callCount >= 1 }
            #expect(executor.callCount == 1, "claimed on the wake-up, not at the poll 60 s later")
            try await SchedulerTests.waitUntilIdle(scheduler)
            loop.cancel()
            await scheduler.shutdown()
        }
    }

    @Test("under load, pushed runs go first and due jobs are claimed by turns between people; a push is cleared by its claim",
          arguments: TestDatabase.all)
    func orderUnderLoad(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            // Ada has 12 jobs due since long ago; Bob's 2 fell due later; one of Ada's, due latest, was made due by a push.
            func person(_ email: String) async throws -> (User, LinkedCalendar, LinkedCalendar) {
                let user = try await Fixtures.user(app.db, email: email)
                return (user, try await Fixtures.calendar(app.db, account: try await Fixtures.account(app.db, user: user)),
                        try await Fixtures.calendar(app.db, account: try await Fixtures.account(app.db, user: user)))
            }
            let ada = try await person("ada@example.com"), bob = try await person("bob@example.org")
            var adaJobs: [UUID] = []
            for index in 0..<12 {
                adaJobs.append(try await Fixtures.job(app.db, user: ada.0, source: ada.1, destination: ada.2, name: "Ada \(index)",
                                                      nextRunAt: Date().addingTimeInterval(-3600 + Double(index))))
            }
            let bobJobs = [try await Fixtures.job(app.db, user: bob.0, source: bob.1, destination: bob.2, name: "Bob 1", nextRunAt: Date().addingTimeInterval(-60)),
                           try await Fixtures.job(app.db, user: bob.0, source: bob.1, destination: bob.2, name: "Bob 2", nextRunAt: Date().addingTimeInterval(-59))]
            let pushed = try await Fixtures.job(app.db, user: ada.0, source: ada.1, destination: ada.2, name: "Ada pushed", nextRunAt: Date().addingTimeInterval(-1))
            try await SyncJob.query(on: app.db).filter(\.$id == pushed).set(\.$pushedAt, to: Date()).update()

            let settings = SchedulerTests.settings()  // accounts' runs may overlap (the default): the order alone is under test
            let claimer = RunClaimer(db: app.db, isPostgres: app.syncboard.configuration.database.isPostgres, workerID: "w",
                                     settings: settings, nextRun: SchedulerTests.hourly)
            let first = try await claimer.claim(limit: 4).map(\.jobID)
            // The pushed run; then each person's first turn (Ada's was the pushed one), then each one's second.
            #expect(first == [pushed, bobJobs[0], adaJobs[0], bobJobs[1]], "Bob's jobs are not held back behind Ada's twelve")
            #expect(try await SyncJob.find(pushed, on: app.db)?.pushedAt == nil, "the claim clears the push")
        }
    }

    @Test("the notification coalescer marks the jobs it makes due as pushed", arguments: TestDatabase.all)
    func coalescerMarksPushed(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let (user, source, destination) = try await SchedulerTests.world(app.db)
            let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: Date().addingTimeInterval(900))
            let job = try #require(try await SyncJob.find(jobID, on: app.db))
            job.cadence = .realtime
            try await job.save(on: app.db)
            let coalescer = NotificationCoalescer(db: app.db, debounce: .seconds(60), logger: app.logger)
            await coalescer.note(calendarID: try source.requireID())
            await coalescer.flush()
            let due = try #require(try await SyncJob.find(jobID, on: app.db))
            #expect(due.pushedAt != nil && due.nextRunAt! <= Date())
        }
    }

    @Test("a concurrency gate lets at most its limit through at once, the others in turn")
    func gate() async throws {
        final class Inside: Sendable { let count = Mutex((now: 0, most: 0)) }
        let gate = ConcurrencyGate(limit: 2)
        let inside = Inside()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await gate.withPlace {
                        inside.count.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        try await Task.sleep(for: .milliseconds(20))
                        inside.count.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inside.count.withLock { $0.most } == 2)
        #expect(inside.count.withLock { $0.now } == 0)
    }

    @Test("the defaults: eight runs at once per process, one of them a CalendarSync CLI run; an account's runs may overlap (its calls are paced)")
    func defaults() throws {
        let settings = try SchedulerSettings.load(from: EnvironmentReader(environment: [:]))
        #expect(settings.workerConcurrency == 8 && settings.cliConcurrency == 1 && settings.allowConcurrentRunsPerAccount)
        #expect(throws: ConfigurationError.self) { try SchedulerSettings.load(from: EnvironmentReader(environment: ["SYNCBOARD_CLI_CONCURRENCY": "0"])) }
    }
}
