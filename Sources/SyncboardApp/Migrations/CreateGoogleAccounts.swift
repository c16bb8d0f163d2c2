import Fluent

/// Google accounts linked to a user. A Google subject belongs to one user only; tokens are stored encrypted.
struct CreateGoogleAccounts: AsyncMigration {
    var name: String { "2026-11-24-02-create-google-accounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("google_accounts")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("subject", .string, .required)
            .field("email", .string, .required)
            .field("display_name", .string)
            .field("picture_url", .string)
            .field("status", .string, .required)  // active | needs_reauth | revoked
            .field("granted_scopes", .string, .required)
            .field("refresh_token", .string)  // ciphertext envelope, see TokenVault
            .field("access_token", .string)   // ciphertext envelope
            .field("access_token_expires_at", .datetime)
            .field("last_error", .string)
            .field("calendars_refreshed_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime)
            .unique(on: "subject", name: "uq_google_accounts_subject")
            .create()
        try await database.sql().create(index: "idx_google_accounts_user").on("google_accounts").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("google_accounts").delete()
    }
}
