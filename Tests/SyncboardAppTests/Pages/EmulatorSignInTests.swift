import AsyncHTTPClient
import EmulatorTestKit
import Fluent
import Foundation
import GoogleEmulator
import NIOHTTP1
import Testing
import VaporTesting
@testable import SyncboardApp

/// The real flows over HTTP against the Google emulator: the app's Google client talks to the emulator on a real
/// port, a "browser" (HTTP client) follows the redirects and answers the consent page.
@Suite("Sign-in against the Google emulator")
struct EmulatorSignInTests {
    static let clientID = "syncboard-test.apps.example"
    static let clientSecret = "emulator-client-secret"

    static func wire(_ app: Application, to emulator: GoogleEmulatorServer) async throws {
        await emulator.state.addClient(.init(clientID: clientID, clientSecret: clientSecret,
                                             redirectURIs: ["http://127.0.0.1:8080/auth/google/callback"]))
        let base = URL(string: emulator.baseURL)!
        var settings = GoogleSettings(
            clientID: clientID, clientSecret: clientSecret, issuer: base,
            authorizationURL: base.appendingPathComponent("o/oauth2/v2/auth"), tokenURL: base.appendingPathComponent("token"),
            revocationURL: base.appendingPathComponent("revoke"), userinfoURL: base.appendingPathComponent("v1/userinfo"),
            jwksURL: base.appendingPathComponent("oauth2/v3/certs"), calendarAPIURL: base.appendingPathComponent("calendar/v3"))
        // The emulator enforces no quota, and tests that drive many runs (the property tests) would only wait: the
        // pacing itself is tested in RequestPacerTests.
        settings.requestsPerMinutePerAccount = 100_000
        app.syncboard.configuration.google = settings
        app.syncboard.google = GoogleServices.live(settings: settings, http: app.http.client.shared)
    }

