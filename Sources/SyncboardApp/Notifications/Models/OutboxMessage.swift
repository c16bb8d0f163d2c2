import Fluent
import Foundation

/// One message to one destination (an email address, or a webhook endpoint), carrying one or more notices
/// (`OutboxItem`). Written in the transaction that creates its notices; claimed by a worker with a lease.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Channel: String, Codable, Sendable, CaseIterable { case email, webhook }

    enum Status: String, Codable, Sendable, CaseIterable {
        /// Waiting for `deliver_after` (the digest window, or the next retry).
        case pending
        /// A worker holds it (until `lease_expires_at`).
        case claimed
        case sent
        /// Given up after the last attempt, or its destination is gone.
        case failed
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "channel") var channel: Channel
    /// The email address, or the webhook endpoint's id.
    @Field(key: "destination") var destination: String
    /// Unique: one message per notice and destination (or digest), whoever writes it, however often.
    @Field(key: "dedup_key") var dedupKey: String
    @Field(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @Field(key: "deliver_after") var deliverAfter: Date
    @OptionalField(key: "lease_owner") var leaseOwner: String?
    @OptionalField(key: "lease_expires_at") var leaseExpiresAt: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(userID: UUID, channel: Channel, destination: String, dedupKey: String, deliverAfter: Date, createdAt: Date) {
        self.$user.id = userID
        self.channel = channel
        self.destination = destination
        self.dedupKey = dedupKey
        self.status = .pending
        self.attempts = 0
        self.deliverAfter = deliverAfter
        self.createdAt = createdAt
    }
}

/// A notice carried by an outbox message (a digest carries several).
final class OutboxItem: Model, @unchecked Sendable {
    static let schema = "outbox_items"

    @ID(key: .id) var id: UUID?
    @Parent(key: "message_id") var message: OutboxMessage
    @Parent(key: "notice_id") var notice: Notice

    init() {}

    init(messageID: UUID, noticeID: UUID) {
        self.$message.id = messageID
        self.$notice.id = noticeID
    }
}
