import Fluent
import Foundation
import SQLKit
import Testing
@testable import SyncboardApp

@Suite("Migrations on SQLite and PostgreSQL")
struct MigrationTests {
    static let tables = ["users", "google_accounts", "calendars", "sync_jobs", "job_runs", "run_log_lines",
                         "sessions", "oauth_attempts", "telemetry_events", "worker_heartbeats"]

    private func tableNames(_ db: any Database, on kind: TestDatabase) async throws -> Set<String> {
        let sql = db.sql()
        let rows: [SQLRow]
        switch kind {
        case .sqlite: rows = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all()
        case .postgres: rows = try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'").all()
        }
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }

    @Test("up, down, up again", arguments: TestDatabase.all)
    func upDownUp(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database, migrated: false) { app in
            #expect(try await SyncboardApplication.pendingMigrations(app).count == SyncboardMigrations.all.count)
            try await SyncboardApplication.migrate(app)
            #expect(try await tableNames(app.db, on: database).isSuperset(of: Self.tables))
            #expect(try await SyncboardApplication.pendingMigrations(app).isEmpty)

            try await SyncboardApplication.revertAll(app)
            #expect(try await tableNames(app.db, on: database).isDisjoint(with: Self.tables))
            #expect(try await SyncboardApplication.pendingMigrations(app).count == SyncboardMigrations.all.count)

            try await SyncboardApplication.migrate(app)
            #expect(try await tableNames(app.db, on: database).isSuperset(of: Self.tables))
            // Migrating again is a no-op.
            try await SyncboardApplication.migrate(app)
            #expect(try await SyncboardApplication.pendingMigrations(app).isEmpty)
        }
    }

    @Test("constraints keep the data sound", arguments: TestDatabase.all)
    func constraints(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let sql = app.db.sql()
            let now = Date()
            let user = UUID(), otherUser = UUID(), account = UUID()
            for id in [user, otherUser] {
                try await sql.insert(into: "users").columns("id", "email", "display_name", "created_at")
                    .values(SQLBind(id), SQLBind("\(id)@example.com"), SQLBind("Someone"), SQLBind(now)).run()
            }
            func insertAccount(id: UUID, user: UUID, subject: String, provider: String? = nil) async throws {
                // Without a provider, as every release before providers wrote rows: the column's default is Google.
                var columns = ["id", "user_id", "subject", "email", "status", "granted_scopes", "created_at"]
                var values: [any SQLExpression] = [SQLBind(id), SQLBind(user), SQLBind(subject), SQLBind("a@example.com"), SQLBind("active"),
                                                   SQLBind("openid"), SQLBind(now)]
                if let provider { columns.append("provider"); values.append(SQLBind(provider)) }
                try await sql.insert(into: "google_accounts").columns(columns).values(values).run()
            }
            try await insertAccount(id: account, user: user, subject: "google-sub-1")
            #expect(try await LinkedAccount.find(account, on: app.db)?.provider == .google)
            // A Google account (subject) belongs to one user only.
            await #expect(throws: (any Error).self) { try await insertAccount(id: UUID(), user: otherUser, subject: "google-sub-1") }
            await #expect(throws: (any Error).self) { try await insertAccount(id: UUID(), user: otherUser, subject: "google-sub-1", provider: "google") }
            // A subject is unique within its provider only: the same text from Microsoft's identity platform is another account.
            let microsoft = UUID()
            try await insertAccount(id: microsoft, user: otherUser, subject: "google-sub-1", provider: "microsoft")
            #expect(try await LinkedAccount.find(microsoft, on: app.db)?.provider == .microsoft)
            await #expect(throws: (any Error).self) { try await insertAccount(id: UUID(), user: user, subject: "google-sub-1", provider: "microsoft") }
            // Foreign keys: an account needs an existing user.
            await #expect(throws: (any Error).self) { try await insertAccount(id: UUID(), user: UUID(), subject: "google-sub-2") }

            func insertCalendar(id: UUID, account: UUID, googleID: String) async throws {
                try await sql.insert(into: "calendars")
                    .columns("id", "account_id", "google_id", "summary", "access_role", "is_primary", "created_at", "refreshed_at")
                    .values(SQLBind(id), SQLBind(account), SQLBind(googleID), SQLBind("Work"), SQLBind("owner"),
                            SQLBind(true), SQLBind(now), SQLBind(now)).run()
            }
            let calendar = UUID()
            try await insertCalendar(id: calendar, account: account, googleID: "work@example.com")
            #expect(try await LinkedCalendar.find(calendar, on: app.db)?.provider == .google)
            // A calendar is unique per account.
            await #expect(throws: (any Error).self) { try await insertCalendar(id: UUID(), account: account, googleID: "work@example.com") }

            let job = UUID()
            try await sql.insert(into: "sync_jobs")
                .columns("id", "user_id", "name", "source_calendar_id", "destination_calendar_id", "transformers", "filters",
                         "window_start_identifier", "window_start_offset", "window_end_identifier", "window_end_offset",
                         "cadence", "time_zone", "update_concurrency", "enabled", "created_at")
                .values(SQLBind(job), SQLBind(user), SQLBind("Work → Home"), SQLBind(calendar), SQLBind(calendar),
                        SQLLiteral.string("[]"), SQLLiteral.string("[]"), SQLBind("MonthStart"), SQLBind(-1), SQLBind("MonthEnd"), SQLBind(1),
                        SQLLiteral.string("{}"), SQLBind("Europe/Berlin"), SQLBind(1), SQLBind(true), SQLBind(now)).run()

            func insertRun(status: String) async throws {
                try await sql.insert(into: "job_runs")
                    .columns("id", "job_id", "trigger", "mode", "status", "attempt", "queued_at")
                    .values(SQLBind(UUID()), SQLBind(job), SQLBind("scheduled"), SQLBind("sync"), SQLBind(status),
                            SQLBind(1), SQLBind(now)).run()
            }
            try await insertRun(status: "succeeded")
            try await insertRun(status: "failed")
            try await insertRun(status: "running")
            // At most one active (queued or running) run per job.
            await #expect(throws: (any Error).self) { try await insertRun(status: "queued") }

            // Deleting the user removes what belongs to them.
            try await sql.delete(from: "users").where("id", .equal, SQLBind(user)).run()
            func count(_ table: String) async throws -> Int? {
                try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self)
            }
            #expect(try await count("job_runs") == 0)
            // Through the rebuilt accounts table too (SQLite makes it anew to change its uniqueness): the user's
            // accounts and their calendars go, the other user's account stays.
            #expect(try await count("calendars") == 0)
            #expect(try await count("google_accounts") == 1)
        }
    }
}
