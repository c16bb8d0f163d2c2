import EmulatorTestKit
import Foundation
import Testing
@testable import MicrosoftClient

/// ID token validation as the identity platform asks of an app (id-token-claims-reference "Validate tokens";
/// v2-protocols-oidc "Validate the ID token"; issuer template of multi-tenant discovery documents, v2-protocols-oidc
/// "Find your app's OpenID configuration document URI"): signature from the tenant's keys, `iss` for the token's
/// own tenant, `aud` this app, the nonce of this sign-in.
@Suite("Microsoft ID tokens")
struct MicrosoftIDTokenVerifierTests {
    static let verifierValue = "pkce-verifier-0123456789-0123456789-0123456789-xyz"

    /// An ID token for Ada issued to `clientID` with `nonce`, through the consent page.
    static func idToken(_ h: GraphHarness, clientID: String = "app-id", secret: String = "app-secret", nonce: String) async throws -> String {
        let client = MicrosoftOAuthClient(endpoints: h.endpoints, credentials: .init(clientID: clientID, clientSecret: secret), http: h.http, timeout: TestDeadline.call)
        let url = client.authorizationURL(redirectURI: GraphHarness.redirect, state: "s", nonce: nonce,
                                          codeChallenge: MicrosoftOAuthClient.codeChallenge(for: verifierValue))
        let (code, _) = try await h.authorize(url: url)
        return try #require(try await client.exchange(code: code, codeVerifier: verifierValue, redirectURI: GraphHarness.redirect).idToken)
    }

    static func failure(_ verifier: MicrosoftIDTokenVerifier, _ token: String, nonce: String) async -> MicrosoftIDTokenVerifier.Failure? {
        do { _ = try await verifier.verify(token, nonce: nonce); return nil } catch { return error }
    }

    @Test func wrongAudienceNonceIssuerAndSignatureAreRefused() async throws {
        try await GraphHarness.with { h in
            let verifier = MicrosoftIDTokenVerifier(endpoints: h.endpoints, clientID: "app-id", http: h.http, keysTimeout: TestDeadline.call)
            let token = try await Self.idToken(h, nonce: "n-1")
            // `common`: the {tenantid} template filled with the token's tid.
            let identity = try await verifier.verify(token, nonce: "n-1")
            #expect(identity.tenantID == GraphHarness.tenant)

            // Issued to another application.
            let foreign = try await Self.idToken(h, clientID: "other-app", secret: "other-secret", nonce: "n-1")
            #expect(await Self.failure(verifier, foreign, nonce: "n-1") == .wrongAudience)
            // Another sign-in's nonce.
            #expect(await Self.failure(verifier, token, nonce: "n-2") == .wrongNonce)
            // A signature that does not verify (payload changed).
            let parts = token.split(separator: ".").map(String.init)
            var payload = Array(parts[1])
            payload[payload.count / 2] = payload[payload.count / 2] == "A" ? "B" : "A"
            let tampered = [parts[0], String(payload), parts[2]].joined(separator: ".")
            let tamperedFailure = await Self.failure(verifier, tampered, nonce: "n-1")
            #expect(tamperedFailure == .badSignature || tamperedFailure.map { if case .rejected = $0 { true } else { false } } == true)

            // An app configured for another tenant, or for personal accounts only, refuses Ada's work tenant.
            for tenant in [GraphHarness.otherTenant, "consumers"] {
                let other = MicrosoftEndpoints(authority: h.endpoints.authority, tenant: tenant, graph: h.endpoints.graph)
                let strict = MicrosoftIDTokenVerifier(endpoints: other, clientID: "app-id", http: h.http, keysTimeout: TestDeadline.call)
                #expect(await Self.failure(strict, token, nonce: "n-1") == .wrongIssuer, "\(tenant)")
            }
            // Configured for Ada's tenant, or for organizations, the token is Ada's.
            for tenant in [GraphHarness.tenant, "organizations"] {
                let own = MicrosoftEndpoints(authority: h.endpoints.authority, tenant: tenant, graph: h.endpoints.graph)
                let verified = try await MicrosoftIDTokenVerifier(endpoints: own, clientID: "app-id", http: h.http, keysTimeout: TestDeadline.call).verify(token, nonce: "n-1")
                #expect(verified.objectID == GraphHarness.adaOID)
            }
            // Another authority (a token from elsewhere naming the same tenant) is not this issuer.
            let elsewhere = MicrosoftEndpoints(authority: URL(string: "https://login.microsoftonline.com")!, tenant: "common", graph: h.endpoints.graph)
            #expect(elsewhere.expectedIssuer(forTenantID: GraphHarness.tenant) == "https://login.microsoftonline.com/\(GraphHarness.tenant)/v2.0")
            #expect(elsewhere.expectedIssuer(forTenantID: "{tenantid}") == nil)
            // The key set was fetched once for all of the above (one verifier).
            #expect(await verifier.jwksFetches == 1)
        }
    }
}
