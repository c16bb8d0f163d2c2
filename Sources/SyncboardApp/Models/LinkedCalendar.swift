import Fluent
import Foundation
import SyncboardCore

/// A calendar a linked account can see, from Google's calendarList.
final class LinkedCalendar: Model, @unchecked Sendable {
    static let schema = "calendars"

    @ID(key: .id) var id: UUID?
    @Parent(key: "account_id") var account: LinkedAccount
    /// Its account's provider, kept on the calendar so that queries and pages need not join the account.
    @Field(key: "provider") var provider: ProviderKind
    /// The calendar's id at its provider (Google's calendarList id); the column keeps its first name.
    @Field(key: "google_id") var providerCalendarID: String
    @Field(key: "summary") var summary: String
    @OptionalField(key: "time_zone") var timeZone: String?
    @Field(key: "access_role") var accessRole: String
    @OptionalField(key: "background_color") var backgroundColor: String?
    @Field(key: "is_primary") var isPrimary: Bool
    /// Set when the calendar no longer appears in the account's calendarList.
    @OptionalField(key: "removed_at") var removedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "refreshed_at") var refreshedAt: Date

    init() {}

    /// Whether the account can create and change events in it.
    var isWritable: Bool { accessRole == "owner" || accessRole == "writer" }
}
