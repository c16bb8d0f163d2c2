import Fluent
import SQLKit

/// Notifications (issue 15): each user's preferences, incidents (a job or account that needs them, opened once and
/// closed by the all-clear), notices (what the dashboard lists and messages carry), the outbox (one row per message
/// to one destination, claimed with a lease like runs) with its items and every delivery attempt, webhook endpoints
/// (secret sealed by the TokenVault), and the daily check of each linked account.
struct CreateNotifications: AsyncMigration {
    var name: String { "2026-11-27-01-create-notifications" }

    func prepare(on database: any Database) async throws {
        try await database.schema("notification_preferences")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("email_enabled", .bool, .required)
            .field("email_address", .string)
            .field("pending_email", .string)
            .field("pending_email_digest", .string)
            .field("pending_email_expires_at", .datetime)
            .field("categories", .string, .required)
            .field("digest_minutes", .int, .required)
            .field("failure_threshold", .int, .required)
            .field("updated_at", .datetime)
            .unique(on: "user_id")
            .create()

        try await database.schema("incidents")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("job_id", .uuid, .references("sync_jobs", "id", onDelete: .cascade))
            .field("account_id", .uuid, .references("google_accounts", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("failure_class", .string)
            .field("summary", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("run_id", .uuid)
            .create()
        try await database.sql().create(index: "idx_incidents_job_open").on("incidents").column("job_id").column("closed_at").run()
        try await database.sql().create(index: "idx_incidents_account_open").on("incidents").column("account_id").column("closed_at").run()

        try await database.schema("notices")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("incident_id", .uuid)
            .field("job_id", .uuid)
            .field("account_id", .uuid)
            .field("category", .string, .required)
            .field("event", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("action_label", .string, .required)
            .field("action_path", .string, .required)
            .field("dedup_key", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .unique(on: "dedup_key")
            .create()
        try await database.sql().create(index: "idx_notices_user").on("notices").column("user_id").column("created_at").run()

        try await database.schema("outbox_messages")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("destination", .string, .required)
            .field("dedup_key", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("deliver_after", .datetime, .required)
            .field("lease_owner", .string)
            .field("lease_expires_at", .datetime)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "dedup_key")
            .create()
        try await database.sql().create(index: "idx_outbox_due").on("outbox_messages").column("status").column("deliver_after").run()

        try await database.schema("outbox_items")
            .id()
            .field("message_id", .uuid, .required, .references("outbox_messages", "id", onDelete: .cascade))
            .field("notice_id", .uuid, .required, .references("notices", "id", onDelete: .cascade))
            .unique(on: "message_id", "notice_id")
            .create()

        try await database.schema("delivery_attempts")
            .id()
            .field("message_id", .uuid, .required, .references("outbox_messages", "id", onDelete: .cascade))
            .field("attempt", .int, .required)
            .field("worker_id", .string, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("result", .string, .required)
            .field("detail", .string)
            .create()
        try await database.sql().create(index: "idx_delivery_attempts_message").on("delivery_attempts").column("message_id").run()

        try await database.schema("webhook_endpoints")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("display_url", .string, .required)
            .field("format", .string, .required)
            .field("secret", .string, .required)
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema("account_checks")
            .id()
            .field("account_id", .uuid, .required, .references("google_accounts", "id", onDelete: .cascade))
            .field("next_check_at", .datetime, .required)
            .field("last_checked_at", .datetime)
            .field("last_result", .string)
            .field("refresh_fingerprint", .string)
            .field("grant_seen_at", .datetime)
            .unique(on: "account_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["account_checks", "webhook_endpoints", "delivery_attempts", "outbox_items", "outbox_messages", "notices",
                      "incidents", "notification_preferences"] {
            try await database.schema(table).delete()
        }
    }
}
