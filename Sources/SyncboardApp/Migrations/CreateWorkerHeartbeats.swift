import Fluent

/// One row per running scheduler (in `serve` or `worker`), refreshed while it lives; /readyz reads it.
struct CreateWorkerHeartbeats: AsyncMigration {
    var name: String { "2026-11-24-10-create-worker-heartbeats" }

    func prepare(on database: any Database) async throws {
        try await database.schema("worker_heartbeats")
            .field("id", .string, .identifier(auto: false))  // the worker id
            .field("role", .string, .required)               // serve | worker
            .field("hostname", .string, .required)
            .field("pid", .int, .required)
            .field("started_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("active_runs", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("worker_heartbeats").delete()
    }
}
