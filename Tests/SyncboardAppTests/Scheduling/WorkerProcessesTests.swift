import Fluent
import Foundation
import SQLKit
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Three real `syncboard worker` processes on one real PostgreSQL, one of them killed with SIGKILL mid-run.
@Suite("Workers sharing PostgreSQL")
struct WorkerProcessesTests {
    static let jobCount = 120

    @Test("no slot runs twice, no slot is lost, a killed worker's runs are recovered, every run ends", .timeLimit(.minutes(6)))
    func threeWorkersAndAKill() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestDatabase.postgres.withFreshDatabase(migrated: true) { configuration, url in
            let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: configuration), environment: .testing)
            app.logger.logLevel = .warning
            var workers: [ChildProcess] = []
            do {
                try await SyncboardApplication.migrate(app)
                let user = try await Fixtures.user(app.db)
                let a = try await Fixtures.account(app.db, user: user), b = try await Fixtures.account(app.db, user: user)
                let source = try await Fixtures.calendar(app.db, account: a), destination = try await Fixtures.calendar(app.db, account: b)
                let firstSlot = Date().addingTimeInterval(8)
                for index in 0..<Self.jobCount {
                    let job = SyncJob(userID: try user.requireID(), spec: SyncJobSpec(
                        name: "job \(index)", sourceCalendarID: try source.requireID(), destinationCalendarID: try destination.requireID(),
                        cadence: .cron("* * * * *"), timeZone: "UTC"))
                    job.nextRunAt = firstSlot
                    try await job.create(on: app.db)
                }

                // No-op runs of 1.5 s: the worker found running one still has it when SIGKILL lands (a 300 ms run could
                // end in between, leaving nothing to recover).
                let environment = [
                    "DATABASE_URL": try #require(url), "SYNCBOARD_ENCRYPTION_KEYS": "k:\(Data(repeating: 5, count: 32).base64EncodedString())",
                    "SYNCBOARD_ENGINE": "noop", "SYNCBOARD_NOOP_DELAY_MS": "1500", "SYNCBOARD_WORKER_CONCURRENCY": "8",
                    "SYNCBOARD_LEASE_SECONDS": "4", "SYNCBOARD_POLL_INTERVAL_MS": "100", "SYNCBOARD_CONCURRENT_RUNS_PER_ACCOUNT": "true",
                    "SYNCBOARD_SHUTDOWN_GRACE_SECONDS": "10", "SYNCBOARD_LOG_LEVEL": "warning",
                ]
                let directory = try TestApp.temporaryDirectory()
                for _ in 0..<3 { workers.append(try ChildProcess.start(["worker"], environment: environment, directory: directory)) }

                // Kill a worker that is running something while the first burst of runs is under way.
                var victim: ChildProcess?
                try await eventually("a worker is running a job") {
                    let busy = try await JobRun.query(on: app.db).filter(\.$status == .running).all().compactMap(\.workerID)
                    victim = workers.first { worker in busy.contains { $0.contains("-\(worker.process.processIdentifier)-") } }
                    return victim != nil
                }
                let killed = try #require(victim)
                killed.signal(SIGKILL)
                try await killed.waitForExit(timeout: .seconds(10))
                let killedAt = Date()

                // Let the next minute slot pass (the first one after the burst and the kill: slots that follow each
                // other, with a worker gone), then stop scheduling and let everything finish. One slot more, not two:
                // a second one proved nothing new, and this test (the suite's longest) ran for two minutes after every other
                // test had ended.
                let stopAt = firstSlot.addingTimeInterval(68)
                try await Task.sleep(for: .seconds(max(0, stopAt.timeIntervalSinceNow)))
                _ = try await app.db.sql().update("sync_jobs").set("enabled", to: SQLBind(false)).run()
                try await eventually("no run is left active") {
                    try await JobRun.query(on: app.db).filter(\.$status ~~ JobRun.Status.active).count() == 0
                }
                let survivors = workers.filter { $0.process.processIdentifier != killed.process.processIdentifier }
                #expect(survivors.count == 2)
                for worker in survivors { worker.signal(SIGTERM) }
                for worker in survivors {
                    try await worker.waitForExit(timeout: .seconds(30))
                    #expect(worker.process.terminationStatus == 0)
                }

                let runs = try await JobRun.query(on: app.db).all()
                // Every run ended in a final state.
                #expect(runs.allSatisfy { $0.status.isFinal })
                // No job ran twice for the same slot.
                let slotted = runs.filter { [.scheduled, .catchUp].contains($0.trigger) }
                let slots = slotted.map { "\($0.$job.id) \($0.scheduledFor!.timeIntervalSince1970)" }
                #expect(Set(slots).count == slots.count, "a slot ran twice")
                // Abandoned runs were recovered: each has a successful recovery run of its job after it.
                let abandoned = runs.filter { $0.status == .abandoned }
                #expect(!abandoned.isEmpty, "the killed worker had runs in progress")
                for run in abandoned {
                    #expect(runs.contains { $0.$job.id == run.$job.id && $0.trigger == .recovery && $0.status == .succeeded && $0.queuedAt >= run.queuedAt },
                            "abandoned run \(run.id!) was not recovered")
                }
                // No due slot was lost: every job ran its first slot and every minute slot up to the stop, except
                // slots covered by the catch-up rule (a late claim whose next slot had also passed) and slots still
                // due when the workers stopped (the job's next run is at or before them: the next worker runs it;
                // a loaded machine may leave the last slot unclaimed by then).
                let nextRuns = Dictionary(uniqueKeysWithValues: try await SyncJob.query(on: app.db).all().map { ($0.id, $0.nextRunAt) })
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let byJob = Dictionary(grouping: slotted, by: { $0.$job.id })
                #expect(byJob.count == Self.jobCount)
                for (jobID, jobRuns) in byJob {
                    var expected = [firstSlot]
                    var slot = firstSlot
                    while let next = try CronExpression("* * * * *").next(after: slot, in: calendar.timeZone), next < stopAt.addingTimeInterval(-5) {
                        expected.append(next)
                        slot = next
                    }
                    let ran = Set(jobRuns.map { $0.scheduledFor!.timeIntervalSince1970.rounded() })
                    let catchUps = jobRuns.filter { $0.trigger == .catchUp }
                    for slot in expected where !ran.contains(slot.timeIntervalSince1970.rounded()) {
                        let pending = (nextRuns[jobID] ?? nil).map { $0 <= slot.addingTimeInterval(1) } ?? false
                        let covered = pending || catchUps.contains { $0.scheduledFor! < slot && ($0.startedAt ?? .distantPast) >= slot }
                        #expect(covered, "slot \(slot) of a job was lost")
                    }
                }
                #expect(killedAt < stopAt)
            } catch {
                for worker in workers where worker.process.isRunning { worker.process.terminate() }
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
    }
}
