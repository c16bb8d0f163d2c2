import AsyncHTTPClient
import EmulatorTestKit
import Foundation
import GoogleEmulator
import NIOHTTP1
import Testing
@testable import GoogleClient

/// The Google client against the Google emulator over HTTP: the OAuth error paths Google has, and the Calendar
/// API's access control.
@Suite("Google client against the emulator")
struct EmulatorInteropTests {
    static let redirect = "http://127.0.0.1:9/callback"

    struct Flow {
        let emulator: GoogleEmulatorServer
        let browser: HTTPClient
        let oauth: GoogleOAuthClient
        let endpoints: GoogleEndpoints
    }

    static func withFlow(_ body: (Flow) async throws -> Void) async throws {
        try await EmulatedGoogle.with(accounts: [.init(subject: "42", email: "ada@example.com", name: "Ada")],
                                      calendars: [EmulatedGoogle.calendar("ada@example.com", "Ada", owner: "ada@example.com")],
                                      seed: { await $0.addClient(.init(clientID: "c1", clientSecret: "s1", redirectURIs: [redirect])) }) { google in
            let base = URL(string: google.baseURL)!
            let endpoints = GoogleEndpoints(issuer: base, authorization: base.appendingPathComponent("o/oauth2/v2/auth"), token: base.appendingPathComponent("token"),
                                            revocation: base.appendingPathComponent("revoke"), userinfo: base.appendingPathComponent("v1/userinfo"),
                                            jwks: base.appendingPathComponent("oauth2/v3/certs"), calendarAPI: base.appendingPathComponent("calendar/v3"))
            try await TestHTTPClient.with { browser in
                try await body(Flow(emulator: google.server, browser: browser,
                                    oauth: GoogleOAuthClient(endpoints: endpoints, credentials: .init(clientID: "c1", clientSecret: "s1"), http: browser, timeout: TestDeadline.call),
                                    endpoints: endpoints))
            }
        }
    }

