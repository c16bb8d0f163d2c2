import Fluent

/// Push notification channels, one per source calendar that an enabled real-time job reads (`PushChannel`).
struct CreatePushChannels: AsyncMigration {
    var name: String { "2026-11-27-01-create-push-channels" }

    func prepare(on database: any Database) async throws {
        try await database.schema("push_channels")
            .id()
            .field("calendar_id", .uuid, .references("calendars", "id", onDelete: .setNull))
            .field("google_calendar_id", .string, .required)
            .field("channel_id", .string, .required)
            .field("resource_id", .string)
            .field("token_digest", .string, .required)
            .field("status", .string, .required)
            .field("expires_at", .datetime)
            .field("worker_id", .string)
            .field("lease_expires_at", .datetime)
            .field("last_message_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("stopped_at", .datetime)
            .unique(on: "channel_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("push_channels").delete()
    }
}
