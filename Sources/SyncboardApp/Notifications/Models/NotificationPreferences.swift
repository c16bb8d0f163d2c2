import Fluent
import Foundation

/// One user's notification choices (see `CreateNotifications`). A user without a row has the defaults: email to
/// the sign-in address, every category, a five-minute digest window, a message after three transient failures.
final class NotificationPreferences: Model, @unchecked Sendable {
    static let schema = "notification_preferences"

    static let defaultDigestMinutes = 5
    static let defaultFailureThreshold = 3

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "email_enabled") var emailEnabled: Bool
    /// A confirmed address other than the sign-in one (nil: the sign-in address).
    @OptionalField(key: "email_address") var emailAddress: String?
    /// An address waiting for its confirmation link; only the SHA-256 of the link's code is stored.
    @OptionalField(key: "pending_email") var pendingEmail: String?
    @OptionalField(key: "pending_email_digest") var pendingEmailDigest: String?
    @OptionalField(key: "pending_email_expires_at") var pendingEmailExpiresAt: Date?
    /// Comma-separated `NoticeCategory` raw values the user wants messages for.
    @Field(key: "categories") var storedCategories: String
    @Field(key: "digest_minutes") var digestMinutes: Int
    @Field(key: "failure_threshold") var failureThreshold: Int
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(userID: UUID) {
        self.$user.id = userID
        self.emailEnabled = true
        self.storedCategories = NoticeCategory.allCases.map(\.rawValue).joined(separator: ",")
        self.digestMinutes = Self.defaultDigestMinutes
        self.failureThreshold = Self.defaultFailureThreshold
    }

    var categories: Set<NoticeCategory> {
        get { Set(storedCategories.split(separator: ",").compactMap { NoticeCategory(rawValue: String($0)) }) }
        set { storedCategories = NoticeCategory.allCases.filter(newValue.contains).map(\.rawValue).joined(separator: ",") }
    }

    /// The user's row, or the defaults (not saved) when there is none.
    static func of(userID: UUID, on db: any Database) async throws -> NotificationPreferences {
        try await query(on: db).filter(\.$user.$id == userID).first() ?? NotificationPreferences(userID: userID)
    }
}

/// What a notice is about; each category can be turned off, and each email carries a one-click unsubscribe for it.
enum NoticeCategory: String, Codable, Sendable, CaseIterable {
    /// A job needs the user, or keeps failing.
    case problems
    /// A job that had a problem works again.
    case recoveries
    /// A linked account's grant was revoked or expired (the daily check).
    case accounts

    var label: String {
        switch self {
        case .problems: return "Problems with a sync job"
        case .recoveries: return "All-clear when a job works again"
        case .accounts: return "Linked accounts that must be reconnected"
        }
    }
}
