import Fluent
import Foundation

/// Hands out a usable access token for a linked account, refreshing it shortly before it expires.
///
/// A refresh that Google answers with invalid_grant (revoked, expired) marks the account "needs reconnect" so the
/// UI can offer Reconnect, and throws `needsReconnect`; nothing else changes the account's status.
struct AccessTokenProvider {
    let db: any Database
    let vault: TokenVault
    let google: GoogleAuthService
    /// Refresh when the token has less than this left.
    var margin: TimeInterval = 300

    enum Failure: Error, CustomStringConvertible {
        case needsReconnect(accountID: UUID, email: String)
        case unavailable(String)

        var description: String {
            switch self {
            case .needsReconnect(_, let email): return "Google no longer accepts Syncboard's access to \(email): reconnect the account"
            case .unavailable(let detail): return "could not refresh the access token: \(detail)"
            }
        }
    }

    struct Tokens: Sendable {
        var accessToken: String
        var refreshToken: String
        var expiresAt: Date
    }

    /// - Parameter forceRefresh: ignore the stored access token (Google refused it before it expired, e.g. because
    ///   the grant was revoked: the refresh then tells whether the account must be reconnected).
    func tokens(for account: LinkedAccount, now: Date = Date(), forceRefresh: Bool = false) async throws -> Tokens {
        let accountID = try account.requireID()
        guard account.status == .active, let refreshEnvelope = account.refreshTokenCiphertext else {
            throw Failure.needsReconnect(accountID: accountID, email: account.email)
        }
        let refreshToken = try vault.open(refreshEnvelope, context: account.vaultContext("refresh_token"))
        if !forceRefresh, let envelope = account.accessTokenCiphertext, let expiry = account.accessTokenExpiresAt,
           expiry.timeIntervalSince(now) > margin {
            return Tokens(accessToken: try vault.open(envelope, context: account.vaultContext("access_token")),
                          refreshToken: refreshToken, expiresAt: expiry)
        }
        let grant: GoogleAuthService.TokenGrant
        do {
            grant = try await google.refresh(refreshToken)
        } catch GoogleAuthFailure.invalidGrant {
            account.status = .needsReauth
            account.lastError = "Google refused the refresh token (revoked or expired) on \(now.formatted(.iso8601))."
            account.accessTokenCiphertext = nil
            account.accessTokenExpiresAt = nil
            try await account.save(on: db)
            throw Failure.needsReconnect(accountID: accountID, email: account.email)
        } catch {
            throw Failure.unavailable(String(describing: error))
        }
        let expiresAt = now.addingTimeInterval(TimeInterval(grant.expiresIn))
        account.accessTokenCiphertext = try vault.seal(grant.accessToken, context: account.vaultContext("access_token"))
        account.accessTokenExpiresAt = expiresAt
        var storedRefresh = refreshToken
        if let rotated = grant.refreshToken, rotated != refreshToken {
            account.refreshTokenCiphertext = try vault.seal(rotated, context: account.vaultContext("refresh_token"))
            storedRefresh = rotated
        }
        try await account.save(on: db)
        return Tokens(accessToken: grant.accessToken, refreshToken: storedRefresh, expiresAt: expiresAt)
    }
}
