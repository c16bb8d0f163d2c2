import Fluent

/// The calendars each linked account can see, as discovered from calendarList. Unique per account; a calendar
/// that disappears is marked `removed_at`, not deleted, so jobs that use it can say why they are broken.
struct CreateCalendars: AsyncMigration {
    var name: String { "2026-11-24-03-create-calendars" }

    func prepare(on database: any Database) async throws {
        try await database.schema("calendars")
            .id()
            .field("account_id", .uuid, .required, .references("google_accounts", "id", onDelete: .cascade))
            .field("google_id", .string, .required)
            .field("summary", .string, .required)
            .field("time_zone", .string)
            .field("access_role", .string, .required)  // freeBusyReader | reader | writer | owner
            .field("background_color", .string)
            .field("is_primary", .bool, .required)
            .field("removed_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("refreshed_at", .datetime, .required)
            .unique(on: "account_id", "google_id", name: "uq_calendars_account_google_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("calendars").delete()
    }
}
