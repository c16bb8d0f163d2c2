import Fluent

/// The index of the copies a job's built-in engine runs made: original event → copy, with a hash of what was
/// copied. A cache of what the copies' CalendarSync metadata says, rebuilt by every full reconciliation.
struct CreateSyncCopies: AsyncMigration {
    var name: String { "2026-11-26-02-create-sync-copies" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sync_copies")
            .id()
            .field("job_id", .uuid, .required, .references("sync_jobs", "id", onDelete: .cascade))
            .field("source_event_id", .string, .required)
            .field("destination_event_id", .string, .required)
            .field("sync_id", .string, .required)
            .field("content_hash", .string, .required)
            .unique(on: "job_id", "source_event_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sync_copies").delete()
    }
}
