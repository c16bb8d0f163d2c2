import Fluent
import Foundation
import SQLKit
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// Upgrading a database made by the previous release (0.1.0, commit 2d28b7f) to whatever this build's migration
/// list is: everything is still there and works.
@Suite("Upgrades from the previous release")
struct UpgradeTests {
    /// The migrations of 0.1.0 (SyncboardMigrations.all at 2d28b7f), in their order.
    static let previousRelease = [
        "2026-11-24-01-create-users", "2026-11-24-02-create-google-accounts", "2026-11-24-03-create-calendars",
        "2026-11-24-04-create-sync-jobs", "2026-11-24-05-create-job-runs", "2026-11-24-06-create-run-log-lines",
        "2026-11-24-07-create-sessions", "2026-11-24-08-create-oauth-attempts", "2026-11-24-09-create-telemetry-events",
        "2026-11-24-10-create-worker-heartbeats",
    ]

    @Test("migrations are only ever added: the previous release's list is still the start of this one")
    func onlyAdded() {
        let current = SyncboardMigrations.all.map(\.name)
        #expect(Array(current.prefix(Self.previousRelease.count)) == Self.previousRelease)
        #expect(Set(current).count == current.count, "a migration name appears twice")
    }

    @Test("a database made by the previous release, with accounts, tokens, jobs and runs, upgrades and still works",
          arguments: TestDatabase.all)
    func upgrade(database: TestDatabase) async throws {
        let directory = try TestApp.temporaryDirectory()
        try await database.withFreshDatabase { configured, url in
            var environment = ["SYNCBOARD_ENCRYPTION_KEYS": VersionTests.keys, "SYNCBOARD_DATA_DIR": directory.path, "SYNCBOARD_ENGINE": "noop"]
            let databaseConfiguration: SyncboardApp.DatabaseConfiguration
            if let url {
                environment["DATABASE_URL"] = url
                databaseConfiguration = configured
            } else {
                databaseConfiguration = .sqlite(path: directory.appendingPathComponent("syncboard.sqlite").path)
            }
            let app = try await SyncboardApplication.make(configuration: try TestApp.configuration(database: databaseConfiguration),
                                                          environment: .testing)
            app.logger.logLevel = .warning
            let filled: Old
            do {
                // The previous release's schema, made by its own migration list.
                let old = Migrations()
                let byName = Dictionary(uniqueKeysWithValues: SyncboardMigrations.all.map { ($0.name, $0) })
                old.add(try Self.previousRelease.map { try #require(byName[$0], "\($0) is gone from the migration list") })
                let migrator = Migrator(databases: app.databases, migrations: old, logger: app.logger, on: app.eventLoopGroup.any())
                try await migrator.setupIfNeeded().get()
                try await migrator.prepareBatch().get()
                let added = SyncboardMigrations.all.map(\.name).filter { !Self.previousRelease.contains($0) }
                #expect(try await SyncboardApplication.pendingMigrations(app) == added)

                filled = try await Self.fillAsPreviousRelease(app.db, vault: app.syncboard.vault)

                // Upgrade, as `syncboard migrate` does.
                #expect(try await SyncboardApplication.migrate(app) == added)
                #expect(try await SyncboardApplication.pendingMigrations(app).isEmpty)

                // Everything is there and reads through this build's models (new columns and all).
                #expect(try await User.query(on: app.db).count() == 1)
                #expect(try await LinkedCalendar.query(on: app.db).count() == 2)
                let job = try #require(try await SyncJob.find(filled.jobID, on: app.db))
                #expect(job.name == "Kept through the upgrade")
                let runs = try await JobRun.query(on: app.db).all()
                #expect(runs.count == 2 && Set(runs.map(\.status)) == [.succeeded, .failed])
                #expect(try await RunLogLine.query(on: app.db).count() == 4)
                let tokens = try await OperationsFixtures.tokens(app.db, vault: app.syncboard.vault, accountID: filled.accountID)
                #expect(tokens.refresh == OperationsFixtures.refreshToken && tokens.access == OperationsFixtures.accessToken)
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }

            // The job runs on the upgraded database (the real binary, no-op engine), and its run is recorded.
            let result = try await ChildProcess.run(["run-job", filled.jobID.uuidString], environment: environment, directory: directory)
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("Result: succeeded"), "\(result.stdout)")
        }
    }

    @Test("the built-in engine's state, copies and deletions that stick, made before jobs had several directions, stay with the job's one direction",
          arguments: TestDatabase.all)
    func stateMovesToTheJobsLeg(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database, migrated: false) { app in
            let legs = AddSyncJobLegs().name
            let before = Migrations()
            before.add(Array(SyncboardMigrations.all.prefix { $0.name != legs }))
            let migrator = Migrator(databases: app.databases, migrations: before, logger: app.logger, on: app.eventLoopGroup.any())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
            let filled = try await Self.fillAsPreviousRelease(app.db, vault: app.syncboard.vault)
            let sql = app.db.sql()
            let now = Date()
            try await sql.insert(into: "sync_states")
                .columns("id", "job_id", "sync_token", "window_start", "window_end", "definition_fingerprint", "last_full_at", "last_full_reason", "last_run_at")
                .values(SQLBind(UUID()), SQLBind(filled.jobID), SQLBind("token-before"), SQLBind(now), SQLBind(now), SQLBind("fingerprint"),
                        SQLBind(now), SQLBind("no_state"), SQLBind(now)).run()
            for original in ["original-1", "original-2"] {
                try await sql.insert(into: "sync_copies").columns("id", "job_id", "source_event_id", "destination_event_id", "sync_id", "content_hash")
                    .values(SQLBind(UUID()), SQLBind(filled.jobID), SQLBind(original), SQLBind("copy-of-\(original)"), SQLBind("1"), SQLBind("hash")).run()
            }
            try await sql.insert(into: "sync_tombstones").columns("id", "job_id", "source_event_id", "title", "starts_at", "deleted_seen_at")
                .values(SQLBind(UUID()), SQLBind(filled.jobID), SQLBind("original-3"), SQLBind("Gone on purpose"), SQLBind(now), SQLBind(now)).run()

            // AddSyncJobLegs and every migration after it (their names are their order).
            let later = SyncboardMigrations.all.map(\.name).drop { $0 != legs }
            #expect(try await SyncboardApplication.migrate(app) == Array(later))
            let job = try #require(try await SyncJob.find(filled.jobID, on: app.db))
            #expect(job.kind == .copy && job.moreCalendarIDs.isEmpty && job.spec.legs.count == 1)
            let leg = try #require(job.spec.legs.first)
            let loaded = try await SyncStateStore(db: app.db, jobID: filled.jobID, leg: leg).load()
            #expect(loaded?.state.syncToken == "token-before" && loaded?.index.keys.sorted() == ["original-1", "original-2"])
            #expect(try await TombstoneStore(db: app.db, jobID: filled.jobID, leg: leg).active() == ["original-3"])
            // The key is now the direction: another direction of the job may index the same original.
            let other = SyncJobSpec.Leg(source: leg.destination, destination: leg.source)
            try await SyncCopy(jobID: filled.jobID, leg: other, sourceEventID: "original-1", destinationEventID: "x", syncID: "1", contentHash: "h")
                .create(on: app.db)
            #expect(try await SyncStateStore(db: app.db, jobID: filled.jobID, leg: leg).load()?.index.count == 2)
        }
    }

