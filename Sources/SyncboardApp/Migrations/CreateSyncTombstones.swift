import Fluent

/// Deletions that stick: the originals whose copies the user deleted in the destination, per job, not re-created
/// until restored (`restored_at` set: the next run makes the copy again and forgets the row).
struct CreateSyncTombstones: AsyncMigration {
    var name: String { "2026-11-28-01-create-sync-tombstones" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sync_tombstones")
            .id()
            .field("job_id", .uuid, .required, .references("sync_jobs", "id", onDelete: .cascade))
            .field("source_event_id", .string, .required)
            .field("title", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("deleted_seen_at", .datetime, .required)
            .field("restored_at", .datetime)
            .unique(on: "job_id", "source_event_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sync_tombstones").delete()
    }
}
