import Fluent

/// Local, first-party telemetry: page views and run outcomes, counted per day. No third-party service.
struct CreateTelemetryEvents: AsyncMigration {
    var name: String { "2026-11-24-09-create-telemetry-events" }

    func prepare(on database: any Database) async throws {
        try await database.schema("telemetry_events")
            .id()
            .field("kind", .string, .required)  // page_view | run_outcome
            .field("name", .string, .required)  // the page's route, or the outcome
            .field("user_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("job_id", .uuid, .references("sync_jobs", "id", onDelete: .setNull))
            .field("day", .string, .required)   // YYYY-MM-DD in UTC, for per-day counts
            .field("value", .double)
            .field("occurred_at", .datetime, .required)
            .create()
        try await database.sql().create(index: "idx_telemetry_kind_day").on("telemetry_events").column("kind").column("day").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("telemetry_events").delete()
    }
}