    struct Old {
        let jobID: UUID
        let accountID: UUID
    }

    /// Rows as 0.1.0 wrote them: plain SQL with exactly that release's columns (today's models may have more).
    static func fillAsPreviousRelease(_ db: any Database, vault: TokenVault) async throws -> Old {
        let sql = db.sql()
        let now = Date()
        let user = UUID(), account = UUID(), source = UUID(), destination = UUID(), job = UUID()
        let subject = "subject-from-0.1.0"
        try await sql.insert(into: "users").columns("id", "email", "display_name", "created_at")
            .values(SQLBind(user), SQLBind("old@example.com"), SQLBind("Old"), SQLBind(now)).run()
        let refresh = try vault.seal(OperationsFixtures.refreshToken, context: "google_accounts.refresh_token:\(subject)")
        let access = try vault.seal(OperationsFixtures.accessToken, context: "google_accounts.access_token:\(subject)")
        try await sql.insert(into: "google_accounts")
            .columns("id", "user_id", "subject", "email", "status", "granted_scopes", "refresh_token", "access_token",
                     "access_token_expires_at", "created_at")
            .values(SQLBind(account), SQLBind(user), SQLBind(subject), SQLBind("old@example.com"), SQLBind("active"),
                    SQLBind("openid email https://www.googleapis.com/auth/calendar"), SQLBind(refresh), SQLBind(access),
                    SQLBind(now.addingTimeInterval(3600)), SQLBind(now)).run()
        for (id, googleID) in [(source, "source@group.calendar.google.com"), (destination, "destination@group.calendar.google.com")] {
            try await sql.insert(into: "calendars")
                .columns("id", "account_id", "google_id", "summary", "time_zone", "access_role", "is_primary", "created_at", "refreshed_at")
                .values(SQLBind(id), SQLBind(account), SQLBind(googleID), SQLBind(googleID), SQLBind("Europe/Berlin"),
                        SQLBind("owner"), SQLBind(false), SQLBind(now), SQLBind(now)).run()
        }
        try await sql.insert(into: "sync_jobs")
            .columns("id", "user_id", "name", "source_calendar_id", "destination_calendar_id", "transformers", "filters",
                     "window_start_identifier", "window_start_offset", "window_end_identifier", "window_end_offset",
                     "cadence", "time_zone", "update_concurrency", "enabled", "next_run_at", "consecutive_failures", "created_at")
            .values(SQLBind(job), SQLBind(user), SQLBind("Kept through the upgrade"), SQLBind(source), SQLBind(destination),
                    SQLLiteral.string(#"{"steps":[]}"#), SQLLiteral.string(#"{"steps":[]}"#),
                    SQLBind("MonthStart"), SQLBind(-1), SQLBind("MonthEnd"), SQLBind(1),
                    SQLLiteral.string(#"{"kind":"every15Minutes"}"#), SQLBind("UTC"), SQLBind(1), SQLBind(true),
                    SQLBind(now.addingTimeInterval(86_400)), SQLBind(1), SQLBind(now)).run()
        for status in ["succeeded", "failed"] {
            let run = UUID()
            try await sql.insert(into: "job_runs")
                .columns("id", "job_id", "trigger", "mode", "status", "engine", "attempt", "queued_at", "started_at", "finished_at",
                         "duration_ms", "error_summary", "failure_class", "log_line_count")
                .values(SQLBind(run), SQLBind(job), SQLBind("scheduled"), SQLBind("sync"), SQLBind(status), SQLBind("builtin"),
                        SQLBind(1), SQLBind(now), SQLBind(now), SQLBind(now), SQLBind(1200),
                        status == "failed" ? SQLBind("Google answered 503") : SQLBind(String?.none),
                        status == "failed" ? SQLBind("transient") : SQLBind(String?.none), SQLBind(2)).run()
            for seq in 1...2 {
                try await sql.insert(into: "run_log_lines").columns("id", "run_id", "seq", "stream", "logged_at", "text")
                    .values(SQLBind(UUID()), SQLBind(run), SQLBind(seq), SQLBind("syncboard"), SQLBind(now), SQLBind("line \(seq)")).run()
            }
        }
        return Old(jobID: job, accountID: account)
    }
}
