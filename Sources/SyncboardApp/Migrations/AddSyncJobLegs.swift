import Fluent
import SQLKit

/// Jobs beyond one-to-one: a job's kind (a copy into one or more destinations, or a group), its further calendars,
/// each run's result per direction ("leg"), and the built-in engine's state, copies and deletions that stick keyed
/// by leg (source and destination calendar) instead of by job. Existing rows belong to the job's one leg, so every
/// job keeps its sync state and continues incrementally.
struct AddSyncJobLegs: AsyncMigration {
    var name: String { "2026-12-02-01-add-sync-job-legs" }

    /// The keyed tables, each with the columns it had (the same in the new table) and its unique key after `job_id`.
    private static let keyed: [(table: String, columns: [String], unique: [String])] = [  // `unique`: only source_event_id
        ("sync_states", ["id", "job_id", "sync_token", "window_start", "window_end", "definition_fingerprint", "last_full_at",
                         "last_full_reason", "last_run_id", "last_run_at", "incomplete_run_id"], []),
        ("sync_copies", ["id", "job_id", "source_event_id", "destination_event_id", "sync_id", "content_hash"], ["source_event_id"]),
        ("sync_tombstones", ["id", "job_id", "source_event_id", "title", "starts_at", "deleted_seen_at", "restored_at"], ["source_event_id"]),
    ]

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        try await database.schema("sync_jobs").field("kind", .string, .required, .sql(.default("copy"))).update()
        try await database.schema("sync_jobs").field("more_calendar_ids", .json).update()
        try await database.schema("job_runs").field("legs", .json).update()

        // SQLite cannot change a table's unique constraints: each table is made anew with the leg in its key, its
        // rows copied with the job's calendars as their leg, and the old one dropped.
        let sql = database.sql()
        for (table, columns, unique) in Self.keyed {
            let next = "\(table)_next"
            var schema = database.schema(next).id()
                .field("job_id", .uuid, .required, .references("sync_jobs", "id", onDelete: .cascade))
                .field("source_calendar_id", .uuid, .required)
                .field("destination_calendar_id", .uuid, .required)
            schema = Self.fields(of: table, into: schema)
            schema = unique.isEmpty ? schema.unique(on: "job_id", "source_calendar_id", "destination_calendar_id")
                : schema.unique(on: "job_id", "source_calendar_id", "destination_calendar_id", "source_event_id")
            try await schema.create()
            let list = columns.map { "t.\($0)" }.joined(separator: ", ")
            try await sql.raw("""
                INSERT INTO \(unsafeRaw: next) (\(unsafeRaw: columns.joined(separator: ", ")), source_calendar_id, destination_calendar_id)
                SELECT \(unsafeRaw: list), j.source_calendar_id, j.destination_calendar_id FROM \(unsafeRaw: table) t
                JOIN sync_jobs j ON j.id = t.job_id
                WHERE j.source_calendar_id IS NOT NULL AND j.destination_calendar_id IS NOT NULL
                """).run()
            try await database.schema(table).delete()
            try await sql.raw("ALTER TABLE \(unsafeRaw: next) RENAME TO \(unsafeRaw: table)").run()
        }
    }

    /// The table's own columns, as its create migration made them.
    private static func fields(of table: String, into schema: SchemaBuilder) -> SchemaBuilder {
        switch table {
        case "sync_states":
            schema.field("sync_token", .string, .required)
                .field("window_start", .datetime, .required)
                .field("window_end", .datetime, .required)
                .field("definition_fingerprint", .string, .required)
                .field("last_full_at", .datetime, .required)
                .field("last_full_reason", .string, .required)
                .field("last_run_id", .uuid)
                .field("last_run_at", .datetime, .required)
                .field("incomplete_run_id", .uuid)
        case "sync_copies":
            schema.field("source_event_id", .string, .required)
                .field("destination_event_id", .string, .required)
                .field("sync_id", .string, .required)
                .field("content_hash", .string, .required)
        case "sync_tombstones":
            schema.field("source_event_id", .string, .required)
                .field("title", .string, .required)
                .field("starts_at", .datetime, .required)
                .field("deleted_seen_at", .datetime, .required)
                .field("restored_at", .datetime)
        default:
            preconditionFailure("no columns known for \(table)")
        }
    }

    func revert(on database: any Database) async throws {
        // Only the first leg of each job can be kept in the old one-per-job shape; the rest is rebuilt by full runs.
        try await database.schema("sync_copies").delete()
        try await database.schema("sync_states").delete()
        try await database.schema("sync_tombstones").delete()
        try await CreateSyncStates().prepare(on: database)
        try await CreateSyncCopies().prepare(on: database)
        try await CreateSyncTombstones().prepare(on: database)
        try await database.schema("job_runs").deleteField("legs").update()
        try await database.schema("sync_jobs").deleteField("more_calendar_ids").update()
        try await database.schema("sync_jobs").deleteField("kind").update()
    }
}
