import Fluent

/// Published iCalendar feeds (issue 29). A feed is stored as a `LinkedAccount` of provider `ics` with one
/// `LinkedCalendar` (read-only), so the job form, groups, the API, the pages, ownership and unlinking treat it as any
/// calendar; this table holds only what a feed has beyond that: its address (without credentials; a user:password
/// given with it is sealed with the app's `TokenVault` like tokens and never shown again), its refresh interval and
/// the health of its last fetch. One row per feed calendar, deleted with it.
struct CreateFeedSubscriptions: AsyncMigration {
    var name: String { "2026-12-03-02-create-feed-subscriptions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("feed_subscriptions")
            .id()
            .field("calendar_id", .uuid, .required, .references("calendars", "id", onDelete: .cascade))
            .field("address", .string, .required)
            .field("credentials", .string)
            .field("name", .string, .required)
            .field("refresh_minutes", .int, .required, .sql(.default(5)))
            .field("last_fetched_at", .datetime)
            .field("last_status", .int)
            .field("last_not_modified", .bool)
            .field("last_events_read", .int)
            .field("last_event_count", .int)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime)
            .unique(on: "calendar_id", name: "uq_feed_subscriptions_calendar")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("feed_subscriptions").delete()
    }
}
