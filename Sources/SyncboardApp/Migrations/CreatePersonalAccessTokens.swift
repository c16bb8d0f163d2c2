import Fluent

/// Personal access tokens for the JSON API. `token_digest` is the SHA-256 of the secret, unique, so a copy of the
/// database holds no usable token; deleting a row revokes the token for the next request.
struct CreatePersonalAccessTokens: AsyncMigration {
    var name: String { "2026-11-25-17-create-personal-access-tokens" }

    func prepare(on database: any Database) async throws {
        try await database.schema("personal_access_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("scope", .string, .required)
            .field("token_digest", .string, .required)
            .field("display_prefix", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("expires_at", .datetime)
            .unique(on: "token_digest")
            .create()
        try await database.sql().create(index: "idx_personal_access_tokens_user").on("personal_access_tokens").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("personal_access_tokens").delete()
    }
}
