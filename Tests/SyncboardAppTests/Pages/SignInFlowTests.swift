import Fluent
import Foundation
import GoogleClient
import Synchronization
import SyncboardCore
import Testing
import VaporTesting
@testable import SyncboardApp

/// The sign-in, link and callback flows through the app's Google seam (the HTTP side of Google is covered by
/// GoogleClientTests): state, browser binding, PKCE, nonce, single use, cancel, and accounts owned by others.
@Suite("Sign-in and linking flows")
struct SignInFlowTests {
    final class FakeGoogle: Sendable {
        struct Exchange: Sendable { let code: String; let verifier: String; let redirectURI: String }
        let identity = Mutex(GoogleAuthService.GoogleIdentity(subject: "sub-alice", email: "alice@example.com", name: "Alice", picture: nil))
        let exchanges = Mutex<[Exchange]>([])
        let nonces = Mutex<[String]>([])

        var services: GoogleServices {
            GoogleServices(
                auth: GoogleAuthService(
                    authorizationURL: { request in
                        var components = URLComponents(string: "https://accounts.example/auth")!
                        components.queryItems = [.init(name: "state", value: request.state), .init(name: "nonce", value: request.nonce),
                                                 .init(name: "code_challenge", value: request.codeChallenge), .init(name: "redirect_uri", value: request.redirectURI),
                                                 .init(name: "prompt", value: request.prompt), .init(name: "login_hint", value: request.loginHint)]
                        return components.url!
                    },
                    exchangeCode: { code, verifier, redirectURI in
                        self.exchanges.withLock { $0.append(.init(code: code, verifier: verifier, redirectURI: redirectURI)) }
                        guard code == "good-code" else { throw GoogleAuthFailure.invalidGrant }
                        return .init(accessToken: "ya29.access-token-secret", expiresIn: 3600, refreshToken: "1//refresh-token-secret",
                                     scope: "openid email", idToken: "id-token")
                    },
                    verifyIDToken: { _, nonce in
                        self.nonces.withLock { $0.append(nonce) }
                        return self.identity.withLock { $0 }
                    },
                    refresh: { _ in .init(accessToken: "ya29.refreshed", expiresIn: 3600, refreshToken: nil, scope: "", idToken: nil) },
                    revoke: { _ in }),
                calendars: GoogleCalendarService(listCalendars: { _ in
                    [.init(id: "alice@example.com", summary: "Alice", timeZone: "Europe/Berlin", accessRole: "owner", backgroundColor: nil, primary: true)]
                }))
        }
    }

    struct Started {
        let state: String
        let nonce: String
        let challenge: String
        let binding: String
    }

