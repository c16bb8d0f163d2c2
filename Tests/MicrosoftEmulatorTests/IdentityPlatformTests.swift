import Crypto
import Foundation
import JWTKit
import Testing
@testable import MicrosoftEmulator

/// The Microsoft identity platform v2.0 (learn.microsoft.com/entra/identity-platform: v2-protocols-oidc.md,
/// v2-oauth2-auth-code-flow.md, refresh-tokens.md, id-token-claims-reference.md, reference-error-codes.md).
struct IdentityPlatformTests {
    /// v2-protocols-oidc.md "Find your app's OpenID configuration document URI": `common` publishes the issuer with
    /// the `{tenantid}` template; a tenant id publishes its own issuer.
    @Test func discoveryForCommonAndForATenant() async throws {
        try await MicrosoftHarness.with { h in
            let common = try await h.call(.GET, "/common/v2.0/.well-known/openid-configuration").json
            #expect(common["issuer"]?.string == "\(h.server.baseURL)/{tenantid}/v2.0")
            #expect(common["authorization_endpoint"]?.string == "\(h.server.baseURL)/common/oauth2/v2.0/authorize")
            #expect(common["token_endpoint"]?.string == "\(h.server.baseURL)/common/oauth2/v2.0/token")
            #expect(common["jwks_uri"]?.string == "\(h.server.baseURL)/common/discovery/v2.0/keys")
            #expect(common["code_challenge_methods_supported"]?.array?.contains("S256") == true)
            let tenant = try await h.call(.GET, "/\(MicrosoftHarness.tenant)/v2.0/.well-known/openid-configuration").json
            #expect(tenant["issuer"]?.string == "\(h.server.baseURL)/\(MicrosoftHarness.tenant)/v2.0")
        }
    }

    struct Claims: JWTPayload {
        let iss: String, aud: String, tid: String, oid: String, nonce: String?, email: String, preferred_username: String, ver: String
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    /// Walks the consent page: authorize → page → decision → redirect with code and state.
    func authorize(_ h: MicrosoftHarness, challenge: String, state: String = "st-123", nonce: String = "n-456", tenant: String = "common") async throws -> String {
        let page = try await h.call(.GET, "/\(tenant)/oauth2/v2.0/authorize" + query([
            "client_id": "app-id", "response_type": "code", "redirect_uri": "http://127.0.0.1:9/cb", "scope": MicrosoftHarness.scope,
            "state": state, "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256", "response_mode": "query",
        ]))
        #expect(page.status == 200)
        #expect(page.text.contains("ada@contoso.example"))
        let requestID = try #require(page.text.components(separatedBy: "name=\"request\" value=\"").dropFirst().first?.components(separatedBy: "\"").first)
        let decision = try await h.call(.POST, "/\(tenant)/oauth2/v2.0/authorize/decision", form: ["request": requestID, "action": "accept", "account": "ada@contoso.example"])
        #expect((300..<400).contains(decision.status))
        let location = try #require(decision.headers.first(name: "Location").flatMap { URLComponents(string: $0) })
        #expect(location.queryItems?.first { $0.name == "state" }?.value == state)
        return try #require(location.queryItems?.first { $0.name == "code" }?.value)
    }

    /// v2-oauth2-auth-code-flow.md (code + PKCE S256 + state), id-token-claims-reference.md (tid, oid, aud, nonce,
    /// preferred_username, iss with the tenant id), signed RS256 with a key from /discovery/v2.0/keys.
    @Test func authorizationCodeWithPKCEIssuesAVerifiableIDToken() async throws {
        try await MicrosoftHarness.with { h in
            let verifier = "a-verifier-of-enough-length-0123456789-abcdefghijklmnop"
            let code = try await authorize(h, challenge: MicrosoftEmulatorState.s256(verifier))
            let token = try await h.call(.POST, "/common/oauth2/v2.0/token", form: [
                "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "client_id": "app-id",
                "client_secret": "app-secret", "code_verifier": verifier,
            ])
            #expect(token.status == 200, "\(token.text)")
            #expect(token.json["token_type"]?.string == "Bearer")
            #expect(token.json["refresh_token"]?.string != nil)
            let idToken = try #require(token.json["id_token"]?.string)
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: try await h.call(.GET, "/common/discovery/v2.0/keys").text)
            let claims = try await keys.verify(idToken, as: Claims.self)
            #expect(claims.iss == "\(h.server.baseURL)/\(MicrosoftHarness.tenant)/v2.0")
            #expect(claims.aud == "app-id")
            #expect(claims.tid == MicrosoftHarness.tenant)
            #expect(claims.oid == "00000000-0000-0000-0000-0000000000a1")
            #expect(claims.nonce == "n-456")
            #expect(claims.preferred_username == "ada@contoso.example")
            #expect(claims.ver == "2.0")
            // The access token works on Graph.
            let me = try await h.call(.GET, "/v1.0/me", token: token.json["access_token"]?.string)
            #expect(me.json["mail"]?.string == "ada@contoso.example")
        }
    }

