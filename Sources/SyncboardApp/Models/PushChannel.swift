import Fluent
import Foundation

/// One `events.watch` channel on a source calendar (see `CreatePushChannels`), looked after by whichever process
/// holds its lease (`ChannelKeeper`). Its token is a secret: only its SHA-256 digest is stored.
final class PushChannel: Model, @unchecked Sendable {
    static let schema = "push_channels"

    enum Status: String, Codable, Sendable {
        /// Being opened (events.watch in flight).
        case opening
        case active
        /// No enabled real-time job needs it any more: channels.stop is due.
        case stopping
        case stopped
    }

    @ID(key: .id) var id: UUID?
    /// The watched calendar (nil once it is no longer linked: the channel is then stopped).
    @OptionalParent(key: "calendar_id") var calendar: LinkedCalendar?
    @Field(key: "google_calendar_id") var providerCalendarID: String
    /// The channel id Google echoes in X-Goog-Channel-ID.
    @Field(key: "channel_id") var channelID: String
    @OptionalField(key: "resource_id") var resourceID: String?
    @Field(key: "token_digest") var tokenDigest: String
    @Field(key: "status") var status: Status
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "worker_id") var workerID: String?
    @OptionalField(key: "lease_expires_at") var leaseExpiresAt: Date?
    @OptionalField(key: "last_message_at") var lastMessageAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "stopped_at") var stoppedAt: Date?

    init() {}

    init(calendarID: UUID, providerCalendarID: String, channelID: String, tokenDigest: String, workerID: String, lease: Date, now: Date) {
        self.$calendar.id = calendarID
        self.providerCalendarID = providerCalendarID
        self.channelID = channelID
        self.tokenDigest = tokenDigest
        self.status = .opening
        self.workerID = workerID
        self.leaseExpiresAt = lease
        self.createdAt = now
    }
}
