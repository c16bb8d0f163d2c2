import AsyncHTTPClient
import _CryptoExtras
import EmulatorTestKit
import Foundation
import JWTKit
import Testing
@testable import GoogleClient

@Suite("Google client: OAuth, ID tokens, Calendar API")
struct GoogleClientTests {
    static func endpoints(_ stub: StubProvider) -> GoogleEndpoints {
        let base = URL(string: stub.baseURL)!
        return GoogleEndpoints(issuer: base, authorization: base.appendingPathComponent("auth"), token: base.appendingPathComponent("token"),
                               revocation: base.appendingPathComponent("revoke"), userinfo: base.appendingPathComponent("userinfo"),
                               jwks: base.appendingPathComponent("jwks"), calendarAPI: base.appendingPathComponent("calendar/v3"))
    }

    static func withStub(calendars: Int = 0, _ body: (StubProvider, HTTPClient) async throws -> Void) async throws {
        let stub = try await StubProvider.start(calendars: calendars)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(stub, http)
        } catch {
            try? await http.shutdown()
            try? await stub.shutdown()
            throw error
        }
        try await http.shutdown()
        try await stub.shutdown()
    }

    @Test("the authorization URL asks for offline access with PKCE S256, state and nonce")
    func authorizationURL() throws {
        let client = GoogleOAuthClient(endpoints: .google, credentials: .init(clientID: "id+1", clientSecret: "s"), http: HTTPClient.shared)
        let url = client.authorizationURL(redirectURI: "https://sync.example.org/auth/google/callback", state: "st", nonce: "no",
                                          codeChallenge: GoogleOAuthClient.codeChallenge(for: "verifier"), prompt: "consent", loginHint: "a@b.c")
        let items = Dictionary(uniqueKeysWithValues: (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.absoluteString.hasPrefix("https://accounts.google.com/o/oauth2/v2/auth?"))
        #expect(items["client_id"] == "id+1" && items["response_type"] == "code" && items["access_type"] == "offline")
        #expect(items["code_challenge_method"] == "S256" && items["state"] == "st" && items["nonce"] == "no")
        #expect(items["scope"] == "openid email profile https://www.googleapis.com/auth/calendar")
        #expect(items["prompt"] == "consent" && items["login_hint"] == "a@b.c" && items["include_granted_scopes"] == "true")
        // RFC 7636 appendix B.
        #expect(GoogleOAuthClient.codeChallenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("code exchange, refresh and revocation, with Google's errors typed")
    func tokens() async throws {
        try await Self.withStub { stub, http in
            let client = GoogleOAuthClient(endpoints: Self.endpoints(stub), credentials: .init(clientID: StubProvider.clientID, clientSecret: StubProvider.clientSecret),
                                           http: http, timeout: TestDeadline.call)
            let grant = try await client.exchange(code: "good-code", codeVerifier: "the-verifier", redirectURI: "http://x/cb")
            #expect(grant.accessToken == "a1" && grant.refreshToken == "r1" && grant.expiresIn == 3599)
            await #expect(throws: GoogleError.invalidGrant("stub says invalid_grant")) {
                _ = try await client.exchange(code: "good-code", codeVerifier: "another-verifier", redirectURI: "http://x/cb")
            }
            #expect(try await client.refresh(refreshToken: "good-refresh").accessToken == "fresh-access")
            do {
                _ = try await client.refresh(refreshToken: "revoked")
                Issue.record("a revoked refresh token was accepted")
            } catch let error as GoogleError {
                guard case .invalidGrant = error else { Issue.record("expected invalid_grant, got \(error)"); return }
                #expect(!error.description.contains("revoked-token"))
            }
            let wrongSecret = GoogleOAuthClient(endpoints: Self.endpoints(stub), credentials: .init(clientID: StubProvider.clientID, clientSecret: "nope"), http: http, timeout: TestDeadline.call)
            await #expect(throws: GoogleError.invalidClient("stub says invalid_client")) { _ = try await wrongSecret.refresh(refreshToken: "good-refresh") }
            try await client.revoke(token: "known")
            try await client.revoke(token: "already-gone")  // Google's invalid_token counts as revoked
        }
    }

    @Test("a good ID token verifies; each bad one is refused with its reason")
    func idTokens() async throws {
        try await Self.withStub { stub, http in
            let verifier = IDTokenVerifier(endpoints: Self.endpoints(stub), clientID: StubProvider.clientID, http: http, minimumRefetchInterval: 3600, keysTimeout: TestDeadline.call)
            let identity = try await verifier.verify(try await stub.idToken(), nonce: "n-1")
            #expect(identity == .init(subject: "sub-1", email: "alice@example.com", name: "Alice", picture: nil))

            func refused(_ token: String, nonce: String = "n-1") async -> IDTokenVerifier.Failure? {
                do {
                    _ = try await verifier.verify(token, nonce: nonce)
                    return nil
                } catch { return error }
            }
            #expect(await refused(try await stub.idToken(), nonce: "other") == .wrongNonce)
            #expect(await refused(try await stub.idToken { $0.aud = "someone-else" }) == .wrongAudience)
            #expect(await refused(try await stub.idToken { $0.iss = "https://evil.example" }) == .wrongIssuer)
            #expect(await refused(try await stub.idToken { $0.exp = Int(Date().timeIntervalSince1970) - 600 }) == .expired)
            #expect(await refused(try await stub.idToken { $0.iat = Int(Date().timeIntervalSince1970) + 600 }) == .issuedInFuture)
            #expect(await refused(try await stub.idToken { $0.email_verified = false }) == .emailNotVerified)
            let token = try await stub.idToken()
            let parts = token.split(separator: ".")
            let tampered = "\(parts[0]).\(StubProvider.base64URL(Data(#"{"iss":"x","aud":"\#(StubProvider.clientID)","sub":"mallory","exp":9999999999,"iat":0,"nonce":"n-1","email":"m@x","email_verified":true}"#.utf8))).\(parts[2])"
            #expect(await refused(tampered) == .badSignature)
            let otherKeys = JWTKeyCollection()
            await otherKeys.add(rsa: try Insecure.RSA.PrivateKey(backing: try _RSA.Signing.PrivateKey(keySize: .bits2048)), digestAlgorithm: .sha256, kid: "key-1")
            #expect(await refused(try await stub.idToken(signer: otherKeys)) == .badSignature)
            #expect(await refused("not a jwt") == .malformed)
            // An unknown key id makes the verifier fetch the key set again, once (within the refetch interval).
            let fetchesBefore = stub.jwksRequests.load(ordering: .relaxed)
            #expect(await refused(try await stub.idToken(kid: "rotated-away")) == .unknownKey)
            #expect(stub.jwksRequests.load(ordering: .relaxed) == fetchesBefore, "no refetch within the minimum interval")
            let eager = IDTokenVerifier(endpoints: Self.endpoints(stub), clientID: StubProvider.clientID, http: http, minimumRefetchInterval: 0, keysTimeout: TestDeadline.call)
            _ = try await eager.verify(try await stub.idToken(), nonce: "n-1")
            let before = stub.jwksRequests.load(ordering: .relaxed)
            let newKeyToken = try await stub.idToken(kid: "new-key")
            do { _ = try await eager.verify(newKeyToken, nonce: "n-1") } catch let error as IDTokenVerifier.Failure { #expect(error == .unknownKey) }
            #expect(stub.jwksRequests.load(ordering: .relaxed) == before + 1, "an unknown kid refetches the key set")
        }
    }

    @Test("calendarList follows every page, retries a rate limit, and types a 401")
    func calendarList() async throws {
        try await Self.withStub(calendars: 600) { stub, http in
            let counter = RequestCounter()
            let api = CalendarAPIClient(baseURL: Self.endpoints(stub).calendarAPI, http: http,
                                        retry: .init(maxAttempts: 4, baseDelay: .milliseconds(5)), counter: counter)
            stub.failNextCalendarRequests.store(2, ordering: .relaxed)
            let calendars = try await api.calendarList(accessToken: "access")
            #expect(calendars.count == 600)
            #expect(Set(calendars.map(\.id)).count == 600, "no duplicates across pages")
            #expect(counter.count == 3 + 2, "three pages of 250 and two retried rate limits")
            #expect(calendars.first?.primary == true && calendars[1].accessRole == "reader")
            await #expect(throws: GoogleError.unauthorized) { _ = try await api.calendarList(accessToken: "expired") }
            stub.failNextCalendarRequests.store(10, ordering: .relaxed)
            await #expect(throws: GoogleError.rateLimited) { _ = try await api.calendarList(accessToken: "access") }
        }
    }
}
