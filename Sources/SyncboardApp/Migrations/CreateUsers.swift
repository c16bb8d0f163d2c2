import Fluent

/// People who signed in with Google.
struct CreateUsers: AsyncMigration {
    var name: String { "2026-11-24-01-create-users" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("time_zone", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime)
            .field("last_sign_in_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
