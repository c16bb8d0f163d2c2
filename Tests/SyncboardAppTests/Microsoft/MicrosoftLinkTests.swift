import AsyncHTTPClient
import Fluent
import Foundation
@testable import MicrosoftEmulator
import NIOCore
import NIOHTTP1
import SyncboardCore
import Testing
import VaporTesting
@testable import SyncboardApp

/// Linking a Microsoft account over the real flow (issue 28 §2): the app in-process, its Microsoft client on a real
/// socket to the emulator, and a "browser" that follows the redirects and answers the consent page.
@Suite("Linking a Microsoft account")
struct MicrosoftLinkTests {
    static let work = "AAMkAdaWork"
    static let team = "AAMkAdaTeam"

    /// A signed-in user and an app wired to a Microsoft emulator with Ada's account and two calendars. Google's seams
    /// are there but unimplemented: nothing of a Microsoft account may reach Google.
    static func withLinkWorld(on database: TestDatabase = .sqlite,
                              _ body: (Application, SignedInClient, EmulatedMicrosoft, HTTPClient) async throws -> Void) async throws {
        try await TestApp.withApp(on: database) { app in
            try await EmulatedMicrosoft.with(calendars: [.init(id: work, name: "Work", owner: LinkedOutlook.ada.email, isDefaultCalendar: true),
                                                         .init(id: team, name: "Team", owner: LinkedOutlook.ada.email)]) { microsoft in
                try await LinkedOutlook.wire(app, to: microsoft)
                app.syncboard.google = GoogleServices(auth: .unimplemented, calendars: .unimplemented, calendarAPI: nil)
                let client = try await SignedInClient.signIn(try await Fixtures.user(app.db), on: app)
                try await TestHTTPClient.with { browser in try await body(app, client, microsoft, browser) }
            }
        }
    }

    struct Started {
        let authorizeURL: String
        let binding: String

        /// A parameter of the authorization request.
        func parameter(_ name: String) -> String? { URLComponents(string: authorizeURL)?.queryItems?.first { $0.name == name }?.value }
    }