    /// v2-oauth2-auth-code-flow.md: a code is redeemed once, and only with the verifier of its challenge
    /// (AADSTS501481 "The Code_Verifier does not match the code_challenge").
    @Test func wrongVerifierAndReusedCodeAreInvalidGrant() async throws {
        try await MicrosoftHarness.with { h in
            let code = try await authorize(h, challenge: MicrosoftEmulatorState.s256("the-right-verifier-0123456789012345678901234"))
            let wrong = try await h.call(.POST, "/common/oauth2/v2.0/token", form: [
                "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "client_id": "app-id",
                "client_secret": "app-secret", "code_verifier": "another-verifier-0123456789012345678901234567",
            ])
            #expect(wrong.status == 400)
            #expect(wrong.json["error"]?.string == "invalid_grant")
            #expect(wrong.json["error_description"]?.string?.hasPrefix("AADSTS501481") == true)
            #expect(wrong.json["error_codes"]?[0]?.int == 501481)
            let again = try await h.call(.POST, "/common/oauth2/v2.0/token", form: [
                "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/cb", "client_id": "app-id",
                "client_secret": "app-secret", "code_verifier": "the-right-verifier-0123456789012345678901234",
            ])
            #expect(again.json["error"]?.string == "invalid_grant")
        }
    }

    /// v2-oauth2-auth-code-flow.md "Error response": a declined consent goes back with access_denied and the state.
    @Test func cancellingTheConsentRedirectsWithAccessDenied() async throws {
        try await MicrosoftHarness.with { h in
            let page = try await h.call(.GET, "/common/oauth2/v2.0/authorize" + query([
                "client_id": "app-id", "response_type": "code", "redirect_uri": "http://127.0.0.1:9/cb", "scope": "openid",
                "state": "s1", "code_challenge": "abc", "code_challenge_method": "S256",
            ]))
            let requestID = try #require(page.text.components(separatedBy: "name=\"request\" value=\"").dropFirst().first?.components(separatedBy: "\"").first)
            let decision = try await h.call(.POST, "/common/oauth2/v2.0/authorize/decision", form: ["request": requestID, "action": "cancel"])
            let location = try #require(decision.headers.first(name: "Location"))
            #expect(location.contains("error=access_denied"))
            #expect(location.contains("state=s1"))
            // An unregistered redirect URI is shown on a page (AADSTS50011), never redirected to.
            let mismatch = try await h.call(.GET, "/common/oauth2/v2.0/authorize" + query([
                "client_id": "app-id", "response_type": "code", "redirect_uri": "http://evil.example/cb", "scope": "openid",
                "code_challenge": "abc", "code_challenge_method": "S256",
            ]))
            #expect(mismatch.status == 400)
            #expect(mismatch.text.contains("AADSTS50011"))
        }
    }

    /// refresh-tokens.md: "Refresh tokens replace themselves with a fresh token upon every use"; the emulator makes
    /// the replaced one stop working (invalid_grant), and a revoked grant answers invalid_grant AADSTS50173.
    @Test func refreshTokensRotateAndRevocationIsInvalidGrant() async throws {
        try await MicrosoftHarness.with { h in
            let oid = "00000000-0000-0000-0000-0000000000a1"
            let first = try #require(await h.state.issueTokens(oid: oid, clientID: "app-id", scope: MicrosoftHarness.scope).refresh)
            let refreshed = try await h.call(.POST, "/common/oauth2/v2.0/token", form: [
                "grant_type": "refresh_token", "refresh_token": first, "client_id": "app-id", "client_secret": "app-secret",
                "scope": MicrosoftHarness.scope,
            ])
            #expect(refreshed.status == 200)
            let second = try #require(refreshed.json["refresh_token"]?.string)
            #expect(second != first)
            #expect(refreshed.json["access_token"]?.string != nil)
            let reused = try await h.call(.POST, "/common/oauth2/v2.0/token", form: [
                "grant_type": "refresh_token", "refresh_token": first, "client_id": "app-id", "client_secret": "app-secret",
            ])
            #expect(reused.status == 400)
            #expect(reused.json["error"]?.string == "invalid_grant")

            try await h.call(.POST, "/emulator/revoke", body: ["email": "ada@contoso.example"])
            let revoked = try await h.call(.POST, "/common/oauth2/v2.0/token", form: [
                "grant_type": "refresh_token", "refresh_token": second, "client_id": "app-id", "client_secret": "app-secret",
            ])
            #expect(revoked.status == 400)
            #expect(revoked.json["error"]?.string == "invalid_grant")
            #expect(revoked.json["error_description"]?.string?.hasPrefix("AADSTS50173") == true)
            // The revoked grant's access tokens stop working on Graph too.
            let me = try await h.call(.GET, "/v1.0/me", token: refreshed.json["access_token"]?.string)
            #expect(me.status == 401)
        }
    }

    /// reference-error-codes.md: AADSTS7000215 for a wrong client secret.
    @Test func wrongClientSecretIsInvalidClient() async throws {
        try await MicrosoftHarness.with { h in
            let answer = try await h.call(.POST, "/common/oauth2/v2.0/token", form: [
                "grant_type": "refresh_token", "refresh_token": "x", "client_id": "app-id", "client_secret": "nope",
            ])
            #expect(answer.status == 401)
            #expect(answer.json["error"]?.string == "invalid_client")
            #expect(answer.json["error_description"]?.string?.hasPrefix("AADSTS7000215") == true)
        }
    }
}
