import Fluent
import Foundation

/// When a linked account is next checked on its own (a token refresh), and what the last check found.
final class AccountCheck: Model, @unchecked Sendable {
    static let schema = "account_checks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "account_id") var account: LinkedAccount
    @Field(key: "next_check_at") var nextCheckAt: Date
    @OptionalField(key: "last_checked_at") var lastCheckedAt: Date?
    @OptionalField(key: "last_result") var lastResult: String?
    /// A hash of the refresh token last seen, and when a new one was first seen: about when it was granted.
    @OptionalField(key: "refresh_fingerprint") var refreshFingerprint: String?
    @OptionalField(key: "grant_seen_at") var grantSeenAt: Date?

    init() {}

    init(accountID: UUID, nextCheckAt: Date) {
        self.$account.id = accountID
        self.nextCheckAt = nextCheckAt
    }
}
