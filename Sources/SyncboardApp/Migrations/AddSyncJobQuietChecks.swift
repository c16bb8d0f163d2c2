import Fluent
import SQLKit

/// Checks that found nothing to do are counted on the job instead of filling the run history.
struct AddSyncJobQuietChecks: AsyncMigration {
    var name: String { "2026-11-27-02-add-sync-job-quiet-checks" }

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("sync_jobs").field("quiet_checks", .int, .required, .sql(.default(0))).update()
        try await database.schema("sync_jobs").field("last_quiet_check_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sync_jobs").deleteField("last_quiet_check_at").update()
        try await database.schema("sync_jobs").deleteField("quiet_checks").update()
    }
}
