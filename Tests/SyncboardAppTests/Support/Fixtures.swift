import Fluent
import Foundation
import SQLKit
@testable import SyncboardApp

/// Rows for tests, written through the real schema.
enum Fixtures {
    static func user(_ db: any Database, email: String = "owner@example.com") async throws -> User {
        let user = User(email: email, displayName: email.components(separatedBy: "@")[0].capitalized)
        try await user.create(on: db)
        return user
    }

    static func account(_ db: any Database, user: User, subject: String = UUID().uuidString, email: String? = nil) async throws -> LinkedAccount {
        let account = LinkedAccount(userID: try user.requireID(), subject: subject, email: email ?? "\(subject.prefix(8))@example.com",
                                    displayName: nil, grantedScopes: "openid email")
        try await account.create(on: db)
        return account
    }

    static func calendar(_ db: any Database, account: LinkedAccount, googleID: String? = nil, role: String = "owner") async throws -> LinkedCalendar {
        let calendar = LinkedCalendar()
        calendar.$account.id = try account.requireID()
        calendar.provider = account.provider
        calendar.providerCalendarID = googleID ?? "\(UUID().uuidString)@group.calendar.google.com"
        calendar.summary = "Calendar \(calendar.providerCalendarID.prefix(6))"
        calendar.accessRole = role
        calendar.isPrimary = false
        calendar.timeZone = "Europe/Berlin"
        calendar.refreshedAt = Date()
        try await calendar.create(on: db)
        return calendar
    }

    /// A job row with an empty configuration, due at `nextRunAt`.
    @discardableResult
    static func job(_ db: any Database, user: User, source: LinkedCalendar, destination: LinkedCalendar,
                    name: String = "Job", nextRunAt: Date?, enabled: Bool = true) async throws -> UUID {
        let id = UUID()
        try await db.sql().insert(into: "sync_jobs")
            .columns("id", "user_id", "name", "source_calendar_id", "destination_calendar_id", "transformers", "filters",
                     "window_start_identifier", "window_start_offset", "window_end_identifier", "window_end_offset",
                     "cadence", "time_zone", "update_concurrency", "enabled", "next_run_at", "consecutive_failures", "created_at")
            .values(SQLBind(id), SQLBind(try user.requireID()), SQLBind(name), SQLBind(try source.requireID()),
                    SQLBind(try destination.requireID()), SQLLiteral.string(#"{"steps":[]}"#), SQLLiteral.string(#"{"steps":[]}"#),
                    SQLBind("MonthStart"), SQLBind(-1), SQLBind("MonthEnd"), SQLBind(1),
                    SQLLiteral.string(#"{"kind":"every15Minutes"}"#), SQLBind("UTC"), SQLBind(1), SQLBind(enabled),
                    SQLBind(nextRunAt), SQLBind(0), SQLBind(Date())).run()
        return id
    }
}
