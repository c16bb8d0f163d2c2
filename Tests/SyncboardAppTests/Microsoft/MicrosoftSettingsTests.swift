import AsyncHTTPClient
import Foundation
import Testing
@testable import SyncboardApp

/// SYNCBOARD_MICROSOFT_*: read as Google's settings are, and the services they make (issue 28 §2).
@Suite("Microsoft settings")
struct MicrosoftSettingsTests {
    private func load(_ env: [String: String]) throws(ConfigurationError) -> AppConfiguration {
        try AppConfiguration.load(from: EnvironmentReader(environment: env))
    }

    private func error(_ env: [String: String]) -> ConfigurationError? {
        do { _ = try load(env); return nil } catch { return error }
    }

    @Test("without an app registration Microsoft is not configured, its tenant is common and its endpoints Microsoft's")
    func defaults() throws {
        let settings = try load([:]).microsoft
        #expect(!settings.isConfigured)
        #expect(settings.tenant == "common")
        #expect(settings.authorityURL.absoluteString == "https://login.microsoftonline.com")
        #expect(settings.graphURL.absoluteString == "https://graph.microsoft.com/v1.0")
    }

    @Test("client id, secret, tenant and both endpoints are read; the live services point where they say")
    func configured() throws {
        let settings = try load([
            "SYNCBOARD_MICROSOFT_CLIENT_ID": "app-id", "SYNCBOARD_MICROSOFT_CLIENT_SECRET": "s3cret",
            "SYNCBOARD_MICROSOFT_TENANT": "contoso.onmicrosoft.com",
            "SYNCBOARD_MICROSOFT_AUTHORITY_URL": "http://127.0.0.1:9100", "SYNCBOARD_MICROSOFT_GRAPH_URL": "http://127.0.0.1:9100/v1.0",
        ]).microsoft
        #expect(settings.isConfigured && settings.clientID == "app-id" && settings.clientSecret == "s3cret")
        #expect(settings.tenant == "contoso.onmicrosoft.com")
        #expect(settings.graphURL.absoluteString == "http://127.0.0.1:9100/v1.0")
        let services = try #require(MicrosoftServices.live(settings: settings, http: .shared))
        let url = services.auth.authorizationURL(.init(redirectURI: "http://127.0.0.1:8080/auth/microsoft/callback", state: "st", nonce: "no",
                                                       codeChallenge: "ch", prompt: nil, loginHint: nil))
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        #expect(components.host == "127.0.0.1" && components.port == 9100)
        #expect(components.path == "/contoso.onmicrosoft.com/oauth2/v2.0/authorize")
        let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query["client_id"] == "app-id" && query["state"] == "st" && query["nonce"] == "no" && query["code_challenge_method"] == "S256")
        #expect(query["scope"] == "offline_access Calendars.ReadWrite User.Read openid email profile")
        #expect(!url.absoluteString.contains("s3cret"), "the secret never reaches the browser")
        #expect(MicrosoftServices.live(settings: MicrosoftSettings(), http: .shared) == nil)
    }

    @Test("an id without a secret (or the reverse), a tenant that is not one, or an endpoint that is not a URL is refused, naming the variable")
    func refused() {
        #expect(error(["SYNCBOARD_MICROSOFT_CLIENT_ID": "app-id"])?.variable == "SYNCBOARD_MICROSOFT_CLIENT_SECRET")
        #expect(error(["SYNCBOARD_MICROSOFT_CLIENT_SECRET": "s3cret"])?.variable == "SYNCBOARD_MICROSOFT_CLIENT_ID")
        #expect(error(["SYNCBOARD_MICROSOFT_TENANT": "common/../evil"])?.variable == "SYNCBOARD_MICROSOFT_TENANT")
        #expect(error(["SYNCBOARD_MICROSOFT_GRAPH_URL": "graph.example"])?.variable == "SYNCBOARD_MICROSOFT_GRAPH_URL")
        #expect(error(["SYNCBOARD_MICROSOFT_AUTHORITY_URL": "ftp://login.example"])?.variable == "SYNCBOARD_MICROSOFT_AUTHORITY_URL")
        let refusal = error(["SYNCBOARD_MICROSOFT_CLIENT_SECRET": "s3cret"])
        #expect(!String(describing: refusal).contains("s3cret"), "a refusal never echoes the secret")
    }

    @Test("the app's services carry Microsoft's only when it is configured")
    func onTheApp() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            #expect(app.syncboard.microsoft == nil)
            #expect(throws: (any Error).self) { try app.syncboard.requireMicrosoft() }
        }
    }
}
