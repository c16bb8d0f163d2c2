import Fluent
import Foundation

/// A sign-in, link or reconnect in flight, between the redirect to Google and the callback (see `CreateOAuthAttempts`).
final class OAuthAttempt: Model, @unchecked Sendable {
    static let schema = "oauth_attempts"

    enum Purpose: String, Codable, Sendable {
        case signIn = "sign_in"
        case link
        case reconnect
    }

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "purpose") var purpose: Purpose
    @OptionalParent(key: "user_id") var user: User?
    @Field(key: "browser_binding") var browserBinding: String
    @Field(key: "nonce") var nonce: String
    @Field(key: "code_verifier") var codeVerifierCiphertext: String
    @OptionalField(key: "login_hint") var loginHint: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}
