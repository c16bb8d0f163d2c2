import Fluent

/// Sync jobs: source → destination calendar, what is copied and skipped, the window and the cadence.
/// The scheduler finds due jobs through `idx_sync_jobs_due` (enabled, next_run_at).
struct CreateSyncJobs: AsyncMigration {
    var name: String { "2026-11-24-04-create-sync-jobs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sync_jobs")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            // Nullable: unlinking an account removes its calendars; the job stays, disabled, with the reason.
            .field("source_calendar_id", .uuid, .references("calendars", "id", onDelete: .setNull))
            .field("destination_calendar_id", .uuid, .references("calendars", "id", onDelete: .setNull))
            .field("transformers", .json, .required)
            .field("filters", .json, .required)
            .field("window_start_identifier", .string, .required)
            .field("window_start_offset", .int, .required)
            .field("window_end_identifier", .string, .required)
            .field("window_end_offset", .int, .required)
            .field("cadence", .json, .required)
            .field("time_zone", .string, .required)
            .field("update_concurrency", .int, .required)
            .field("enabled", .bool, .required)
            .field("next_run_at", .datetime)
            .field("status_reason", .string)  // why the job is paused or needs the user
            .field("consecutive_failures", .int, .required, .sql(.default(0)))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime)
            .create()
        try await database.sql().create(index: "idx_sync_jobs_due").on("sync_jobs").column("enabled").column("next_run_at").run()
        try await database.sql().create(index: "idx_sync_jobs_user").on("sync_jobs").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sync_jobs").delete()
    }
}
