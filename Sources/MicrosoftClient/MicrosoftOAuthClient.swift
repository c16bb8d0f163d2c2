import AsyncHTTPClient
import ProviderHTTP
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The Microsoft identity platform v2.0 for linking an account (v2-oauth2-auth-code-flow): the authorization URL
/// with PKCE S256, state and nonce; the code exchange; and refresh, whose answer carries a new refresh token that
/// replaces the old one (refresh-tokens: "Refresh tokens replace themselves with a fresh token upon every use").
public struct MicrosoftOAuthClient: Sendable {
    public let endpoints: MicrosoftEndpoints
    public let credentials: MicrosoftCredentials
    let http: HTTPClient
    /// Each call's deadline, the whole answer included.
    var timeout: Duration

    public init(endpoints: MicrosoftEndpoints = .microsoft, credentials: MicrosoftCredentials, http: HTTPClient, timeout: Duration = .seconds(20)) {
        self.timeout = timeout
        self.endpoints = endpoints
        self.credentials = credentials
        self.http = http
    }

    /// The token endpoint's answer (v2-oauth2-auth-code-flow, "Successful response").
    public struct TokenResponse: Decodable, Sendable, CustomStringConvertible {
        public let accessToken: String
        public let expiresIn: Int
        public let refreshToken: String?
        public let scope: String?
        public let tokenType: String?
        public let idToken: String?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", expiresIn = "expires_in", refreshToken = "refresh_token", scope
            case tokenType = "token_type", idToken = "id_token"
        }

        public var description: String { "TokenResponse(expiresIn: \(expiresIn), scope: \(scope ?? "-"), tokens redacted)" }
    }

    /// What a refresh yields, ready to be stored in one write: the new access token, its expiry, and the refresh
    /// token that replaces the one used (the old one when Microsoft sent none, which it documents it always does).
    public struct RefreshedTokens: Sendable, CustomStringConvertible {
        public let accessToken: String
        public let refreshToken: String
        public let expiresAt: Date
        public let scope: String?
        /// False when Microsoft answered without a new refresh token and the old one is kept.
        public let rotated: Bool
        public var description: String { "RefreshedTokens(expiresAt: \(expiresAt), rotated: \(rotated), tokens redacted)" }
    }

    /// Where to send the browser: response_type=code, response_mode=query, PKCE S256, state and nonce.
    /// `prompt`: nil, `select_account` or `consent`; `loginHint` pre-fills the account.
    public func authorizationURL(redirectURI: String, state: String, nonce: String, codeChallenge: String,
                                 prompt: String? = nil, loginHint: String? = nil, scopes: [String] = MicrosoftScopes.calendarSync) -> URL {
        var components = URLComponents(url: endpoints.authorization, resolvingAgainstBaseURL: false)!
        var items = [
            URLQueryItem(name: "client_id", value: credentials.clientID),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "response_mode", value: "query"),
            URLQueryItem(name: "scope", value: scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: codeChallenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        if let prompt { items.append(URLQueryItem(name: "prompt", value: prompt)) }
        if let loginHint { items.append(URLQueryItem(name: "login_hint", value: loginHint)) }
        components.queryItems = (components.queryItems ?? []) + items
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url!
    }

    /// PKCE S256: base64url(SHA-256(verifier)) without padding.
    public static func codeChallenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// A fresh random value for a PKCE verifier, a state or a nonce (43 base64url characters).
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Redeems the authorization code with the PKCE verifier.
    public func exchange(code: String, codeVerifier: String, redirectURI: String,
                         scopes: [String] = MicrosoftScopes.calendarSync) async throws(MicrosoftError) -> TokenResponse {
        try await tokenRequest([
            "grant_type": "authorization_code", "code": code, "code_verifier": codeVerifier, "redirect_uri": redirectURI,
            "scope": scopes.joined(separator: " "),
        ])
    }

    /// Refreshes the access token. The answer's refresh token replaces `refreshToken`: store both tokens in one
    /// write (a crash between two writes loses the account within 90 days). `invalid_grant` and consent errors
    /// throw `.invalidGrant` / `.consentRequired` (the account must be reconnected).
    public func refresh(refreshToken: String, scopes: [String] = MicrosoftScopes.calendarSync, now: Date = Date()) async throws(MicrosoftError) -> RefreshedTokens {
        let answer = try await tokenRequest(["grant_type": "refresh_token", "refresh_token": refreshToken, "scope": scopes.joined(separator: " ")])
        return RefreshedTokens(accessToken: answer.accessToken, refreshToken: answer.refreshToken ?? refreshToken,
                               expiresAt: now.addingTimeInterval(TimeInterval(answer.expiresIn)), scope: answer.scope,
                               rotated: answer.refreshToken != nil)
    }

    private func tokenRequest(_ fields: [String: String]) async throws(MicrosoftError) -> TokenResponse {
        var form = fields
        form["client_id"] = credentials.clientID
        form["client_secret"] = credentials.clientSecret
        let status: Int, body: Data
        do {
            (status, body) = try await http.postForm(endpoints.token, form, timeout: timeout, tracing: .microsoft, shape: "token")
        } catch {
            throw .network(error.reason)
        }
        guard status == 200 else { throw MicrosoftError.fromOAuth(status: status, body: body) }
        do {
            return try JSONDecoder().decode(TokenResponse.self, from: body)
        } catch {
            throw .unexpected("the token endpoint's answer could not be read")
        }
    }
}
