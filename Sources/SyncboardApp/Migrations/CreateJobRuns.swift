import Fluent
import SQLKit

/// Every run of a job: trigger, status, timings, counts, outcome, and the lease of the worker running it.
struct CreateJobRuns: AsyncMigration {
    var name: String { "2026-11-24-05-create-job-runs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("job_runs")
            .id()
            .field("job_id", .uuid, .required, .references("sync_jobs", "id", onDelete: .cascade))
            .field("trigger", .string, .required)  // scheduled | catch_up | manual | retry
            .field("mode", .string, .required)     // sync | dry_run | clean
            .field("status", .string, .required)   // queued | running | succeeded | failed | needs_reconnect | timed_out | cancelled | abandoned | interrupted
            .field("engine", .string)
            .field("attempt", .int, .required)
            .field("scheduled_for", .datetime)
            .field("queued_at", .datetime, .required)
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .field("duration_ms", .int)
            .field("exit_code", .int)
            .field("created_count", .int)
            .field("updated_count", .int)
            .field("deleted_count", .int)
            .field("error_summary", .string)
            .field("failure_class", .string)  // transient | reconnect | configuration | calendar_gone | write_refused
            .field("reconnect_account_id", .uuid)
            .field("worker_id", .string)
            .field("lease_expires_at", .datetime)
            .field("cancel_requested", .bool, .required, .sql(.default(false)))
            .field("log_line_count", .int, .required, .sql(.default(0)))
            .field("log_dropped_count", .int, .required, .sql(.default(0)))
            .create()
        let sql = database.sql()
        try await sql.create(index: "idx_job_runs_job_started").on("job_runs").column("job_id").column("started_at").run()
        try await sql.create(index: "idx_job_runs_job_queued").on("job_runs").column("job_id").column("queued_at").run()
        try await sql.create(index: "idx_job_runs_status_lease").on("job_runs").column("status").column("lease_expires_at").run()
        // At most one active run per job, whatever the number of workers: the database refuses a second one.
        // A fixed statement (no values spliced in); partial indexes exist in both SQLite and PostgreSQL.
        try await sql.raw("CREATE UNIQUE INDEX uq_job_runs_one_active ON job_runs (job_id) WHERE status IN ('queued', 'running')").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("job_runs").delete()
    }
}
