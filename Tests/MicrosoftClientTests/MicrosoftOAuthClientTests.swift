import EmulatorTestKit
import Foundation
import MicrosoftEmulator
import SyncboardCore
import Testing
@testable import MicrosoftClient

/// Linking a Microsoft account against microsoft-emulator: the authorization code flow with PKCE, state and nonce
/// (identity platform: "Microsoft identity platform and OAuth 2.0 authorization code flow", v2-oauth2-auth-code-flow),
/// rotating refresh tokens ("Refresh tokens in the Microsoft identity platform", refresh-tokens), ID token
/// validation ("ID token claims reference", id-token-claims-reference; "OpenID Connect on the Microsoft identity
/// platform", v2-protocols-oidc) and error classes ("Microsoft Entra authentication and authorization error
/// codes", reference-error-codes).
@Suite("Microsoft OAuth client against microsoft-emulator")
struct MicrosoftOAuthClientTests {
    static let verifier = "pkce-verifier-0123456789-0123456789-0123456789-abc"

    /// v2-oauth2-auth-code-flow "Request an authorization code": client_id, response_type=code, redirect_uri,
    /// response_mode, scope, state, code_challenge with S256; plus the OIDC nonce.
    @Test func authorizationURLCarriesPKCEStateNonceAndScopes() throws {
        let client = MicrosoftOAuthClient(credentials: .init(clientID: "app-id", clientSecret: "s3cret"), http: .shared)
        let url = client.authorizationURL(redirectURI: GraphHarness.redirect, state: "st+1", nonce: "n-1", codeChallenge: "chal")
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        #expect(components.host == "login.microsoftonline.com")
        #expect(components.path == "/common/oauth2/v2.0/authorize")
        let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["scope"] == "offline_access Calendars.ReadWrite User.Read openid email profile")
        #expect(items["code_challenge_method"] == "S256")
        #expect(items["code_challenge"] == "chal")
        #expect(items["state"] == "st+1")
        #expect(items["nonce"] == "n-1")
        #expect(items["response_type"] == "code")
        #expect(url.absoluteString.contains("st%2B1"))
        #expect(!url.absoluteString.contains("s3cret"))
        #expect(!String(describing: client.credentials).contains("s3cret"))
    }

    /// v2-oauth2-auth-code-flow (code + PKCE, state returned), id-token-claims-reference (tid, oid, nonce), and
    /// refresh-tokens: each refresh answers a new refresh token and the one used stops working (invalid_grant →
    /// the account must reconnect).
    @Test func codeFlowWithPKCEThenRotatingRefreshTokens() async throws {
        try await GraphHarness.with { h in
            let url = h.oauth.authorizationURL(redirectURI: GraphHarness.redirect, state: "state-42", nonce: "nonce-42",
                                               codeChallenge: MicrosoftOAuthClient.codeChallenge(for: Self.verifier))
            let (code, state) = try await h.authorize(url: url)
            #expect(state == "state-42")
            let tokens = try await h.oauth.exchange(code: code, codeVerifier: Self.verifier, redirectURI: GraphHarness.redirect)
            #expect(tokens.tokenType == "Bearer")
            let firstRefresh = try #require(tokens.refreshToken)
            #expect(!String(describing: tokens).contains(tokens.accessToken))

            let verifier = MicrosoftIDTokenVerifier(endpoints: h.endpoints, clientID: "app-id", http: h.http, keysTimeout: TestDeadline.call)
            let identity = try await verifier.verify(try #require(tokens.idToken), nonce: "nonce-42")
            #expect(identity.tenantID == GraphHarness.tenant)
            #expect(identity.objectID == GraphHarness.adaOID)
            #expect(identity.email == GraphHarness.ada)

            // The access token works on Graph.
            let me = try await h.api.me(accessToken: tokens.accessToken)
            #expect(me.email == GraphHarness.ada)

            let refreshed = try await h.oauth.refresh(refreshToken: firstRefresh)
            #expect(refreshed.rotated)
            #expect(refreshed.refreshToken != firstRefresh)
            #expect(!String(describing: refreshed).contains(refreshed.refreshToken))
            // The replaced refresh token no longer works: a caller that kept it loses the account.
            do throws(MicrosoftError) {
                _ = try await h.oauth.refresh(refreshToken: firstRefresh)
                Issue.record("a replaced refresh token was accepted")
            } catch {
                guard case .invalidGrant(let detail) = error else { Issue.record("\(error)"); return }
                #expect(detail.hasPrefix("AADSTS"))
                #expect(!error.description.contains(firstRefresh))
                #expect(error.providerError.kind == .grantRefused)
            }
            // The rotated one does.
            let again = try await h.oauth.refresh(refreshToken: refreshed.refreshToken)
            #expect(again.refreshToken != refreshed.refreshToken)

            // A wrong verifier is invalid_grant (AADSTS501481).
            let url2 = h.oauth.authorizationURL(redirectURI: GraphHarness.redirect, state: "s", nonce: "n",
                                                codeChallenge: MicrosoftOAuthClient.codeChallenge(for: Self.verifier))
            let (code2, _) = try await h.authorize(url: url2)
            do throws(MicrosoftError) {
                _ = try await h.oauth.exchange(code: code2, codeVerifier: "another-verifier-0123456789-0123456789-0123", redirectURI: GraphHarness.redirect)
                Issue.record("a wrong PKCE verifier was accepted")
            } catch {
                #expect(error == .invalidGrant("AADSTS501481"))
            }
        }
    }

    /// refresh-tokens "Revocation": a revoked grant answers invalid_grant (AADSTS50173) → reconnect; a wrong client
    /// secret answers invalid_client (AADSTS7000215) → Syncboard's configuration, never the account.
    @Test func revokedGrantAndWrongSecretAreClassified() async throws {
        try await GraphHarness.with { h in
            let refresh = try #require(await h.state.issueTokens(oid: GraphHarness.adaOID, clientID: "app-id",
                                                                 scope: MicrosoftScopes.calendarSync.joined(separator: " ")).refresh)
            await h.state.revokeGrants(ofEmail: GraphHarness.ada)
            do throws(MicrosoftError) { _ = try await h.oauth.refresh(refreshToken: refresh); Issue.record("a revoked grant was refreshed") } catch {
                #expect(error == .invalidGrant("AADSTS50173"))
                #expect(error.providerError.kind == .grantRefused)
            }
            let wrong = MicrosoftOAuthClient(endpoints: h.endpoints, credentials: .init(clientID: "app-id", clientSecret: "wrong-secret"), http: h.http, timeout: TestDeadline.call)
            do throws(MicrosoftError) { _ = try await wrong.refresh(refreshToken: "whatever"); Issue.record("a wrong secret was accepted") } catch {
                guard case .invalidClient = error else { Issue.record("\(error)"); return }
                #expect(error.providerError.kind == .misconfigured)
                #expect(!error.description.contains("wrong-secret"))
            }
        }
    }

    /// reference-error-codes: AADSTS65001 ("The user or administrator has not consented to use the application")
    /// and `interaction_required` ask for the user again: the account must reconnect, like invalid_grant.
    @Test func consentRequiredIsGrantRefused() {
        let consent = Data(#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID 'x'. Trace ID: t","error_codes":[65001]}"#.utf8)
        let error = MicrosoftError.fromOAuth(status: 400, body: consent)
        #expect(error == .consentRequired("AADSTS65001"))
        #expect(error.providerError.kind == .grantRefused)
        let interaction = Data(#"{"error":"interaction_required","error_description":"AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.","error_codes":[50076]}"#.utf8)
        #expect(MicrosoftError.fromOAuth(status: 400, body: interaction).providerError.kind == .grantRefused)
        let garbage = MicrosoftError.fromOAuth(status: 502, body: Data("<html>".utf8))
        #expect(garbage.providerError.kind == .transient)
    }
}
