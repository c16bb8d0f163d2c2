import AsyncHTTPClient
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import SyncboardApp

/// Issue 21: busy `syncboard worker` processes and `serve` (with its scheduler and HTTP requests in flight), told to
/// stop while their PostgreSQL goes away, still exit with status 0 within the grace period plus a margin; what they
/// could not record is recovered by lease expiry, and nothing runs twice. A second signal ends them at once.
/// The database is a cluster of the test's own (`ThrowawayPostgres`), stopped and started again round after round.
@Suite("Stopping while PostgreSQL goes away", .serialized)
struct StopWhileDatabaseGoesAwayTests {
    static let grace = 3
    /// Wide, for a loaded two-core machine: a process stuck on its database never exits at all.
    static let margin: Duration = .seconds(30)
    static let jobCount = 400
    static let keys = "k:\(Data(repeating: 5, count: 32).base64EncodedString())"

    enum Moment: String, Sendable {
        case beforeSignal = "just before SIGTERM"
        case withSignal = "right with SIGTERM"
        case duringGrace = "1 s into the grace period"
        case asGraceEnds = "as the grace period ends"
    }

    struct Round: Sendable, CustomStringConvertible {
        let moment: Moment
        let mode: ThrowawayPostgres.StopMode
        /// How long each no-op run takes: shorter than the grace period (runs finish) or longer (runs are stopped).
        let runMilliseconds: Int

        var description: String { "PostgreSQL stopped -m \(mode.rawValue) \(moment.rawValue), runs of \(runMilliseconds) ms" }
    }

    /// Short runs keep claim and record transactions going all the time (the database dies in the middle of
    /// some); long ones are still running when the grace period ends, and are stopped.
    static let rounds: [Round] = [
        Round(moment: .beforeSignal, mode: .immediate, runMilliseconds: 30),
        Round(moment: .withSignal, mode: .fast, runMilliseconds: 30),
        Round(moment: .duringGrace, mode: .immediate, runMilliseconds: 1500),
        Round(moment: .withSignal, mode: .immediate, runMilliseconds: 30),
        Round(moment: .asGraceEnds, mode: .fast, runMilliseconds: 8000),
        Round(moment: .beforeSignal, mode: .fast, runMilliseconds: 8000),
        Round(moment: .withSignal, mode: .immediate, runMilliseconds: 8000),
        Round(moment: .asGraceEnds, mode: .immediate, runMilliseconds: 8000),
        Round(moment: .beforeSignal, mode: .fast, runMilliseconds: 30),
    ]

    static func environment(url: String, runMilliseconds: Int, concurrency: Int = 4, grace: Int = grace) -> [String: String] {
        [
            "DATABASE_URL": url, "SYNCBOARD_ENCRYPTION_KEYS": keys, "SYNCBOARD_ENGINE": "noop",
            "SYNCBOARD_NOOP_DELAY_MS": "\(runMilliseconds)", "SYNCBOARD_WORKER_CONCURRENCY": "\(concurrency)",
            "SYNCBOARD_LEASE_SECONDS": "10", "SYNCBOARD_POLL_INTERVAL_MS": "100", "SYNCBOARD_CONCURRENT_RUNS_PER_ACCOUNT": "true",
            "SYNCBOARD_SHUTDOWN_GRACE_SECONDS": "\(grace)", "SYNCBOARD_LOG_LEVEL": "info",
        ]
    }