    /// Starts a flow in the app and answers Google's page as `email`; returns the app's callback response.
    static func signIn(_ app: Application, as email: String, browser: HTTPClient, start: String = "/auth/google",
                       cookie: String? = nil, csrf: String? = nil, cancel: Bool = false) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = [:]
        if let cookie { headers.add(name: "Cookie", value: cookie) }
        let started: TestingHTTPResponse
        if let csrf {
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            started = try await app.testing().sendRequest(.POST, start, headers: headers, body: ByteBuffer(string: "_csrf=\(csrf)"))
        } else {
            started = try await app.testing().sendRequest(.GET, start, headers: headers)
        }
        let googleURL = try #require(started.headers.first(name: .location))
        let binding = try #require(started.headers.setCookie?[OAuthStart.bindingCookie]?.string)
        let consent = try await browser.execute(HTTPClientRequest(url: googleURL), timeout: .seconds(60))
        #expect(consent.status == .ok)
        let page = String(buffer: try await consent.body.collect(upTo: 1 << 20))
        let requestID = try #require(page.firstMatch(of: /name="request" value="([^"]+)"/)).1
        var decision = HTTPClientRequest(url: googleURL.components(separatedBy: "/o/oauth2")[0] + "/o/oauth2/v2/auth/decision")
        decision.method = .POST
        decision.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        decision.body = .bytes(ByteBuffer(string: cancel ? "request=\(requestID)&action=cancel" : "request=\(requestID)&action=allow&account=\(email)"))
        let answered = try await browser.execute(decision, timeout: .seconds(60))
        #expect(answered.status == .seeOther)
        let callback = try #require(answered.headers.first(name: "Location"))
        let path = try #require(URLComponents(string: callback)).percentEncodedPath + "?" + (URLComponents(string: callback)?.percentEncodedQuery ?? "")
        var cookies = ["\(OAuthStart.bindingCookie)=\(binding)"]
        if let cookie { cookies.append(cookie) }
        return try await app.testing().sendRequest(.GET, path, headers: ["Cookie": cookies.joined(separator: "; ")])
    }

    @Test("sign in, link a second account, lose access by revocation, reconnect, unlink with revocation; no secret logged or shown", arguments: TestDatabase.all)
    func journey(database: TestDatabase) async throws {
        CapturedLogs.install()
        let browser = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { Task { try? await browser.shutdown() } }
        try await EmulatedGoogle.with(
            accounts: [.init(subject: "1001", email: "alice@example.com", name: "Alice"), .init(subject: "1002", email: "alice.work@example.com", name: "Alice at work")],
            calendars: [EmulatedGoogle.calendar("alice@example.com", "Alice", owner: "alice@example.com", timeZone: "Europe/Berlin"),
                        EmulatedGoogle.calendar("alice.work@example.com", "Work", owner: "alice.work@example.com"),
                        .init(id: "team@group.calendar.google.com", summary: "Team", roles: ["alice.work@example.com": "reader"])]) { google in
            let emulator = google.server
            try await TestApp.withApp(on: database) { app in
                app.logger.logLevel = .trace  // capture everything the requests log
                try await Self.wire(app, to: emulator)
                // Sign in.
                let signedIn = try await Self.signIn(app, as: "alice@example.com", browser: browser)
                #expect(signedIn.status == .seeOther && signedIn.headers.first(name: .location) == "/", "\(signedIn.body.string)")
                let session = try #require(signedIn.headers.setCookie?[SessionStore.cookieName]?.string)
                let cookie = "\(SessionStore.cookieName)=\(session)"
                let user = try #require(try await User.query(on: app.db).first())
                #expect(user.email == "alice@example.com")
                let stored = try await UserSession.query(on: app.db).first()
                #expect(try await LinkedCalendar.query(on: app.db).count() == 1, "calendars of the sign-in account discovered")

                // Link the work account.
                let linked = try await Self.signIn(app, as: "alice.work@example.com", browser: browser, start: "/accounts/link",
                                                   cookie: cookie, csrf: try #require(stored).csrfToken)
                #expect(linked.headers.first(name: .location) == "/accounts?notice=linked", "\(linked.body.string)")
                let accounts = try await LinkedAccount.query(on: app.db).filter(\.$user.$id == user.requireID()).all()
                #expect(Set(accounts.map(\.email)) == ["alice@example.com", "alice.work@example.com"])
                #expect(try await LinkedCalendar.query(on: app.db).count() == 3)
                for account in accounts {
                    let refresh = try #require(account.refreshTokenCiphertext)
                    #expect(!refresh.contains("1//"), "stored encrypted")
                }

                // Google revokes the work account's access: the next refresh marks it "needs reconnect".
                let work = try #require(accounts.first { $0.email == "alice.work@example.com" })
                await emulator.state.revokeTokens(ofEmail: "alice.work@example.com")
                work.accessTokenExpiresAt = Date.distantPast
                try await work.save(on: app.db)
                let client = SignedInClient(app: app, user: user, cookie: cookie, csrf: try #require(stored).csrfToken)
                let refreshed = try await client.api(.POST, "/api/v1/accounts/\(try work.requireID())/refresh")
                #expect(refreshed.status == .conflict)
                #expect(try await LinkedAccount.find(work.id, on: app.db)?.status == .needsReauth)
                let accountsPage = try await client.get("/accounts")
                #expect(accountsPage.body.string.contains("needs reconnect"))

                // Reconnect: the same flow for that account (consent again), and the account is usable again.
                let reconnected = try await Self.signIn(app, as: "alice.work@example.com", browser: browser,
                                                        start: "/accounts/\(try work.requireID())/reconnect", cookie: cookie, csrf: client.csrf)
                #expect(reconnected.headers.first(name: .location) == "/accounts?notice=reconnected", "\(reconnected.body.string)")
                let again = try #require(try await LinkedAccount.find(work.id, on: app.db))
                #expect(again.status == .active && again.lastError == nil)
                #expect(try await client.api(.POST, "/api/v1/accounts/\(try work.requireID())/refresh").status == .ok)

                // Unlink the sign-in account: its token is revoked at Google.
                let home = try #require(accounts.first { $0.email == "alice@example.com" })
                let refreshToken = try app.syncboard.vault.open(try #require(home.refreshTokenCiphertext), context: home.vaultContext("refresh_token"))
                #expect(await emulator.state.isRevoked(refreshToken: refreshToken) == false)
                let unlinked = try await client.post("/accounts/\(try home.requireID())/unlink")
                #expect(unlinked.status == .ok)
                #expect(await emulator.state.isRevoked(refreshToken: refreshToken), "revoked at Google")
                #expect(try await LinkedAccount.find(home.id, on: app.db) == nil)

                // Nothing secret reached a log line or a page: tokens, the client secret, the encryption key.
                #expect(CapturedLogs.contains("request finished"), "the request logs were captured")
                let workAccount = try #require(try await LinkedAccount.find(work.id, on: app.db))
                let workRefresh = try app.syncboard.vault.open(try #require(workAccount.refreshTokenCiphertext), context: workAccount.vaultContext("refresh_token"))
                let workAccess = try app.syncboard.vault.open(try #require(workAccount.accessTokenCiphertext), context: workAccount.vaultContext("access_token"))
                let key = app.syncboard.keyring.current.key.withUnsafeBytes { Data($0).base64EncodedString() }
                for secret in [refreshToken, workRefresh, workAccess, Self.clientSecret, key] {
                    #expect(!CapturedLogs.contains(secret), "a secret reached the logs")
                    #expect(!(try await client.get("/accounts").body.string.contains(secret)))
                }
                #expect(!CapturedLogs.contains("code=4/"), "authorization codes are not logged")
            }
        }
    }

    @Test("cancelling on Google's page changes nothing")
    func cancel() async throws {
        let browser = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { Task { try? await browser.shutdown() } }
        try await EmulatedGoogle.with(accounts: [.init(subject: "2001", email: "bob@example.com", name: "Bob")]) { google in
            try await TestApp.withApp(on: .sqlite) { app in
                try await Self.wire(app, to: google.server)
                let response = try await Self.signIn(app, as: "bob@example.com", browser: browser, cancel: true)
                #expect(response.headers.first(name: .location) == "/signin?notice=cancelled")
                #expect(try await User.query(on: app.db).count() == 0)
            }
        }
    }
}
