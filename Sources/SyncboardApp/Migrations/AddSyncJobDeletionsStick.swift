import Fluent
import SQLKit

/// A job option: copies the user deleted in the destination stay deleted (off for every existing job, which keeps
/// CalendarSync's behaviour of making them again).
struct AddSyncJobDeletionsStick: AsyncMigration {
    var name: String { "2026-11-28-02-add-sync-job-deletions-stick" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sync_jobs").field("deletions_stick", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sync_jobs").deleteField("deletions_stick").update()
    }
}
