import Fluent
import Foundation

/// A user's HTTPS endpoint for notification events. The signing secret is shown once when the endpoint is added
/// and stored only as a `TokenVault` envelope; so is the URL, since a Slack incoming-webhook URL is itself a secret.
final class WebhookEndpoint: Model, @unchecked Sendable {
    static let schema = "webhook_endpoints"

    enum Format: String, Codable, Sendable, CaseIterable {
        /// Syncboard's own versioned JSON event, signed (see docs/notifications.md).
        case syncboard
        /// Slack's incoming-webhook body (`{"text": …}`), for Slack and the many chat tools that accept it.
        case slack
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    /// The URL as a `TokenVault` envelope.
    @Field(key: "url") var urlCiphertext: String
    /// Scheme, host and the path's first characters: enough to tell endpoints apart, never the whole secret URL.
    @Field(key: "display_url") var displayURL: String
    @Field(key: "format") var format: Format
    @Field(key: "secret") var secretCiphertext: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, userID: UUID, urlCiphertext: String, displayURL: String, format: Format, secretCiphertext: String, createdAt: Date) {
        self.id = id
        self.$user.id = userID
        self.urlCiphertext = urlCiphertext
        self.displayURL = displayURL
        self.format = format
        self.secretCiphertext = secretCiphertext
        self.createdAt = createdAt
    }

    static func vaultContext(_ column: String, id: UUID) -> String { "webhook_endpoints.\(column):\(id.uuidString)" }
}