    static func start(_ app: Application, path: String = "/auth/google", cookie: String? = nil, csrf: String? = nil) async throws -> Started {
        var headers: HTTPHeaders = [:]
        if let cookie { headers.add(name: "Cookie", value: cookie) }
        let response: TestingHTTPResponse
        if let csrf {
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            response = try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: "_csrf=\(csrf)"))
        } else {
            response = try await app.testing().sendRequest(.GET, path, headers: headers)
        }
        #expect(response.status == .seeOther)
        let location = try #require(response.headers.first(name: .location))
        let items = Dictionary(uniqueKeysWithValues: (URLComponents(string: location)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let binding = try #require(response.headers.setCookie?[OAuthStart.bindingCookie]?.string)
        return Started(state: items["state"] ?? "", nonce: items["nonce"] ?? "", challenge: items["code_challenge"] ?? "", binding: binding)
    }

    static func callback(_ app: Application, query: String, cookies: [String]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, "/auth/google/callback?\(query)", headers: ["Cookie": cookies.joined(separator: "; ")])
    }

    @Test("sign-in: state, PKCE and nonce round-trip; user, account and encrypted tokens stored; session started; state single-use", arguments: TestDatabase.all)
    func signIn(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let google = FakeGoogle()
            app.syncboard.google = google.services
            let started = try await Self.start(app)
            #expect(started.state.count >= 43 && started.nonce.count >= 43)
            let response = try await Self.callback(app, query: "code=good-code&state=\(started.state)", cookies: ["\(OAuthStart.bindingCookie)=\(started.binding)"])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/")
            let session = try #require(response.headers.setCookie?[SessionStore.cookieName])
            #expect(session.isHTTPOnly && session.sameSite == .lax)

            let exchange = try #require(google.exchanges.withLock { $0.first })
            #expect(GoogleOAuthClient.codeChallenge(for: exchange.verifier) == started.challenge, "the verifier matches the S256 challenge")
            #expect(exchange.redirectURI == "http://127.0.0.1:8080/auth/google/callback")
            #expect(google.nonces.withLock { $0 } == [started.nonce])

            let account = try #require(try await LinkedAccount.query(on: app.db).with(\.$user).first())
            #expect(account.subject == "sub-alice" && account.user.email == "alice@example.com" && account.status == .active)
            let refresh = try #require(account.refreshTokenCiphertext)
            #expect(!refresh.contains("refresh-token-secret"))
            #expect(try app.syncboard.vault.open(refresh, context: account.vaultContext("refresh_token")) == "1//refresh-token-secret")
            #expect(try await LinkedCalendar.query(on: app.db).count() == 1, "the sign-in account's calendars were discovered")

            // The session works; the state cannot be used again.
            let page = try await app.testing().sendRequest(.GET, "/", headers: ["Cookie": "\(SessionStore.cookieName)=\(session.string)"])
            #expect(page.status == .ok)
            #expect(!page.body.string.contains("token-secret"))
            let replay = try await Self.callback(app, query: "code=good-code&state=\(started.state)", cookies: ["\(OAuthStart.bindingCookie)=\(started.binding)"])
            #expect(replay.status == .badRequest)
            #expect(replay.body.string.contains("already used"))
            #expect(try await OAuthAttempt.query(on: app.db).count() == 0)
        }
    }

    @Test("a second sign-in rotates the session id and keeps one user")
    func rotation() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.google = FakeGoogle().services
            var sessions: [String] = []
            for _ in 0..<2 {
                let previous = sessions.last.map { ["\(SessionStore.cookieName)=\($0)"] } ?? []
                let started = try await Self.start(app)
                let response = try await Self.callback(app, query: "code=good-code&state=\(started.state)",
                                                       cookies: previous + ["\(OAuthStart.bindingCookie)=\(started.binding)"])
                sessions.append(try #require(response.headers.setCookie?[SessionStore.cookieName]?.string))
            }
            #expect(sessions[0] != sessions[1])
            #expect(try await UserSession.query(on: app.db).count() == 1, "the old session was ended")
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }

    @Test("failures: missing or unknown state, another browser, cancelled consent, refused code — nothing is written")
    func failures() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.google = FakeGoogle().services
            let missing = try await Self.callback(app, query: "code=good-code", cookies: [])
            #expect(missing.status == .badRequest && missing.body.string.contains("no state"))
            let unknown = try await Self.callback(app, query: "code=good-code&state=forged", cookies: [])
            #expect(unknown.status == .badRequest)

            let started = try await Self.start(app)
            let otherBrowser = try await Self.callback(app, query: "code=good-code&state=\(started.state)", cookies: ["\(OAuthStart.bindingCookie)=\(String(repeating: "x", count: 43))"])
            #expect(otherBrowser.status == .badRequest && otherBrowser.body.string.contains("another browser"))

            let cancelled = try await Self.start(app)
            let denied = try await Self.callback(app, query: "error=access_denied&state=\(cancelled.state)", cookies: ["\(OAuthStart.bindingCookie)=\(cancelled.binding)"])
            #expect(denied.headers.first(name: .location) == "/signin?notice=cancelled")

            let refused = try await Self.start(app)
            let badCode = try await Self.callback(app, query: "code=reused-code&state=\(refused.state)", cookies: ["\(OAuthStart.bindingCookie)=\(refused.binding)"])
            #expect(badCode.status == .badRequest && badCode.body.string.contains("Sign-in failed"))
            #expect(try await User.query(on: app.db).count() == 0)
            #expect(try await LinkedAccount.query(on: app.db).count() == 0)
        }
    }

    @Test("linking adds an account to the signed-in user; an account of another user is refused")
    func linking() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let google = FakeGoogle()
            app.syncboard.google = google.services
            let bob = try await Fixtures.user(app.db, email: "bob@example.com")
            _ = try await Fixtures.account(app.db, user: bob, subject: "sub-bob-work", email: "bob@work.example")
            let carol = try await Fixtures.user(app.db, email: "carol@example.com")
            let client = try await SignedInClient.signIn(carol, on: app)

            google.identity.withLock { $0 = .init(subject: "sub-carol-2", email: "carol@second.example", name: "Carol", picture: nil) }
            let started = try await Self.start(app, path: "/accounts/link", cookie: client.cookie, csrf: client.csrf)
            let linked = try await Self.callback(app, query: "code=good-code&state=\(started.state)",
                                                 cookies: [client.cookie, "\(OAuthStart.bindingCookie)=\(started.binding)"])
            #expect(linked.headers.first(name: .location) == "/accounts?notice=linked")
            #expect(try await LinkedAccount.query(on: app.db).filter(\.$user.$id == carol.requireID()).count() == 1)

            google.identity.withLock { $0 = .init(subject: "sub-bob-work", email: "bob@work.example", name: "Bob", picture: nil) }
            let again = try await Self.start(app, path: "/accounts/link", cookie: client.cookie, csrf: client.csrf)
            let refused = try await Self.callback(app, query: "code=good-code&state=\(again.state)",
                                                  cookies: [client.cookie, "\(OAuthStart.bindingCookie)=\(again.binding)"])
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("already linked to another Syncboard user"))
            let bobsAccount = try #require(try await LinkedAccount.query(on: app.db).filter(\.$subject == "sub-bob-work").first())
            #expect(bobsAccount.$user.id == (try bob.requireID()), "still Bob's")
        }
    }
}

