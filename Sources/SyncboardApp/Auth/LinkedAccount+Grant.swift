import Foundation

extension LinkedAccount {
    /// Writes a grant from the provider's token endpoint into the account, encrypted, and marks it usable again; an
    /// account left without a refresh token (the provider granted no offline access) needs reconnecting.
    /// One place for Google's and Microsoft's linking, so both store tokens the same way.
    func store(_ grant: GoogleAuthService.TokenGrant, email: String, name: String?, vault: TokenVault,
               withoutOfflineAccess: String) throws {
        self.email = email
        displayName = name
        grantedScopes = grant.scope
        accessTokenCiphertext = try vault.seal(grant.accessToken, context: vaultContext("access_token"))
        accessTokenExpiresAt = Date().addingTimeInterval(TimeInterval(grant.expiresIn))
        if let refresh = grant.refreshToken {
            refreshTokenCiphertext = try vault.seal(refresh, context: vaultContext("refresh_token"))
        }
        if refreshTokenCiphertext != nil {
            status = .active
            lastError = nil
        } else {
            status = .needsReauth
            lastError = withoutOfflineAccess
        }
    }
}
