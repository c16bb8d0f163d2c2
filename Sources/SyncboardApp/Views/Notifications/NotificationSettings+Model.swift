import Foundation

/// What the notification settings page shows.
struct NotificationSettingsModel: Sendable {
    let signInEmail: String
    let emailEnabled: Bool
    /// A confirmed address other than the sign-in one.
    let confirmedEmail: String?
    /// An address waiting for its confirmation link.
    let pendingEmail: String?
    let categories: Set<NoticeCategory>
    let digestMinutes: Int
    /// Whether this server can send email at all (SYNCBOARD_SMTP_URL).
    let emailConfigured: Bool
    let webhooks: [Webhook]
    let deliveries: [Delivery]

    struct Webhook: Sendable {
        let id: UUID
        let displayURL: String
        let format: WebhookEndpoint.Format
        let createdAt: Date
    }

    struct Delivery: Sendable {
        struct Attempt: Sendable {
            let number: Int
            let startedAt: Date
            let result: DeliveryAttempt.Result
            let detail: String?
        }

        let id: UUID
        let channel: OutboxMessage.Channel
        let destination: String
        let titles: [String]
        let status: OutboxMessage.Status
        let createdAt: Date
        let nextAttemptAt: Date?
        let attempts: [Attempt]
    }

    var deliversTo: String { confirmedEmail ?? signInEmail }
}
