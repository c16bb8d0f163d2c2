import Fluent

/// Browser sessions, stored server-side. The id is a SHA-256 digest of the cookie's token, so a copy of the
/// database does not hold usable session cookies. Expiry is both idle (`last_seen_at`) and absolute (`expires_at`).
struct CreateSessions: AsyncMigration {
    var name: String { "2026-11-24-07-create-sessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sessions")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("user_agent", .string)
            .create()
        try await database.sql().create(index: "idx_sessions_user").on("sessions").column("user_id").run()
        try await database.sql().create(index: "idx_sessions_expires").on("sessions").column("expires_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sessions").delete()
    }
}
