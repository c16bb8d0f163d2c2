import Foundation
import MicrosoftClient

/// The seams to Microsoft the app uses (issue 28), as GoogleServices are Google's: the identity platform for linking
/// and refreshing accounts, Graph's calendar list for discovery, and the Graph client the built-in engine writes
/// through. Nil on the app's services when no app registration is configured.
struct MicrosoftServices: Sendable {
    var auth: MicrosoftAuthService
    /// The account's calendars from Graph `/me/calendars`, in the shape calendar discovery stores.
    var calendars: GoogleCalendarService
    /// The Graph client the built-in engine reaches Outlook calendars through (nil in tests that fake the seams above).
    var graphAPI: GraphAPIClient?
}

/// What the app needs from the Microsoft identity platform v2.0: the seam between the link flow and the HTTP client.
/// The authorization request and the token grant have the same shape as Google's.
struct MicrosoftAuthService: Sendable {
    /// The URL to send the browser to (code flow with PKCE S256, state and nonce; the calendar-sync scopes).
    var authorizationURL: @Sendable (_ request: GoogleAuthService.AuthorizationRequest) -> URL
    /// Redeems an authorization code with its PKCE verifier.
    var exchangeCode: @Sendable (_ code: String, _ codeVerifier: String, _ redirectURI: String) async throws -> GoogleAuthService.TokenGrant
    /// Verifies an ID token (signature from the tenant's keys, issuer for the token's tenant, audience, times, nonce).
    var verifyIDToken: @Sendable (_ idToken: String, _ nonce: String) async throws -> MicrosoftIdentity
    /// A new access token and the refresh token that replaces the one used (Microsoft's rotate on every use);
    /// throws `MicrosoftAuthFailure.grantRefused` when the grant is gone or needs consent again.
    var refresh: @Sendable (_ refreshToken: String) async throws -> GoogleAuthService.TokenGrant
}

/// Who a verified Microsoft ID token names.
struct MicrosoftIdentity: Sendable, Equatable {
    /// `sub`: stable for this app registration (pairwise); the account's subject in Syncboard.
    var subject: String
    var tenantID: String
    /// `email`, else `preferred_username`; nil when the token has neither (Graph `/me` is asked then).
    var email: String?
    var name: String?
}

/// Failures of the identity platform the app tells apart. Messages never contain a token, code or secret.
enum MicrosoftAuthFailure: Error, CustomStringConvertible {
    /// `invalid_grant`, or consent (or another interaction) needed again: the account must be reconnected.
    case grantRefused(String)
    case invalidIDToken(reason: String)
    case other(String)

    var description: String {
        switch self {
        case .grantRefused(let detail): "Microsoft refused the authorization (\(detail))"
        case .invalidIDToken(let reason): "Microsoft's identity token was not valid: \(reason)"
        case .other(let message): message
        }
    }
}
