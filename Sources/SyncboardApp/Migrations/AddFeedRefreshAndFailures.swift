import Fluent

/// Issue 29, the rest of a feed's life: a job that reads a published calendar runs at least as often as the feed's
/// refresh interval (`sync_jobs.feed_refresh_minutes`, the shortest of its feeds', kept when the job is saved so the
/// scheduler's next-run computation needs no look-up), and a feed counts its failed fetches in a row
/// (`feed_subscriptions.consecutive_failures`) so one that keeps failing is told to its user once.
struct AddFeedRefreshAndFailures: AsyncMigration {
    var name: String { "2026-12-03-10-add-feed-refresh-and-failures" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sync_jobs").field("feed_refresh_minutes", .int).update()
        try await database.schema("feed_subscriptions").field("consecutive_failures", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("feed_subscriptions").deleteField("consecutive_failures").update()
        try await database.schema("sync_jobs").deleteField("feed_refresh_minutes").update()
    }
}
