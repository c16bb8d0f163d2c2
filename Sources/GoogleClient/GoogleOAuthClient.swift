import AsyncHTTPClient
import ProviderHTTP
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Google's OAuth 2.0 endpoints: the authorization URL, code exchange (with PKCE), refresh and revocation.
public struct GoogleOAuthClient: Sendable {
    public let endpoints: GoogleEndpoints
    public let credentials: OAuthClientCredentials
    let http: HTTPClient
    /// Each call's deadline, the whole answer included.
    var timeout: Duration

    public init(endpoints: GoogleEndpoints, credentials: OAuthClientCredentials, http: HTTPClient, timeout: Duration = .seconds(20)) {
        self.timeout = timeout
        self.endpoints = endpoints
        self.credentials = credentials
        self.http = http
    }

    /// The token endpoint's answer.
    public struct TokenResponse: Decodable, Sendable {
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
    }

    /// Where to send the browser: the authorization-code flow with PKCE S256, offline access and a nonce.
    public func authorizationURL(redirectURI: String, state: String, nonce: String, codeChallenge: String,
                                 prompt: String?, loginHint: String?, scopes: [String] = GoogleScopes.signIn) -> URL {
        var components = URLComponents(url: endpoints.authorization, resolvingAgainstBaseURL: false)!
        var items = [
            URLQueryItem(name: "client_id", value: credentials.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "scope", value: scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: codeChallenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
            URLQueryItem(name: "access_type", value: "offline"),
            URLQueryItem(name: "include_granted_scopes", value: "true"),
        ]
        if let prompt { items.append(URLQueryItem(name: "prompt", value: prompt)) }
        if let loginHint { items.append(URLQueryItem(name: "login_hint", value: loginHint)) }
        components.queryItems = (components.queryItems ?? []) + items
        // `+` in a query value would read as a space: encode it.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url!
    }

    /// PKCE S256: base64url(SHA-256(verifier)) without padding.
    public static func codeChallenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public func exchange(code: String, codeVerifier: String, redirectURI: String) async throws(GoogleError) -> TokenResponse {
        try await tokenRequest([
            "grant_type": "authorization_code", "code": code, "code_verifier": codeVerifier, "redirect_uri": redirectURI,
        ])
    }

    public func refresh(refreshToken: String) async throws(GoogleError) -> TokenResponse {
        try await tokenRequest(["grant_type": "refresh_token", "refresh_token": refreshToken])
    }

    /// Revokes a token (a refresh token's access tokens go with it). A token Google no longer knows counts as revoked.
    public func revoke(token: String) async throws(GoogleError) {
        let (status, body) = try await post(endpoints.revocation, form: ["token": token])
        if status == 200 { return }
        if status == 400, let parsed = try? JSONDecoder().decode(GoogleError.OAuthBody.self, from: body),
           parsed.error == "invalid_token" { return }
        throw GoogleError.fromOAuth(status: status, body: body)
    }

    private func tokenRequest(_ fields: [String: String]) async throws(GoogleError) -> TokenResponse {
        var form = fields
        form["client_id"] = credentials.clientID
        form["client_secret"] = credentials.clientSecret
        let (status, body) = try await post(endpoints.token, form: form)
        guard status == 200 else { throw GoogleError.fromOAuth(status: status, body: body) }
        do {
            return try JSONDecoder().decode(TokenResponse.self, from: body)
        } catch {
            throw GoogleError.unexpected("the token endpoint's answer could not be read")
        }
    }

    private func post(_ url: URL, form: [String: String]) async throws(GoogleError) -> (Int, Data) {
        do {
            return try await http.postForm(url, form, timeout: timeout, tracing: .google,
                                           shape: url.lastPathComponent.isEmpty ? "token" : url.lastPathComponent)
        } catch {
            throw .network(error.reason)
        }
    }
}
