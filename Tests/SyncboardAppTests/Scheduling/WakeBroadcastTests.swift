import Fluent
import Foundation
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Wake-ups across processes on PostgreSQL: a job made due in one process (here: this test, as the web process)
/// is claimed by a real `syncboard worker` at once, not at the worker's next poll.
@Suite("Wake-ups across processes (PostgreSQL LISTEN/NOTIFY)")
struct WakeBroadcastTests {
    @Test("Run now in the web process: a worker polling once a minute claims the run within seconds", .timeLimit(.minutes(3)))
    func workerWokenByNotify() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestDatabase.postgres.withFreshDatabase(migrated: true) { configuration, url in
            let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: configuration), environment: .testing)
            app.logger.logLevel = .warning
            var worker: ChildProcess?
            do {
                try await SyncboardApplication.migrate(app)
                let (user, source, destination) = try await SchedulerTests.world(app.db)
                let jobID = try await Fixtures.job(app.db, user: user, source: source, destination: destination, nextRunAt: nil)
                let environment = [
                    "DATABASE_URL": try #require(url), "SYNCBOARD_ENCRYPTION_KEYS": "k:\(Data(repeating: 5, count: 32).base64EncodedString())",
                    "SYNCBOARD_ENGINE": "noop", "SYNCBOARD_POLL_INTERVAL_MS": "60000", "SYNCBOARD_LOG_LEVEL": "warning",
                ]
                worker = try ChildProcess.start(["worker"], environment: environment, directory: try TestApp.temporaryDirectory())
                try await eventually("the worker is up") { try await WorkerHeartbeat.query(on: app.db).count() > 0 }
                try await Task.sleep(for: .seconds(3))  // the worker's first poll and its listener's LISTEN are behind it

                // Run now, as the web process answers the button: a queued run, and the wake-up it announces.
                let http = try await LiveHTTP.serve(app)
                let token = try await BearerClient.issue(for: user, scope: .readWrite, on: app).token
                let queued = try await http.api(.POST, "/api/v1/jobs/\(jobID)/runs", token: token)
                #expect(queued.status == 202, "\(queued.body)")
                // The worker's next poll is about a minute away; the wake-up makes it claim the run in well under that.
                try await eventually(timeout: .seconds(30), "the woken worker runs the job") {
                    try await JobRun.query(on: app.db).filter(\.$job.$id == jobID).filter(\.$status == .succeeded).count() == 1
                }
                worker?.signal(SIGTERM)
                try await worker?.waitForExit(timeout: .seconds(60))
            } catch {
                if let worker, worker.process.isRunning { worker.process.terminate() }
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
    }
}
