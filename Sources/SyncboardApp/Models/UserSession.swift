import Fluent
import Foundation

/// A signed-in browser. The primary key is the SHA-256 digest of the cookie's token (see `CreateSessions`).
final class UserSession: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Parent(key: "user_id") var user: User
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "user_agent") var userAgent: String?

    init() {}

    init(digest: String, userID: UUID, csrfToken: String, now: Date, expiresAt: Date, userAgent: String?) {
        self.id = digest
        self.$user.id = userID
        self.csrfToken = csrfToken
        self.createdAt = now
        self.lastSeenAt = now
        self.expiresAt = expiresAt
        self.userAgent = userAgent.map { String($0.prefix(200)) }
    }
}
