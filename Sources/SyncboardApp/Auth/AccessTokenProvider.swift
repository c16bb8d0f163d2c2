import Fluent
import Foundation
import SyncboardCore

/// Hands out a usable access token for a linked account, refreshing it shortly before it expires, at the account's
/// own provider (Google, or Microsoft's identity platform).
///
/// A refresh that the provider refuses for good (Google's invalid_grant; Microsoft's invalid_grant or a consent
/// needed again) marks the account "needs reconnect" so the UI can offer Reconnect, and throws `needsReconnect`;
/// nothing else changes the account's status. A refresh token the provider replaced (Microsoft's rotate on every
/// use) is stored in the same write as the new access token.
struct AccessTokenProvider {
    let db: any Database
    let vault: TokenVault
    let google: GoogleAuthService
    /// Microsoft's identity platform (nil when not configured: Microsoft accounts then cannot be refreshed).
    var microsoft: MicrosoftAuthService? = nil
    /// Refresh when the token has less than this left.
    var margin: TimeInterval = 300

    enum Failure: Error, CustomStringConvertible {
        case needsReconnect(accountID: UUID, email: String, provider: ProviderKind)
        /// The account's provider is not configured in this process.
        case notSetUp(ProviderKind)
        case unavailable(String)

        var description: String {
            switch self {
            case .needsReconnect(_, let email, let provider): return "\(provider.displayName) no longer accepts Syncboard's access to \(email): reconnect the account"
            case .notSetUp(let provider): return "\(provider.displayName) is not set up on this server, so its accounts cannot be used (see .env.example)"
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
        try await tokens(for: account, now: now, forceRefresh: forceRefresh, rereadWhenRefused: true)
    }

    /// - Parameter rereadWhenRefused: a refused refresh token is first compared with the one stored now: another
    ///   process (a run of another job, the daily check) may have refreshed the account since `account` was read, and
    ///   a provider that rotates refresh tokens then refuses the one read before. The stored tokens are used instead
    ///   (refreshed once more only if their access token is close to its end).
    private func tokens(for account: LinkedAccount, now: Date, forceRefresh: Bool, rereadWhenRefused: Bool) async throws -> Tokens {
        let accountID = try account.requireID()
        guard account.status == .active, let refreshEnvelope = account.refreshTokenCiphertext else {
            throw Failure.needsReconnect(accountID: accountID, email: account.email, provider: account.provider)
        }
        let refreshToken = try vault.open(refreshEnvelope, context: account.vaultContext("refresh_token"))
        if !forceRefresh, let envelope = account.accessTokenCiphertext, let expiry = account.accessTokenExpiresAt,
           expiry.timeIntervalSince(now) > margin {
            return Tokens(accessToken: try vault.open(envelope, context: account.vaultContext("access_token")),
                          refreshToken: refreshToken, expiresAt: expiry)
        }
        let grant: GoogleAuthService.TokenGrant
        do {
            grant = try await refresh(refreshToken, of: account.provider)
        } catch let refused as GrantRefused {
            if rereadWhenRefused, let stored = try await LinkedAccount.find(accountID, on: db),
               let envelope = stored.refreshTokenCiphertext, envelope != refreshEnvelope, stored.status == .active {
                // Its access token is the other refresh's, newer than the one this caller may have seen refused.
                return try await tokens(for: stored, now: now, forceRefresh: false, rereadWhenRefused: false)
            }
            account.status = .needsReauth
            account.lastError = "\(account.provider.displayName) refused the refresh token (\(refused.reason)) on \(now.formatted(.iso8601))."
            account.accessTokenCiphertext = nil
            account.accessTokenExpiresAt = nil
            try await account.save(on: db)
            throw Failure.needsReconnect(accountID: accountID, email: account.email, provider: account.provider)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.unavailable(String(describing: error))
        }
        let expiresAt = now.addingTimeInterval(TimeInterval(grant.expiresIn))
        account.accessTokenCiphertext = try vault.seal(grant.accessToken, context: account.vaultContext("access_token"))
        account.accessTokenExpiresAt = expiresAt
        // One save for both: a rotated refresh token stored apart from its access token could be lost (Microsoft's
        // old one no longer works once the new one is issued).
        var storedRefresh = refreshToken
        if let rotated = grant.refreshToken, rotated != refreshToken {
            account.refreshTokenCiphertext = try vault.seal(rotated, context: account.vaultContext("refresh_token"))
            storedRefresh = rotated
        }
        try await account.save(on: db)
        return Tokens(accessToken: grant.accessToken, refreshToken: storedRefresh, expiresAt: expiresAt)
    }

    /// The provider refused the grant for good (the account must be reconnected); `reason` in its words, no secret.
    private struct GrantRefused: Error { let reason: String }

    private func refresh(_ refreshToken: String, of provider: ProviderKind) async throws -> GoogleAuthService.TokenGrant {
        switch provider {
        case .google:
            do { return try await google.refresh(refreshToken) }
            catch GoogleAuthFailure.invalidGrant { throw GrantRefused(reason: "revoked or expired") }
        case .microsoft:
            guard let microsoft else { throw Failure.notSetUp(.microsoft) }
            do { return try await microsoft.refresh(refreshToken) }
            catch MicrosoftAuthFailure.grantRefused(let detail) { throw GrantRefused(reason: detail) }
        default:
            throw Failure.notSetUp(provider)
        }
    }
}