    @Test("three workers and serve exit 0 in time whenever the database stops; nothing is left active or runs twice",
          .timeLimit(.minutes(8)))
    func stopWhileDatabaseGoesAway() async throws {
        guard TestDatabase.all.contains(.postgres) else { return }  // PostgreSQL is installed where the suite uses it
        let postgres = try await ThrowawayPostgres.start()
        let directory = try TestApp.temporaryDirectory()
        var children: [LoggedChildProcess] = []
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let url = postgres.url(database: "syncboard")
        do {
            try await TestDatabase.admin(postgres.adminURL, "CREATE DATABASE syncboard")
            let app = try await SyncboardApplication.make(
                configuration: try TestApp.configuration(database: try SyncboardApp.DatabaseConfiguration.postgres(url: url)),
                environment: .testing)
            app.logger.logLevel = .critical  // its connections break on purpose
            do {
                try await SyncboardApplication.migrate(app)
                try await Self.seedJobs(app.db)
                for (index, round) in Self.rounds.enumerated() {
                    try await Self.play(round, index: index, postgres: postgres, app: app, client: client, url: url,
                                        directory: directory, children: &children)
                }
                try await Self.recoverAndCheck(app: app, url: url, directory: directory, children: &children)
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        } catch {
            for child in children { child.forceKill() }
            try? await client.shutdown()
            await postgres.destroy()
            throw error
        }
        try await client.shutdown()
        await postgres.destroy()
    }

    /// One round: four busy processes, SIGTERM, the database stopped at the round's moment; each process must exit 0
    /// within the grace period plus the margin. The database is started again before the next round.
    static func play(_ round: Round, index: Int, postgres: ThrowawayPostgres, app: Application, client: HTTPClient,
                     url: String, directory: URL, children: inout [LoggedChildProcess]) async throws {
        // Every job falls due again, at a slot of its own for this round.
        _ = try await app.db.sql().update("sync_jobs").set("next_run_at", to: SQLBind(Date())).run()
        let environment = Self.environment(url: url, runMilliseconds: round.runMilliseconds)
        children = []
        for number in 1...3 {
            children.append(try LoggedChildProcess.start("round\(index)-worker\(number)", ["worker"], environment: environment, directory: directory))
        }
        let serve = try LoggedChildProcess.start("round\(index)-serve", ["serve", "--port", "0"], environment: environment, directory: directory)
        children.append(serve)
        let port = try await serve.servedPort()

        // Requests in flight against serve, /readyz reading the database, until the round ends.
        let answered = RequestCount()
        let requests = Task {
            while !Task.isCancelled {
                if let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(5)),
                   response.status == .ok {
                    answered.increment()
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { requests.cancel() }

        // Busy: every process has claimed runs of this round (short ones may be over already), and serve answers.
        try await waitUntil("every process claims runs and serve answers (\(round))", timeout: .seconds(90), children: children) { [children] in
            let owners = try await JobRun.query(on: app.db).filter(\.$workerID != nil).all().compactMap(\.workerID)
            return answered.value > 0 && children.allSatisfy { child in owners.contains { $0.contains("-\(child.pid)-") } }
        }

        var stopped = false
        let signalled: ContinuousClock.Instant
        switch round.moment {
        case .beforeSignal:
            try await postgres.stopServer(round.mode)
            stopped = true
            try await Task.sleep(for: .milliseconds(300))
            signalled = signalAll(children)
        case .withSignal:
            signalled = signalAll(children)
            try await postgres.stopServer(round.mode)
            stopped = true
        case .duringGrace, .asGraceEnds:
            signalled = signalAll(children)
            try await Task.sleep(for: round.moment == .duringGrace ? .seconds(1) : .seconds(grace) + .milliseconds(100))
            try await postgres.stopServer(round.mode)
            stopped = true
        }

        // Each process's own exit time, watched together.
        let deadline = signalled + .seconds(grace) + margin
        var exitedAt: [Int32: ContinuousClock.Instant] = [:]
        while exitedAt.count < children.count && ContinuousClock.now < deadline {
            for child in children where exitedAt[child.pid] == nil && !child.process.isRunning { exitedAt[child.pid] = .now }
            try await Task.sleep(for: .milliseconds(20))
        }
        for child in children {
            guard let exited = exitedAt[child.pid] else {
                Issue.record("\(child.name) still runs \(grace) s + \(margin) after SIGTERM (\(round))\n\(child.logTail())")
                continue
            }
            #expect(child.process.terminationReason == .exit && child.process.terminationStatus == 0,
                    "\(child.name) ended with \(child.process.terminationStatus) (\(round))\n\(child.logTail())")
            let cutShort = child.logContains("exiting now; runs not recorded")
            print("issue 21 round \(index) (\(round)): \(child.name) exited \(child.process.terminationStatus) \(exited - signalled) after SIGTERM\(cutShort ? " (cut short by the stop budget)" : "")")
        }
        requests.cancel()
        for child in children { child.forceKill() }
        if stopped { try await postgres.startServer() }
    }

    /// After the last round: every lease expires and a fresh worker recovers what was lost; then nothing is active,
    /// no slot ran twice, and every run that was lost was run again exactly once.
    static func recoverAndCheck(app: Application, url: String, directory: URL, children: inout [LoggedChildProcess]) async throws {
        _ = try await app.db.sql().update("sync_jobs").set("next_run_at", to: SQLBind(Date().addingTimeInterval(86_400))).run()
        let recoverer = try LoggedChildProcess.start("recoverer", ["worker"],
                                                    environment: environment(url: url, runMilliseconds: 0, concurrency: 16), directory: directory)
        children = [recoverer]
        // Unrecorded runs keep their 10 s leases; the worker's reaper then marks them abandoned and queues recovery runs.
        try await waitUntil("no run is left active", timeout: .seconds(120), children: children) {
            try await JobRun.query(on: app.db).filter(\.$status ~~ JobRun.Status.active).count() == 0
        }
        // Its stop signals are handled from "worker started" on; a SIGTERM before that ends it the default way (status 15,
        // an empty log: CI's failure of 2026-12-03 when the leases had run out before the worker came up).
        try await waitUntil("the recoverer says it started", timeout: .seconds(60), children: children) { recoverer.logContains("worker started") }
        recoverer.signal(SIGTERM)
        #expect(await recoverer.waitForExit(until: .now + .seconds(grace) + margin))
        #expect(recoverer.process.terminationStatus == 0, "\(recoverer.logTail())")

        let runs = try await JobRun.query(on: app.db).all()
        #expect(runs.allSatisfy { $0.status.isFinal })
        let slotted = runs.filter { [.scheduled, .catchUp].contains($0.trigger) }
        let twice = Dictionary(grouping: slotted) { "\($0.$job.id) \($0.scheduledFor?.timeIntervalSince1970 ?? 0)" }.values.filter { $0.count > 1 }
        #expect(twice.isEmpty, "a slot was claimed more than once: \(twice.map { $0.map(describe) })")
        let abandoned = runs.filter { $0.status == .abandoned }
        #expect(!abandoned.isEmpty, "the database went away under running runs, so some were left to lease expiry")
        for (job, jobRuns) in Dictionary(grouping: runs, by: { $0.$job.id }) {
            let lost = jobRuns.filter { $0.status == .abandoned }.count
            let recoveries = jobRuns.filter { $0.trigger == .recovery }
            #expect(recoveries.count == lost, "job \(job): \(lost) run(s) lost but \(recoveries.count) recovery run(s)")
            #expect(recoveries.allSatisfy { $0.status == .succeeded || $0.status == .abandoned || $0.status == .interrupted },
                    "job \(job): a recovery run did not end well")
        }
        let byStatus = Dictionary(grouping: runs, by: \.status).mapValues(\.count)
        print("issue 21 runs after recovery: \(byStatus.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", "))")
    }

    static func describe(_ run: JobRun) -> String {
        "\(run.id?.uuidString ?? "?") job \(run.$job.id) \(run.trigger.rawValue) \(run.status.rawValue) by \(run.workerID ?? "-") "
            + "slot \(run.scheduledFor.map { "\($0.timeIntervalSince1970)" } ?? "-") queued \(run.queuedAt.timeIntervalSince1970) "
            + "started \(run.startedAt.map { "\($0.timeIntervalSince1970)" } ?? "-") finished \(run.finishedAt.map { "\($0.timeIntervalSince1970)" } ?? "-") "
            + (run.errorSummary ?? "")
    }

    static func signalAll(_ children: [LoggedChildProcess]) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        for child in children { child.signal(SIGTERM) }
        return now
    }

    static func seedJobs(_ db: any Database) async throws {
        let user = try await Fixtures.user(db)
        let a = try await Fixtures.account(db, user: user), b = try await Fixtures.account(db, user: user)
        let source = try await Fixtures.calendar(db, account: a), destination = try await Fixtures.calendar(db, account: b)
        for index in 0..<jobCount {
            try await Fixtures.job(db, user: user, source: source, destination: destination, name: "job \(index)", nextRunAt: nil)
        }
    }

    /// Polls `condition` until it holds; fails with the children's log tails otherwise. Database errors count as "not yet".
    static func waitUntil(_ what: String, timeout: Duration, children: [LoggedChildProcess],
                          _ condition: () async throws -> Bool) async throws {
        try await eventually(timeout: timeout, what, errors: .meanNotYet,
                             details: { children.map { $0.logTail() }.joined(separator: "\n") }, condition)
    }
}

/// Requests answered, counted across tasks.
private final class RequestCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
