import Foundation

/// What the app needs from Google's OAuth 2.0 / OpenID Connect endpoints: the seam between the web flows and the
/// HTTP client, so the flows read as the protocol and tests can drive them against the emulator.
struct GoogleAuthService: Sendable {
    /// The URL to send the browser to.
    var authorizationURL: @Sendable (_ request: AuthorizationRequest) -> URL
    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    var exchangeCode: @Sendable (_ code: String, _ codeVerifier: String, _ redirectURI: String) async throws -> TokenGrant
    /// Verifies an ID token (signature, iss, aud, exp, iat, nonce, email_verified) and returns who it names.
    var verifyIDToken: @Sendable (_ idToken: String, _ nonce: String) async throws -> GoogleIdentity
    /// Gets a new access token for a refresh token; throws `GoogleAuthFailure.invalidGrant` when Google refuses it.
    var refresh: @Sendable (_ refreshToken: String) async throws -> TokenGrant
    /// Revokes a token at Google (refresh tokens revoke their access tokens too).
    var revoke: @Sendable (_ token: String) async throws -> Void

    struct AuthorizationRequest: Sendable {
        var redirectURI: String
        var state: String
        var nonce: String
        var codeChallenge: String
        var prompt: String?
        var loginHint: String?
    }

    struct TokenGrant: Sendable {
        var accessToken: String
        var expiresIn: Int
        var refreshToken: String?
        var scope: String
        var idToken: String?
    }

    struct GoogleIdentity: Sendable {
        var subject: String
        var email: String
        var name: String?
        var picture: String?
    }
}

/// Failures of the OAuth exchange that the flows tell apart. Messages never contain a token, code or secret.
enum GoogleAuthFailure: Error, CustomStringConvertible {
    /// Google refused the code or refresh token (expired, reused, revoked): the account needs reconnecting.
    case invalidGrant
    /// The ID token failed a check; `reason` says which, in words.
    case invalidIDToken(reason: String)
    /// Anything else (network, Google error, unexpected answer), described without secrets.
    case other(String)

    var description: String {
        switch self {
        case .invalidGrant: return "Google refused the authorization (expired, already used or revoked)"
        case .invalidIDToken(let reason): return "Google's identity token was not valid: \(reason)"
        case .other(let message): return message
        }
    }
}
