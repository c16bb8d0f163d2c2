import Fluent
import GoogleClient
import Foundation
import SyncboardCore
import Vapor

/// Starts a sign-in, link or reconnect: records the attempt and returns where to send the browser.
///
/// The attempt is bound to this browser by a random cookie (only its digest is stored), carries a nonce for the
/// ID token and a PKCE verifier (encrypted at rest), and expires in ten minutes. Only the digest of `state` is
/// stored, so the database alone cannot complete a flow. The same start serves Google (sign-in, link, reconnect) and
/// Microsoft (link, reconnect): an attempt is kept under its provider's own digest of the state (`attemptID`), so
/// one provider's callback never finds, and never consumes, the other's attempt.
struct OAuthStart {
    static let bindingCookie = "syncboard_oauth"
    static let lifetime: TimeInterval = 600
    static let callbackPath = "/auth/google/callback"
    static let microsoftCallbackPath = "/auth/microsoft/callback"

    let request: Request
    let provider: ProviderKind
    let authorizationURL: @Sendable (GoogleAuthService.AuthorizationRequest) -> URL

    init(request: Request, google: GoogleAuthService) {
        self.request = request
        self.provider = .google
        self.authorizationURL = google.authorizationURL
    }

    init(request: Request, microsoft: MicrosoftAuthService) {
        self.request = request
        self.provider = .microsoft
        self.authorizationURL = microsoft.authorizationURL
    }

    /// Where an attempt is stored: the digest of its state, within its provider (Google's as it always was).
    static func attemptID(state: String, provider: ProviderKind) -> String {
        SecureRandom.digest(provider == .google ? state : "\(provider.rawValue):\(state)")
    }

    struct Redirect {
        let url: URL
        let bindingToken: String
    }

    func begin(purpose: OAuthAttempt.Purpose, user: User?, loginHint: String?, prompt: String?) async throws -> Response {
        let state = SecureRandom.token()
        let nonce = SecureRandom.token()
        let verifier = SecureRandom.token(byteCount: 48)  // 64 characters, inside PKCE's 43...128
        // Reuse this browser's binding if it has one (several tabs may sign in at once), else make one.
        let existing = request.cookies[Self.bindingCookie]?.string ?? ""
        let binding = existing.count >= 43 ? existing : SecureRandom.token()
        let now = Date()

        let attempt = OAuthAttempt()
        attempt.id = Self.attemptID(state: state, provider: provider)
        attempt.purpose = purpose
        attempt.$user.id = try user?.requireID()
        attempt.browserBinding = SecureRandom.digest(binding)
        attempt.nonce = nonce  // not a secret: it only ties the ID token to this attempt
        attempt.codeVerifierCiphertext = try request.application.syncboard.vault.seal(
            verifier, context: "oauth_attempts.code_verifier:\(attempt.id!)")
        attempt.loginHint = loginHint
        attempt.createdAt = now
        attempt.expiresAt = now.addingTimeInterval(Self.lifetime)
        try await attempt.create(on: request.db)
        // Old, unfinished attempts are of no use to anyone.
        try await OAuthAttempt.query(on: request.db).filter(\.$expiresAt < now).delete()

        let url = authorizationURL(.init(
            redirectURI: Self.redirectURI(request.application.syncboard.configuration, provider: provider),
            state: state, nonce: nonce, codeChallenge: Self.codeChallenge(for: verifier),
            prompt: prompt, loginHint: loginHint))
        let response = request.redirect(to: url.absoluteString)
        let secure = request.application.syncboard.configuration.baseURL.scheme == "https"
        response.cookies[Self.bindingCookie] = HTTPCookies.Value(
            string: binding, maxAge: Int(Self.lifetime), path: "/auth", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    /// The exact redirect URI registered with the provider (Google's OAuth client, the Microsoft Entra app): the
    /// public base URL plus the provider's callback path.
    static func redirectURI(_ configuration: AppConfiguration, provider: ProviderKind = .google) -> String {
        var base = configuration.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + (provider == .microsoft ? microsoftCallbackPath : callbackPath)
    }

    static func codeChallenge(for verifier: String) -> String { GoogleOAuthClient.codeChallenge(for: verifier) }
}
