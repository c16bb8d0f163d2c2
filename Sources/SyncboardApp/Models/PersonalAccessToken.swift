import Fluent
import Foundation

/// A personal access token for the JSON API (see `CreatePersonalAccessTokens`). Only the SHA-256 digest of the
/// secret is stored; the secret itself is shown once, when the token is created. Revoking deletes the row.
final class PersonalAccessToken: Model, @unchecked Sendable {
    static let schema = "personal_access_tokens"

    enum Scope: String, Codable, Sendable, CaseIterable {
        case readOnly = "read_only"
        case readWrite = "read_write"

        var label: String { self == .readOnly ? "Read-only" : "Read and write" }
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "scope") var scope: Scope
    /// Hex SHA-256 of the whole secret (`sbp_…`): what a request's token is looked up by.
    @Field(key: "token_digest") var tokenDigest: String
    /// The first characters of the secret (`sbp_` and four more), so a person can tell tokens apart.
    @Field(key: "display_prefix") var displayPrefix: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}

    init(userID: UUID, name: String, scope: Scope, tokenDigest: String, displayPrefix: String, createdAt: Date, expiresAt: Date?) {
        self.$user.id = userID
        self.name = name
        self.scope = scope
        self.tokenDigest = tokenDigest
        self.displayPrefix = displayPrefix
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    func isExpired(at now: Date) -> Bool { expiresAt.map { now >= $0 } ?? false }
}
