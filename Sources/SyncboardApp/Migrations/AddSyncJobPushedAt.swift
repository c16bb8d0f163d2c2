import Fluent
import SQLKit

/// When a push notification last made a job due (cleared when the run is claimed): such a run goes before runs
/// that are merely scheduled (a real-time job's safety poll, a cadence), as a person is waiting for it.
struct AddSyncJobPushedAt: AsyncMigration {
    var name: String { "2026-12-02-01-add-sync-job-pushed-at" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sync_jobs").field("pushed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sync_jobs").deleteField("pushed_at").update()
    }
}
