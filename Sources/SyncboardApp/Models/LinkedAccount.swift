import Fluent
import Foundation
import SyncboardCore

/// An account at a calendar provider (Google today) linked to a user. Its tokens are stored only as `TokenVault`
/// envelopes. The table keeps its first name, and the vault's contexts with it (renaming them would make every stored
/// token unreadable).
final class LinkedAccount: Model, @unchecked Sendable {
    static let schema = "google_accounts"

    enum Status: String, Codable, Sendable, CaseIterable {
        case active
        /// Google refused the refresh token (revoked, expired): the user must reconnect.
        case needsReauth = "needs_reauth"
        case revoked
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    /// The identity provider whose `subject` this is; a subject is unique within its provider only.
    @Field(key: "provider") var provider: ProviderKind
    @Field(key: "subject") var subject: String
    @Field(key: "email") var email: String
    @OptionalField(key: "display_name") var displayName: String?
    @OptionalField(key: "picture_url") var pictureURL: String?
    @Field(key: "status") var status: Status
    @Field(key: "granted_scopes") var grantedScopes: String
    @OptionalField(key: "refresh_token") var refreshTokenCiphertext: String?
    @OptionalField(key: "access_token") var accessTokenCiphertext: String?
    @OptionalField(key: "access_token_expires_at") var accessTokenExpiresAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "calendars_refreshed_at") var calendarsRefreshedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Children(for: \.$account) var calendars: [LinkedCalendar]

    init() {}

    init(id: UUID? = nil, userID: UUID, provider: ProviderKind = .google, subject: String, email: String, displayName: String?, grantedScopes: String) {
        self.id = id
        self.$user.id = userID
        self.provider = provider
        self.subject = subject
        self.email = email
        self.displayName = displayName
        self.status = .active
        self.grantedScopes = grantedScopes
    }

    /// The associated-data context binding a token ciphertext to this account and column.
    func vaultContext(_ column: String) -> String { "google_accounts.\(column):\(subject)" }
}
