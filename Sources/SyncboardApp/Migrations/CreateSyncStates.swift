import Fluent

/// The built-in engine's sync state per job: the source's sync token and what it was taken for (window bounds,
/// a fingerprint of the job's definition), the last full reconciliation, and the run that last wrote it.
struct CreateSyncStates: AsyncMigration {
    var name: String { "2026-11-26-01-create-sync-states" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sync_states")
            .id()
            .field("job_id", .uuid, .required, .references("sync_jobs", "id", onDelete: .cascade))
            .field("sync_token", .string, .required)
            .field("window_start", .datetime, .required)
            .field("window_end", .datetime, .required)
            .field("definition_fingerprint", .string, .required)
            .field("last_full_at", .datetime, .required)
            .field("last_full_reason", .string, .required)
            .field("last_run_id", .uuid)
            .field("last_run_at", .datetime, .required)
            .field("incomplete_run_id", .uuid)
            .unique(on: "job_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sync_states").delete()
    }
}
