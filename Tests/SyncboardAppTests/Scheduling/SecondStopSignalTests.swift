import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// Issue 21: a second SIGTERM or SIGINT ends `worker` and `serve` at once, in the middle of their grace period; the
/// runs they held stay claimed until their leases expire and are then recovered, as after a crash.
@Suite("A second stop signal")
struct SecondStopSignalTests {
    @Test("ends worker (SIGTERM twice) and serve (SIGINT twice) at once, long before their grace period is over")
    func secondSignalEndsAtOnce() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }
        try await TestDatabase.postgres.withFreshDatabase(migrated: true) { configuration, url in
            let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: configuration), environment: .testing)
            app.logger.logLevel = .warning
            var children: [LoggedChildProcess] = []
            do {
                try await SyncboardApplication.migrate(app)
                let user = try await Fixtures.user(app.db)
                let a = try await Fixtures.account(app.db, user: user), b = try await Fixtures.account(app.db, user: user)
                let source = try await Fixtures.calendar(app.db, account: a), destination = try await Fixtures.calendar(app.db, account: b)
                for index in 0..<16 {
                    try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "job \(index)", nextRunAt: Date())
                }
                // Runs of two minutes and a grace period of two minutes: only the second signal can end them soon.
                let environment = StopWhileDatabaseGoesAwayTests.environment(url: try #require(url), runMilliseconds: 120_000, grace: 120)
                let directory = try TestApp.temporaryDirectory()
                let worker = try LoggedChildProcess.start("worker", ["worker"], environment: environment, directory: directory)
                children.append(worker)
                let serve = try LoggedChildProcess.start("serve", ["serve", "--port", "0"], environment: environment, directory: directory)
                children.append(serve)
                _ = try await serve.servedPort()
                try await StopWhileDatabaseGoesAwayTests.waitUntil("both run something", timeout: .seconds(90), children: children) { [children] in
                    let owners = try await JobRun.query(on: app.db).filter(\.$status == .running).all().compactMap(\.workerID)
                    return children.allSatisfy { child in owners.contains { $0.contains("-\(child.pid)-") } }
                }
                let held = try await JobRun.query(on: app.db).filter(\.$status == .running).all().compactMap(\.id)

                worker.signal(SIGTERM)
                serve.signal(SIGINT)
                try await Task.sleep(for: .seconds(1))
                #expect(worker.process.isRunning && serve.process.isRunning, "one signal already ended a process with runs in its grace period")

                worker.signal(SIGTERM)
                serve.signal(SIGINT)
                let secondSignal = ContinuousClock.now
                for child in children {
                    // Ten seconds against a two-minute grace period: "at once", with room for a loaded machine.
                    #expect(await child.waitForExit(until: secondSignal + .seconds(10)), "\(child.logTail())")
                }
                #expect(worker.process.terminationStatus == 128 + SIGTERM, "\(worker.logTail())")
                #expect(serve.process.terminationStatus == 128 + SIGINT, "\(serve.logTail())")
                #expect(worker.logContains("second stop signal: exiting at once"))

                // Nothing was recorded: the runs stay claimed until their leases run out, then the reaper recovers them.
                let leftRunning = try await JobRun.query(on: app.db).filter(\.$status == .running).all().compactMap(\.id)
                #expect(Set(held).isSubset(of: Set(leftRunning)))
                let recovered = try await RunReaper(db: app.db).reap(now: Date().addingTimeInterval(61))
                #expect(recovered == leftRunning.count)
                #expect(try await JobRun.query(on: app.db).filter(\.$trigger == .recovery).filter(\.$status == .queued).count() == leftRunning.count)
            } catch {
                for child in children { child.forceKill() }
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }
    }
}