    /// Posts the accounts page's button: answers where the browser is sent and the attempt's browser binding.
    static func start(_ client: SignedInClient, path: String = "/accounts/link/microsoft") async throws -> Started {
        let started = try await client.post(path)
        #expect(started.status == .seeOther, "\(started.body.string)")
        return Started(authorizeURL: try #require(started.headers.first(name: .location)),
                       binding: try #require(started.headers.setCookie?[OAuthStart.bindingCookie]?.string))
    }

    /// Answers Microsoft's consent page as `email` (or declines it): answers the URL Microsoft redirects the browser to.
    static func consent(_ started: Started, as email: String = LinkedOutlook.ada.email, decline: Bool = false,
                        browser: HTTPClient) async throws -> URLComponents {
        let page = try await browser.execute(HTTPClientRequest(url: started.authorizeURL), timeout: .seconds(60))
        #expect(page.status == .ok)
        let text = String(buffer: try await page.body.collect(upTo: 1 << 20))
        let requestID = try #require(text.firstMatch(of: /name="request" value="([^"]+)"/)).1
        var decision = HTTPClientRequest(url: started.authorizeURL.components(separatedBy: "?")[0] + "/decision")
        decision.method = .POST
        decision.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        decision.body = .bytes(ByteBuffer(string: "request=\(requestID)&action=\(decline ? "decline" : "accept")&account=\(email)"))
        let answered = try await browser.execute(decision, timeout: .seconds(60))
        return try #require(answered.headers.first(name: "Location").flatMap(URLComponents.init(string:)))
    }

    /// The browser arriving at the app's callback with Microsoft's answer (its binding cookie and session).
    static func finish(_ client: SignedInClient, _ callback: URLComponents, binding: String) async throws -> TestingHTTPResponse {
        let path = callback.percentEncodedPath + "?" + (callback.percentEncodedQuery ?? "")
        return try await client.app.testing().sendRequest(.GET, path, headers: ["Cookie": "\(OAuthStart.bindingCookie)=\(binding); \(client.cookie)"])
    }

    static func microsoftAccounts(_ app: Application) async throws -> [LinkedAccount] {
        try await LinkedAccount.query(on: app.db).filter(\.$provider == .microsoft).all()
    }

    @Test("the full link flow stores the account (tokens sealed) and its Outlook calendars; the accounts page shows them with their provider; a replayed callback is refused; no code, token or secret is logged", arguments: TestDatabase.all)
    func link(database: TestDatabase) async throws {
        CapturedLogs.install()
        try await Self.withLinkWorld(on: database) { app, client, microsoft, browser in
            app.logger.logLevel = .trace  // capture everything the requests log
            let before = try await client.get("/accounts").body.string
            #expect(before.contains("Link a Microsoft account"))

            let started = try await Self.start(client)
            #expect(started.authorizeURL.hasPrefix(microsoft.baseURL + "/common/oauth2/v2.0/authorize?"))
            #expect(started.parameter("redirect_uri") == "http://127.0.0.1:8080/auth/microsoft/callback")
            #expect(started.parameter("scope") == "offline_access Calendars.ReadWrite User.Read openid email profile")
            #expect(started.parameter("code_challenge_method") == "S256" && started.parameter("code_challenge")?.count == 43)
            #expect((started.parameter("state")?.count ?? 0) >= 43 && (started.parameter("nonce")?.count ?? 0) >= 43)
            let callback = try await Self.consent(started, browser: browser)
            #expect(callback.path == "/auth/microsoft/callback")
            let finished = try await Self.finish(client, callback, binding: started.binding)
            #expect(finished.status == .seeOther && finished.headers.first(name: .location) == "/accounts?notice=linked", "\(finished.body.string)")

            let accounts = try await Self.microsoftAccounts(app)
            #expect(accounts.count == 1)
            let account = try #require(accounts.first)
            #expect(account.email == LinkedOutlook.ada.email && account.displayName == "Ada Lovelace" && account.status == .active)
            #expect(account.$user.id == client.user.id)
            #expect(account.grantedScopes.contains("Calendars.ReadWrite"))
            let sealed = try #require(account.refreshTokenCiphertext)
            #expect(!sealed.contains("M.R3"), "stored encrypted")
            let refresh = try app.syncboard.vault.open(sealed, context: account.vaultContext("refresh_token"))
            #expect(await microsoft.state.refreshTokens[refresh]?.status == .live, "the refresh token Microsoft issued")

            let calendars = try await LinkedCalendar.query(on: app.db).filter(\.$account.$id == account.requireID()).sort(\.$summary).all()
            #expect(calendars.map(\.summary) == ["Team", "Work"])
            #expect(calendars.allSatisfy { $0.provider == .microsoft && $0.accessRole == "owner" && $0.isWritable })
            #expect(calendars.map(\.providerCalendarID) == [Self.team, Self.work])
            #expect(calendars.map(\.isPrimary) == [false, true])
            #expect(try await OAuthAttempt.query(on: app.db).count() == 0, "the attempt was consumed")

            let page = try await client.get("/accounts").body.string
            #expect(page.contains(LinkedOutlook.ada.email) && page.contains("Microsoft 365") && page.contains("Team"))
            for secret in [refresh, LinkedOutlook.clientSecret] { #expect(!page.contains(secret)) }

            let code = try #require(callback.queryItems?.first { $0.name == "code" }?.value)
            let access = try app.syncboard.vault.open(try #require(account.accessTokenCiphertext), context: account.vaultContext("access_token"))
            #expect(CapturedLogs.contains("request finished"), "the request logs were captured")
            for secret in [code, refresh, access, LinkedOutlook.clientSecret] { #expect(!CapturedLogs.contains(secret), "a secret reached the logs") }

            let listed = try await client.api(.GET, "/api/v1/accounts")
            let dtos = try listed.content.decode([AccountsAPIController.AccountDTO].self)
            let dto = try #require(dtos.first { $0.email == LinkedOutlook.ada.email })
            #expect(dto.provider == .microsoft && dto.calendars.allSatisfy { $0.provider == .microsoft }, "the API says whose account and calendars they are")

            let replayed = try await Self.finish(client, callback, binding: started.binding)
            #expect(replayed.status == .badRequest)
            #expect(try await Self.microsoftAccounts(app).count == 1)
        }
    }

    @Test("declining on Microsoft's consent page stores nothing and says the link was cancelled")
    func declined() async throws {
        try await Self.withLinkWorld { app, client, _, browser in
            let started = try await Self.start(client)
            let callback = try await Self.consent(started, decline: true, browser: browser)
            #expect(callback.queryItems?.first { $0.name == "error" }?.value == "access_denied")
            let finished = try await Self.finish(client, callback, binding: started.binding)
            #expect(finished.headers.first(name: .location) == "/accounts?notice=link-cancelled", "\(finished.body.string)")
            #expect(try await Self.microsoftAccounts(app).isEmpty)
        }
    }

    @Test("a wrong state is refused and stores nothing", arguments: TestDatabase.all)
    func wrongState(database: TestDatabase) async throws {
        try await Self.withLinkWorld(on: database) { app, client, _, browser in
            let started = try await Self.start(client)
            var callback = try await Self.consent(started, browser: browser)
            callback.queryItems = callback.queryItems?.map { $0.name == "state" ? URLQueryItem(name: "state", value: ($0.value ?? "") + "x") : $0 }
            let finished = try await Self.finish(client, callback, binding: started.binding)
            #expect(finished.status == .badRequest, "\(finished.body.string)")
            #expect(finished.body.string.contains("unknown, expired or was already used"))
            #expect(try await Self.microsoftAccounts(app).isEmpty)
            #expect(try await LinkedCalendar.query(on: app.db).count() == 0)
        }
    }

    @Test("an ID token for another nonce is refused and stores nothing", arguments: TestDatabase.all)
    func wrongNonce(database: TestDatabase) async throws {
        try await Self.withLinkWorld(on: database) { app, client, _, browser in
            let started = try await Self.start(client)
            // The attempt expects another nonce than the one Microsoft put in the ID token (a token from another sign-in).
            let attempt = try #require(try await OAuthAttempt.query(on: app.db).first())
            attempt.nonce = "a-nonce-of-another-sign-in"
            try await attempt.save(on: app.db)
            let callback = try await Self.consent(started, browser: browser)
            let finished = try await Self.finish(client, callback, binding: started.binding)
            #expect(finished.status == .badRequest, "\(finished.body.string)")
            #expect(finished.body.string.contains("nonce"), "\(finished.body.string)")
            #expect(try await Self.microsoftAccounts(app).isEmpty)
            #expect(try await LinkedCalendar.query(on: app.db).count() == 0)
        }
    }

    @Test("a revoked Microsoft grant shows as needs-reconnect; Reconnect runs Microsoft's flow for that account and makes it usable again")
    func reconnect() async throws {
        try await Self.withLinkWorld { app, client, microsoft, browser in
            let started = try await Self.start(client)
            _ = try await Self.finish(client, try await Self.consent(started, browser: browser), binding: started.binding)
            let account = try #require(try await Self.microsoftAccounts(app).first)
            let accountID = try account.requireID()

            await microsoft.state.revokeGrants(ofEmail: LinkedOutlook.ada.email)
            account.accessTokenExpiresAt = .distantPast
            try await account.save(on: app.db)
            let refreshed = try await client.api(.POST, "/api/v1/accounts/\(accountID)/refresh")
            #expect(refreshed.status == .conflict, "\(refreshed.body.string)")
            #expect(refreshed.body.string.contains("Microsoft 365 no longer accepts"))
            #expect(try await LinkedAccount.find(accountID, on: app.db)?.status == .needsReauth)
            let page = try await client.get("/accounts").body.string
            #expect(page.contains("needs reconnect") && page.contains("Microsoft 365 no longer accepts Syncboard's access to this account"))

            let again = try await Self.start(client, path: "/accounts/\(accountID)/reconnect")
            #expect(again.authorizeURL.hasPrefix(microsoft.baseURL + "/common/oauth2/v2.0/authorize?"), "reconnecting goes to Microsoft")
            #expect(again.parameter("login_hint") == LinkedOutlook.ada.email)
            let finished = try await Self.finish(client, try await Self.consent(again, browser: browser), binding: again.binding)
            #expect(finished.headers.first(name: .location) == "/accounts?notice=reconnected", "\(finished.body.string)")
            let reconnected = try #require(try await LinkedAccount.find(accountID, on: app.db))
            #expect(reconnected.status == .active && reconnected.lastError == nil)
            #expect(try await Self.microsoftAccounts(app).count == 1, "the same account, not a second one")
            #expect(try await client.api(.POST, "/api/v1/accounts/\(accountID)/refresh").status == .ok)
        }
    }

    @Test("without an app registration the accounts page offers no Microsoft link, and starting one says what to configure")
    func notConfigured() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let client = try await SignedInClient.signIn(try await Fixtures.user(app.db), on: app)
            #expect(!(try await client.get("/accounts").body.string.contains("Link a Microsoft account")))
            let started = try await client.post("/accounts/link/microsoft")
            #expect(started.status == .serviceUnavailable)
            #expect(started.body.string.contains("SYNCBOARD_MICROSOFT_CLIENT_ID"))
        }
    }
}
