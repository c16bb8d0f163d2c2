import Fluent
import Foundation
import Vapor
@testable import SyncboardApp

/// A user with two linked accounts and one job, and runs recorded through the real `RunRecorder`.
struct NotificationFixtures {
    let user: User
    let source: LinkedAccount
    let destination: LinkedAccount
    let jobID: UUID

    static let refreshToken = "1//refresh-token-that-must-never-appear-in-a-message"

    static func make(_ app: Application, jobName: String = "Work → Family", digestMinutes: Int = 0) async throws -> NotificationFixtures {
        app.syncboard.configuration.explicitBaseURL = URL(string: "https://sync.example.org")!
        let user = try await Fixtures.user(app.db, email: "ada@example.com")
        let source = try await Fixtures.account(app.db, user: user, email: "ada@example.com")
        let destination = try await Fixtures.account(app.db, user: user, email: "ada.home@example.org")
        destination.refreshTokenCiphertext = try app.syncboard.vault.seal(refreshToken, context: destination.vaultContext("refresh_token"))
        try await destination.save(on: app.db)
        let jobID = try await Fixtures.job(app.db, user: user, source: try await Fixtures.calendar(app.db, account: source),
                                           destination: try await Fixtures.calendar(app.db, account: destination), name: jobName, nextRunAt: nil)
        let preferences = NotificationPreferences(userID: try user.requireID())
        preferences.digestMinutes = digestMinutes
        try await preferences.create(on: app.db)
        return NotificationFixtures(user: user, source: source, destination: destination, jobID: jobID)
    }

    /// Another job of the same user.
    func job(_ app: Application, name: String) async throws -> UUID {
        try await Fixtures.job(app.db, user: user, source: try await Fixtures.calendar(app.db, account: source),
                               destination: try await Fixtures.calendar(app.db, account: destination), name: name, nextRunAt: nil)
    }

    /// Records one run of the job ending with `outcome`, as a worker would.
    @discardableResult
    func run(_ app: Application, job: UUID? = nil, _ outcome: RunOutcome, at now: Date = Date()) async throws -> UUID {
        let run = JobRun(jobID: job ?? jobID, trigger: .scheduled, mode: .sync, status: .running, scheduledFor: now, queuedAt: now)
        run.workerID = "test-worker"
        run.startedAt = now
        try await run.create(on: app.db)
        var settings = SchedulerSettings()
        settings.maxAttempts = 1  // no retry runs: each call here is one scheduled run
        try await RunRecorder(db: app.db, workerID: "test-worker", settings: settings).finish(runID: try run.requireID(), outcome: outcome,
                                                                                            log: (0, 0), now: now)
        return try run.requireID()
    }

    var needsReconnect: RunOutcome {
        RunOutcome(status: .needsReconnect, engine: .builtin, errorSummary: "Google no longer accepts Syncboard's access to ada.home@example.org: reconnect the account",
                   failureClass: .reconnect, reconnectAccountID: destination.id)
    }

    static let transient = RunOutcome.failed(engine: .builtin, "Google answered 503 three times", class: .transient)
    static let success = RunOutcome.succeeded(engine: .builtin, created: 1)

    static func deliverer(_ app: Application, workerID: String = "test-deliverer") -> OutboxDeliverer {
        NotificationWorker.makeDeliverer(app: app, workerID: workerID)
    }
}
