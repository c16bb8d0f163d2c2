import Fluent

/// The log of a run, line by line (capped per run by the engine: head and tail are kept).
struct CreateRunLogLines: AsyncMigration {
    var name: String { "2026-11-24-06-create-run-log-lines" }

    func prepare(on database: any Database) async throws {
        try await database.schema("run_log_lines")
            .id()
            .field("run_id", .uuid, .required, .references("job_runs", "id", onDelete: .cascade))
            .field("seq", .int, .required)
            .field("stream", .string, .required)  // stdout | stderr | syncboard
            .field("logged_at", .datetime, .required)
            .field("text", .string, .required)
            .unique(on: "run_id", "seq", name: "uq_run_log_lines_run_seq")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("run_log_lines").delete()
    }
}
