import Fluent

/// Whether a CalendarSync run ran in the bubblewrap sandbox (null: CalendarSync was not started, or another engine
/// ran), for the run page and /readyz.
struct AddJobRunSandboxed: AsyncMigration {
    var name: String { "2026-11-25-01-add-job-run-sandboxed" }

    func prepare(on database: any Database) async throws {
        try await database.schema("job_runs").field("sandboxed", .bool).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("job_runs").deleteField("sandboxed").update()
    }
}