    /// Authorizes as Ada and returns the code (answering the consent page unless `loginHint` approves silently).
    static func code(_ flow: Flow, verifier: String = "v-0123456789-0123456789-0123456789-0123456789", redirect: String = redirect,
                     loginHint: String? = nil, scopes: [String] = GoogleScopes.signIn) async throws -> String? {
        let url = flow.oauth.authorizationURL(redirectURI: redirect, state: "st", nonce: "no", codeChallenge: GoogleOAuthClient.codeChallenge(for: verifier),
                                              prompt: nil, loginHint: loginHint, scopes: scopes)
        var response = try await flow.browser.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(60))
        if response.status == .ok {
            let page = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let id = try #require(page.firstMatch(of: /name="request" value="([^"]+)"/)).1
            var decision = HTTPClientRequest(url: flow.emulator.baseURL + "/o/oauth2/v2/auth/decision")
            decision.method = .POST
            decision.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            decision.body = .bytes(.init(string: "request=\(id)&action=allow&account=ada@example.com"))
            response = try await flow.browser.execute(decision, timeout: .seconds(60))
        }
        guard response.status == .seeOther, let location = response.headers.first(name: "Location") else { return nil }
        return URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value
    }

    @Test("code exchange with PKCE: the right verifier works once; a wrong verifier, a reused code and another redirect URI fail")
    func pkceAndCodes() async throws {
        try await Self.withFlow { flow in
            let verifier = "v-0123456789-0123456789-0123456789-0123456789"
            let code = try #require(try await Self.code(flow, verifier: verifier))
            let tokens = try await flow.oauth.exchange(code: code, codeVerifier: verifier, redirectURI: Self.redirect)
            #expect(tokens.refreshToken != nil && tokens.idToken != nil && tokens.tokenType == "Bearer")
            do { _ = try await flow.oauth.exchange(code: code, codeVerifier: verifier, redirectURI: Self.redirect); Issue.record("a code was used twice") }
            catch { guard case .invalidGrant? = error as? GoogleError else { Issue.record("\(error)"); return } }

            let second = try #require(try await Self.code(flow, verifier: verifier))
            do { _ = try await flow.oauth.exchange(code: second, codeVerifier: "wrong-verifier-0123456789-0123456789-0123", redirectURI: Self.redirect); Issue.record("PKCE mismatch accepted") }
            catch { guard case .invalidGrant? = error as? GoogleError else { Issue.record("\(error)"); return } }

            let third = try #require(try await Self.code(flow, verifier: verifier))
            do { _ = try await flow.oauth.exchange(code: third, codeVerifier: verifier, redirectURI: "http://127.0.0.1:9/other"); Issue.record("another redirect accepted") }
            catch { guard case .invalidGrant? = error as? GoogleError else { Issue.record("\(error)"); return } }

            // The ID token verifies against the emulator's JWKS.
            let verifierClient = IDTokenVerifier(endpoints: flow.endpoints, clientID: "c1", http: flow.browser, keysTimeout: TestDeadline.call)
            let fresh = try #require(try await Self.code(flow, verifier: verifier))
            let identity = try await verifierClient.verify(try #require(try await flow.oauth.exchange(code: fresh, codeVerifier: verifier, redirectURI: Self.redirect).idToken), nonce: "no")
            #expect(identity.email == "ada@example.com" && identity.subject == "42")
            #expect(identity.picture?.hasSuffix("/avatars/42.svg") == true, "a picture URL the emulator itself serves")
        }
    }

    @Test("an unregistered redirect URI gets Google's error page, not a redirect; a returning account is approved silently")
    func redirectAndSilentApproval() async throws {
        try await Self.withFlow { flow in
            #expect(try await Self.code(flow, redirect: "https://evil.example/callback") == nil)
            _ = try #require(try await Self.code(flow))  // consents once through the page
            let url = flow.oauth.authorizationURL(redirectURI: Self.redirect, state: "st", nonce: "no", codeChallenge: "c", prompt: nil, loginHint: "ada@example.com")
            let silent = try await flow.browser.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(60))
            #expect(silent.status == .seeOther, "no page for a returning account with a login hint")
        }
    }

    @Test("wrong client secret, revoked refresh token, expired access token and a missing calendar scope")
    func errors() async throws {
        try await Self.withFlow { flow in
            let verifier = "v-0123456789-0123456789-0123456789-0123456789"
            let tokens = try await flow.oauth.exchange(code: try #require(try await Self.code(flow)), codeVerifier: verifier, redirectURI: Self.redirect)
            let refresh = try #require(tokens.refreshToken)
            let wrongSecret = GoogleOAuthClient(endpoints: flow.endpoints, credentials: .init(clientID: "c1", clientSecret: "nope"), http: flow.browser, timeout: TestDeadline.call)
            do { _ = try await wrongSecret.refresh(refreshToken: refresh); Issue.record("wrong secret accepted") }
            catch { guard case .invalidClient? = error as? GoogleError else { Issue.record("\(error)"); return } }

            let api = CalendarAPIClient(baseURL: flow.endpoints.calendarAPI, http: flow.browser, retry: .init(maxAttempts: 1), timeout: TestDeadline.call)
            #expect(try await api.calendarList(accessToken: tokens.accessToken).map(\.id) == ["ada@example.com"])
            await flow.emulator.state.expireAccessTokens()
            await #expect(throws: GoogleError.unauthorized) { _ = try await api.calendarList(accessToken: tokens.accessToken) }
            let renewed = try await flow.oauth.refresh(refreshToken: refresh)
            #expect(try await api.calendarList(accessToken: renewed.accessToken).count == 1)

            try await flow.oauth.revoke(token: refresh)
            do { _ = try await flow.oauth.refresh(refreshToken: refresh); Issue.record("a revoked token was refreshed") }
            catch { guard case .invalidGrant? = error as? GoogleError else { Issue.record("\(error)"); return } }

            let narrow = try #require(try await Self.code(flow, scopes: ["openid", "email"]))
            let narrowTokens = try await flow.oauth.exchange(code: narrow, codeVerifier: verifier, redirectURI: Self.redirect)
            await #expect(throws: GoogleError.forbidden(reason: "insufficientPermissions")) { _ = try await api.calendarList(accessToken: narrowTokens.accessToken) }
        }
    }
}
