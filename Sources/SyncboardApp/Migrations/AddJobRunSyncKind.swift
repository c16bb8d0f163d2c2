import Fluent

/// Whether a built-in engine run was incremental or a full reconciliation, and why (null for other engines and modes).
struct AddJobRunSyncKind: AsyncMigration {
    var name: String { "2026-11-26-03-add-job-run-sync-kind" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("job_runs").field("sync_kind", .string).update()
        try await database.schema("job_runs").field("sync_reason", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("job_runs").deleteField("sync_reason").update()
        try await database.schema("job_runs").deleteField("sync_kind").update()
    }
}
