import Fluent
import Foundation

/// About how long ago an account's current refresh token was granted: when the daily check first saw it, else
/// when the account was linked. Google expires refresh tokens of OAuth clients in "Testing" publishing status
/// seven days after the grant, so a grant that dies at that age points to that cause.
enum AccountGrantAge {
    static func age(of account: LinkedAccount, on db: any Database, now: Date) async throws -> TimeInterval? {
        let accountID = try account.requireID()
        let check = try await AccountCheck.query(on: db).filter(\.$account.$id == accountID).first()
        guard let granted = check?.grantSeenAt ?? account.createdAt else { return nil }
        return now.timeIntervalSince(granted)
    }

    /// Six to eight days: Google's seven-day expiry for clients in "Testing", with the daily check's slack.
    static func looksLikeTestingExpiry(_ age: TimeInterval?) -> Bool {
        guard let age else { return false }
        return (6 * 86_400)...(8.5 * 86_400) ~= age
    }

    static let testingExplanation = """
        This happened about seven days after the account was connected. Google ends refresh tokens after seven days \
        when the OAuth client is in "Testing" publishing status. The operator of this Syncboard can fix it for good: \
        Google Cloud console → APIs & Services → OAuth consent screen → Publishing status → "Publish app" (the \
        calendar scope then needs Google's verification, or the app stays limited to its test users). Until then, \
        reconnect the account each week.
        """
}
