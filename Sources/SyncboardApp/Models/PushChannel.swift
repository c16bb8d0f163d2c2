import Fluent
import Foundation
import SyncboardCore

/// One way a source calendar tells Syncboard of its changes, looked after by whichever process holds its lease
/// (`ChannelKeeper`): a Google `events.watch` channel (see `CreatePushChannels`), or a Microsoft Graph change-notification
/// subscription (`AddProviderToPushChannels`). Its token (Google's channel token, Graph's `clientState`) is a secret:
/// only its SHA-256 digest is stored.
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
    /// Whose channel it is: the watched calendar's provider.
    @Field(key: "provider") var provider: ProviderKind
    /// The watched calendar (nil once it is no longer linked: the channel is then stopped).
    @OptionalParent(key: "calendar_id") var calendar: LinkedCalendar?
    @Field(key: "google_calendar_id") var providerCalendarID: String
    /// The channel id Google echoes in X-Goog-Channel-ID; for Microsoft, Graph's subscription id once it is created
    /// (a random placeholder while it is being created), which every notification names as `subscriptionId`.
    @Field(key: "channel_id") var channelID: String
    /// Google's resource id; for Microsoft the subscription id again (set once the subscription exists).
    @OptionalField(key: "resource_id") var resourceID: String?
    @Field(key: "token_digest") var tokenDigest: String
    @Field(key: "status") var status: Status
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "worker_id") var workerID: String?
    @OptionalField(key: "lease_expires_at") var leaseExpiresAt: Date?
    @OptionalField(key: "last_message_at") var lastMessageAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "stopped_at") var stoppedAt: Date?
    /// A Graph lifecycle notification not yet acted on (`reauthorizationRequired`, `subscriptionRemoved`, `missed`):
    /// written by the lifecycle endpoint, handled by the keeper holding the lease.
    @OptionalField(key: "lifecycle_event") var lifecycleEvent: String?

    init() {}

    init(calendarID: UUID, provider: ProviderKind = .google, providerCalendarID: String, channelID: String, tokenDigest: String, workerID: String,
         lease: Date, now: Date) {
        self.$calendar.id = calendarID
        self.provider = provider
        self.providerCalendarID = providerCalendarID
        self.channelID = channelID
        self.tokenDigest = tokenDigest
        self.status = .opening
        self.workerID = workerID
        self.leaseExpiresAt = lease
        self.createdAt = now
    }
}
