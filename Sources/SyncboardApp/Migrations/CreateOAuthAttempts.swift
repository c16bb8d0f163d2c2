import Fluent

/// Sign-in and link attempts in flight: state (stored as a digest), the browser they are bound to, the nonce and
/// the PKCE verifier (encrypted). Each is used once and expires within minutes.
struct CreateOAuthAttempts: AsyncMigration {
    var name: String { "2026-11-24-08-create-oauth-attempts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("oauth_attempts")
            .field("id", .string, .identifier(auto: false))  // SHA-256 of the state parameter
            .field("purpose", .string, .required)            // sign_in | link | reconnect
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("browser_binding", .string, .required)    // SHA-256 of the binding cookie
            .field("nonce", .string, .required)
            .field("code_verifier", .string, .required)      // ciphertext envelope
            .field("login_hint", .string)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("oauth_attempts").delete()
    }
}
