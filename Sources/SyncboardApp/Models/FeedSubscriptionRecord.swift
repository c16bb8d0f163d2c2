import Fluent
import Foundation

/// A published calendar's address and health (`CreateFeedSubscriptions`): one per feed calendar.
final class FeedSubscriptionRecord: Model, @unchecked Sendable {
    static let schema = "feed_subscriptions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "calendar_id") var calendar: LinkedCalendar
    /// The address as fetched, without credentials (pages show `FeedURL`'s redacted form of it).
    @Field(key: "address") var address: String
    /// `user:password`, sealed with the vault (context `vaultContext`); nil when the address had none.
    @OptionalField(key: "credentials") var credentialsCiphertext: String?
    @Field(key: "name") var name: String
    @Field(key: "refresh_minutes") var refreshMinutes: Int
    @OptionalField(key: "last_fetched_at") var lastFetchedAt: Date?
    @OptionalField(key: "last_status") var lastStatus: Int?
    @OptionalField(key: "last_not_modified") var lastNotModified: Bool?
    @OptionalField(key: "last_events_read") var lastEventsRead: Int?
    /// VEVENTs (read and left out) at the last fetch that had a body: an emptied feed is refused after a restart too.
    @OptionalField(key: "last_event_count") var lastEventCount: Int?
    @OptionalField(key: "last_error") var lastError: String?
    /// Fetches that failed in a row (`AddFeedRefreshAndFailures`): at the user's failure threshold the feed's incident
    /// opens and they are told once; the next good fetch closes it.
    @Field(key: "consecutive_failures") var consecutiveFailures: Int
    /// Not stored: the soonest next run of an enabled job that reads the feed, when a page or the API looked it up
    /// (`AccountsAPIController.feeds(of:on:)`).
    var nextFetchAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, calendarID: UUID, address: String, name: String, refreshMinutes: Int) {
        self.id = id
        self.$calendar.id = calendarID
        self.address = address
        self.name = name
        self.refreshMinutes = refreshMinutes
        self.consecutiveFailures = 0
    }

    /// The associated-data context binding the sealed credentials to this feed.
    static func vaultContext(_ id: UUID) -> String { "feed_subscriptions.credentials:\(id.uuidString)" }
}
