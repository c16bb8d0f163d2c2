import Fluent
import Foundation
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("Sessions, CSRF and who may see what")
struct AccessControlTests {
    @Test("pages redirect to sign-in and the API answers 401 JSON without a session")
    func signInRequired() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            for path in ["/", "/accounts", "/insights", "/runs/\(UUID())"] {
                let response = try await app.testing().sendRequest(.GET, path)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers.first(name: .location)?.hasPrefix("/signin?next=") == true)
            }
            let api = try await app.testing().sendRequest(.GET, "/api/v1/accounts")
            #expect(api.status == .unauthorized)
            let body = try api.content.decode(SyncboardErrorMiddleware.APIError.self)
            #expect(body.error == "unauthenticated")
            // Open to all: sign-in, health, static files.
            for path in ["/signin", "/healthz", "/static/syncboard.css", "/static/syncboard.js"] {
                #expect(try await app.testing().sendRequest(.GET, path).status == .ok, "\(path)")
            }
        }
    }

    @Test("a session cookie signs in; sign-out ends it on the server")
    func sessionLifecycle() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let client = try await SignedInClient.signIn(user, on: app)
            #expect(try await client.get("/").status == .ok)
            let out = try await client.post("/signout")
            #expect(out.status == .seeOther)
            #expect(out.headers.setCookie?[SessionStore.cookieName]?.string == "")
            #expect(try await UserSession.query(on: app.db).count() == 0)
            #expect(try await client.get("/").status == .seeOther, "the old cookie no longer works")
        }
    }

    @Test("idle and absolute expiry end a session")
    func expiry() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let idle = try await SignedInClient.signIn(user, on: app)
            let session = try #require(try await UserSession.query(on: app.db).first())
            session.lastSeenAt = Date().addingTimeInterval(-app.syncboard.configuration.sessionIdleTimeout - 5)
            try await session.save(on: app.db)
            #expect(try await idle.get("/").status == .seeOther)

            let absolute = try await SignedInClient.signIn(user, on: app)
            let second = try #require(try await UserSession.query(on: app.db).first())
            second.expiresAt = Date().addingTimeInterval(-1)
            try await second.save(on: app.db)
            #expect(try await absolute.get("/").status == .seeOther)
            #expect(try await UserSession.query(on: app.db).count() == 0, "expired sessions are deleted when met")
        }
    }

    @Test("the session cookie is HttpOnly and SameSite=Lax, and Secure only behind https")
    func cookieFlags() throws {
        var configuration = try TestApp.configuration(database: .sqliteInMemory)
        let plain = SessionStore.cookie(token: "t", configuration: configuration)
        #expect(plain.isHTTPOnly && plain.sameSite == .lax && !plain.isSecure)
        configuration.explicitBaseURL = URL(string: "https://sync.example.org")
        #expect(SessionStore.cookie(token: "t", configuration: configuration).isSecure)
    }

    @Test("state-changing requests need the session's CSRF token and a same-site origin")
    func csrf() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let user = try await Fixtures.user(app.db)
            let client = try await SignedInClient.signIn(user, on: app)
            let missing = try await client.post("/signout", withCSRF: false)
            #expect(missing.status == .forbidden)
            #expect(missing.body.string.contains("security token"))
            #expect(try await UserSession.query(on: app.db).count() == 1, "nothing happened")
            let wrong = try await client.post("/signout", form: [CSRFProtection.formField: "forged"], withCSRF: false)
            #expect(wrong.status == .forbidden)
            let crossSite = try await client.post("/signout", headers: ["Origin": "https://evil.example"])
            #expect(crossSite.status == .forbidden)
            #expect(try await client.post("/signout").status == .seeOther)
        }
    }

    @Test("another user's accounts, jobs and runs answer 404 in HTML and JSON alike", arguments: TestDatabase.all)
    func crossUser(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let owner = try await Fixtures.user(app.db, email: "owner@example.com")
            let intruder = try await Fixtures.user(app.db, email: "intruder@example.com")
            let account = try await Fixtures.account(app.db, user: owner)
            let calendar = try await Fixtures.calendar(app.db, account: account)
            let jobID = try await Fixtures.job(app.db, user: owner, source: calendar, destination: calendar, nextRunAt: nil)
            let run = JobRun(jobID: jobID, trigger: .manual, mode: .sync, status: .succeeded, scheduledFor: nil, queuedAt: Date())
            try await run.create(on: app.db)
            let accountID = try account.requireID().uuidString, runID = try run.requireID().uuidString

            let client = try await SignedInClient.signIn(intruder, on: app)
            let pages = ["/runs/\(runID)", "/runs/\(runID)/log/stream", "/accounts/\(accountID)/unlink"]
            for path in pages {
                #expect(try await client.get(path).status == .notFound, "GET \(path)")
            }
            let forms = ["/accounts/\(accountID)/refresh", "/accounts/\(accountID)/reconnect", "/accounts/\(accountID)/unlink",
                         "/runs/\(runID)/cancel", "/jobs/\(jobID)/run", "/jobs/\(jobID)/dry-run", "/jobs/\(jobID)/clean",
                         "/jobs/\(jobID)/pause", "/jobs/\(jobID)/resume"]
            for path in forms {
                #expect(try await client.post(path).status == .notFound, "POST \(path)")
            }
            let api = try await client.api(.GET, "/api/v1/accounts/\(accountID)/calendars")
            #expect(api.status == .notFound)
            #expect(try api.content.decode(SyncboardErrorMiddleware.APIError.self).error == "not_found")
            #expect(try await client.api(.POST, "/api/v1/accounts/\(accountID)/refresh").status == .notFound)
            #expect(try await client.api(.GET, "/api/v1/accounts").body.string == "[]")
            // Nothing changed for the owner.
            #expect(try await LinkedAccount.find(account.id, on: app.db) != nil)
            #expect(try await JobRun.query(on: app.db).count() == 1)
        }
    }
}