@Suite("Unlinking an account")
struct UnlinkTests {
    @Test("unlink revokes the token, deletes the account and its calendars, and disables the jobs that used it, naming them", arguments: TestDatabase.all)
    func unlinkDisablesJobs(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let revoked = RevocationLog()
            var services = SignInFlowTests.FakeGoogle().services
            services.auth.revoke = { token in revoked.add(token) }
            app.syncboard.google = services
            let user = try await Fixtures.user(app.db)
            let work = try await Fixtures.account(app.db, user: user, subject: "w", email: "me@work.example")
            let home = try await Fixtures.account(app.db, user: user, subject: "h", email: "me@home.example")
            work.refreshTokenCiphertext = try app.syncboard.vault.seal("work-refresh", context: work.vaultContext("refresh_token"))
            try await work.save(on: app.db)
            let workCalendar = try await Fixtures.calendar(app.db, account: work)
            let homeCalendar = try await Fixtures.calendar(app.db, account: home)
            let otherCalendar = try await Fixtures.calendar(app.db, account: home)
            let affected = try await Fixtures.job(app.db, user: user, source: workCalendar, destination: homeCalendar, name: "Work → Home", nextRunAt: Date())
            let untouched = try await Fixtures.job(app.db, user: user, source: homeCalendar, destination: otherCalendar, name: "Home → Other", nextRunAt: Date())
            // A group whose third member (not its stored source or destination) is the work calendar.
            let group = SyncJob(userID: try user.requireID(), spec: .group(name: "Everything", members: [homeCalendar, otherCalendar, workCalendar].map { $0.id! }))
            try await group.create(on: app.db)
            let client = try await SignedInClient.signIn(user, on: app)

            let confirm = try await client.get("/accounts/\(try work.requireID())/unlink")
            #expect(confirm.body.string.contains("Work → Home") && confirm.body.string.contains("Everything") && !confirm.body.string.contains("Home → Other"))
            let done = try await client.post("/accounts/\(try work.requireID())/unlink")
            #expect(done.status == .ok)
            #expect(done.body.string.contains("Work → Home"), "the page names the disabled job")
            #expect(revoked.tokens == ["work-refresh"])
            #expect(try await LinkedAccount.find(work.id, on: app.db) == nil)
            #expect(try await LinkedCalendar.find(workCalendar.id, on: app.db) == nil)
            let job = try #require(try await SyncJob.find(affected, on: app.db))
            #expect(!job.enabled && job.nextRunAt == nil && job.$sourceCalendar.id == nil)
            #expect(job.statusReason?.contains("me@work.example") == true)
            #expect(try await SyncJob.find(untouched, on: app.db)?.enabled == true)
            #expect(try await SyncJob.find(group.id, on: app.db)?.enabled == false, "a group with one of the account's calendars")
        }
    }

    final class RevocationLog: Sendable {
        private let store = Mutex<[String]>([])
        func add(_ token: String) { store.withLock { $0.append(token) } }
        var tokens: [String] { store.withLock { $0 } }
    }
}
