import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import SyncboardApp

/// A script's view of the API: `Authorization: Bearer` and nothing else (no cookie, no CSRF token).
struct BearerClient {
    let app: Application
    let token: String

    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if json != nil { headers.contentType = .json }
        headers.add(contentsOf: extra)
        return try await app.testing().sendRequest(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Issues a token for `user` directly, as the settings page does.
    static func issue(for user: User, scope: PersonalAccessToken.Scope, on app: Application, expiresAt: Date? = nil) async throws -> BearerClient {
        let issued = try await PersonalAccessTokens(db: app.db).issue(userID: try user.requireID(), name: "test script", scope: scope, expiresAt: expiresAt)
        return BearerClient(app: app, token: issued.secret)
    }
}

@Suite("Personal access tokens on the JSON API")
struct PersonalAccessTokenTests {
    /// The secret shown on the page answering the creation form.
    static func secret(in html: String) throws -> String {
        let match = try #require(html.firstMatch(of: try Regex(#"value="(sbp_[A-Za-z0-9_-]{43})""#)))
        return String(try #require(match.output[1].substring))
    }

    @Test("the settings page creates a token shown once, stores only its SHA-256 digest, and lists it", arguments: TestDatabase.all)
    func createOnSettingsPage(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let user = try await Fixtures.user(app.db)
            let browser = try await SignedInClient.signIn(user, on: app)
            let empty = try await browser.get("/settings/tokens")
            #expect(empty.status == .ok)
            #expect(empty.body.string.contains("You have no tokens."))
            #expect(empty.body.string.contains(#"<legend>Access</legend>"#))

            let created = try await browser.post("/settings/tokens", form: ["name": "nightly export", "scope": "read_write", "expiresInDays": "30"])
            #expect(created.status == .ok)
            #expect(created.headers.first(name: .cacheControl) == "no-store")
            let secret = try Self.secret(in: created.body.string)
            #expect(secret.hasPrefix("sbp_") && secret.count == 47)

            // At rest: the digest and a short prefix, never the secret.
            let token = try #require(try await PersonalAccessToken.query(on: app.db).first())
            #expect(token.tokenDigest == SecureRandom.digest(secret))
            #expect(token.displayPrefix == String(secret.prefix(8)))
            #expect(token.scope == .readWrite && token.name == "nightly export")
            let expires = try #require(token.expiresAt)
            #expect(abs(expires.timeIntervalSinceNow - 30 * 86_400) < 3600)
            let rows = try await app.db.sql().raw("SELECT * FROM personal_access_tokens").all()
            for row in rows {
                for column in row.allColumns {
                    let text = (try? row.decode(column: column, as: String.self)) ?? ""
                    #expect(!text.contains(secret.dropFirst(4).prefix(20)), "column \(column) holds the secret")
                }
            }

            // Listed with its name, prefix, creation, last use and expiry; the secret is never shown again.
            let listed = try await browser.get("/settings/tokens")
            #expect(!listed.body.string.contains(secret))
            #expect(listed.body.string.contains("nightly export"))
            #expect(listed.body.string.contains(token.displayPrefix + "…"))
            #expect(listed.body.string.contains("Never"))  // not used yet

            // It works, and its use is recorded.
            #expect(try await BearerClient(app: app, token: secret).send(.GET, "/api/v1/jobs").status == .ok)
            #expect(try await PersonalAccessToken.query(on: app.db).first()?.lastUsedAt != nil)
        }
    }

    @Test("a nameless token is refused next to its field and nothing is stored")
    func nameRequired() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let browser = try await SignedInClient.signIn(try await Fixtures.user(app.db), on: app)
            let refused = try await browser.post("/settings/tokens", form: ["name": "  ", "scope": "read_only", "expiresInDays": "never"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains(#"id="token-name-error""#))
            #expect(!refused.body.string.contains(#"value="sbp_"#))
            #expect(try await PersonalAccessToken.query(on: app.db).count() == 0)
        }
    }

    @Test("a bearer request needs no CSRF token, sets no cookie, and ignores the session cookie", arguments: TestDatabase.all)
    func bearerIsNotASession(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let script = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            let created = try await script.send(.POST, "/api/v1/jobs", json: try JobsTests.body(world))
            #expect(created.status == .created, "\(created.body.string)")
            #expect(created.headers[.setCookie].isEmpty)
            let listed = try await script.send(.GET, "/api/v1/jobs")
            #expect(listed.status == .ok && listed.headers[.setCookie].isEmpty)
            #expect(try listed.content.decode(ListPage<JobsAPIController.JobDTO>.self).items.count == 1)

            // Another user's valid session cookie next to the token changes nothing: the token's user is served.
            let other = try await SignedInClient.signIn(try await Fixtures.user(app.db, email: "other@example.com"), on: app)
            let mixed = try await script.send(.GET, "/api/v1/jobs", headers: ["Cookie": other.cookie])
            #expect(try mixed.content.decode(ListPage<JobsAPIController.JobDTO>.self).items.count == 1)
            // A wrong token is not rescued by a valid cookie.
            let wrong = try await BearerClient(app: app, token: "sbp_" + String(repeating: "A", count: 43))
                .send(.GET, "/api/v1/jobs", headers: ["Cookie": world.client.cookie])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers.first(name: .wwwAuthenticate) == "Bearer")
        }
    }

    @Test("a token opens no HTML page")
    func noPages() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let world = try await JobsTests.world(app)
            let script = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            for path in ["/", "/accounts", "/jobs/new", "/settings/tokens", "/insights"] {
                let response = try await script.send(.GET, path)
                #expect(response.status == .seeOther, "GET \(path) answered \(response.status)")
                #expect(response.headers.first(name: .location)?.hasPrefix("/signin") == true, "GET \(path)")
            }
            let form = try await script.send(.POST, "/settings/tokens", headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(form.status != .ok)
            #expect(try await PersonalAccessToken.query(on: app.db).count() == 1)
        }
    }

    @Test("a read-only token reads but every write is 403 and changes nothing", arguments: TestDatabase.all)
    func readOnlyScope(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let world = try await JobsTests.world(app)
            let job = try await world.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(world)).content.decode(JobsAPIController.JobDTO.self)
            let reader = try await BearerClient.issue(for: world.user, scope: .readOnly, on: app)
            #expect(try await reader.send(.GET, "/api/v1/jobs/\(job.id)").status == .ok)
            #expect(try await reader.send(.GET, "/api/v1/accounts").status == .ok)
            for (method, path, body) in [(HTTPMethod.POST, "/api/v1/jobs", try JobsTests.body(world, name: "second")),
                                         (.PUT, "/api/v1/jobs/\(job.id)", try JobsTests.body(world, name: "renamed")),
                                         (.DELETE, "/api/v1/jobs/\(job.id)", nil), (.POST, "/api/v1/jobs/\(job.id)/pause", nil),
                                         (.POST, "/api/v1/jobs/\(job.id)/runs", nil)] as [(HTTPMethod, String, String?)] {
                let response = try await reader.send(method, path, json: body)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(try response.content.decode(SyncboardErrorMiddleware.APIError.self).error == "forbidden")
            }
            let jobs = try await SyncJob.query(on: app.db).all()
            #expect(jobs.count == 1 && jobs.first?.name == job.name && jobs.first?.enabled == true)
            #expect(try await JobRun.query(on: app.db).count() == 0)
        }
    }

    @Test("expired, revoked, unknown and malformed tokens all get the same 401", arguments: TestDatabase.all)
    func refusals(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let user = try await Fixtures.user(app.db)
            let browser = try await SignedInClient.signIn(user, on: app)
            let expiring = try await BearerClient.issue(for: user, scope: .readWrite, on: app, expiresAt: Date().addingTimeInterval(3600))
            #expect(try await expiring.send(.GET, "/api/v1/jobs").status == .ok)
            // Expiry passes (moved into the past rather than waited for).
            let stored = try #require(try await PersonalAccessToken.query(on: app.db).filter(\.$tokenDigest == SecureRandom.digest(expiring.token)).first())
            stored.expiresAt = Date().addingTimeInterval(-1)
            try await stored.save(on: app.db)

            let revoked = try await BearerClient.issue(for: user, scope: .readWrite, on: app)
            #expect(try await revoked.send(.GET, "/api/v1/jobs").status == .ok)
            let revokedRow = try #require(try await PersonalAccessToken.query(on: app.db).filter(\.$tokenDigest == SecureRandom.digest(revoked.token)).first())
            let revocation = try await browser.post("/settings/tokens/\(try revokedRow.requireID())/revoke")
            #expect(revocation.status == .seeOther)
            #expect(try await browser.get("/settings/tokens?notice=token-revoked").body.string.contains("no longer works"))

            var messages = Set<String>()
            for token in [expiring.token, revoked.token, "sbp_" + String(repeating: "x", count: 43), "not-a-token", revoked.token + "x"] {
                let response = try await BearerClient(app: app, token: token).send(.GET, "/api/v1/jobs")
                #expect(response.status == .unauthorized, "\(token.prefix(6))…")
                messages.insert(try response.content.decode(SyncboardErrorMiddleware.APIError.self).message)
            }
            #expect(messages == [BearerTokenAuthenticator.refusal])
            // Another user cannot revoke someone else's token.
            let live = try await BearerClient.issue(for: user, scope: .readOnly, on: app)
            let liveRow = try #require(try await PersonalAccessToken.query(on: app.db).filter(\.$tokenDigest == SecureRandom.digest(live.token)).first())
            let intruder = try await SignedInClient.signIn(try await Fixtures.user(app.db, email: "intruder@example.com"), on: app)
            #expect(try await intruder.post("/settings/tokens/\(try liveRow.requireID())/revoke").status == .notFound)
            #expect(try await live.send(.GET, "/api/v1/jobs").status == .ok)
        }
    }

    @Test("failed token attempts are limited per client address with 429 and Retry-After")
    func failedAttemptsLimited() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.api.failedTokenAttemptsPerMinute = 3
            app.syncboard.rateLimits = RateLimits(now: TestApp.stoppedClock)
            let user = try await Fixtures.user(app.db)
            let good = try await BearerClient.issue(for: user, scope: .readOnly, on: app)
            let bad = BearerClient(app: app, token: "sbp_" + String(repeating: "B", count: 43))
            for attempt in 1...3 {
                #expect(try await bad.send(.GET, "/api/v1/jobs").status == .unauthorized, "attempt \(attempt)")
            }
            let blocked = try await bad.send(.GET, "/api/v1/jobs")
            #expect(blocked.status == .tooManyRequests)
            let retryAfter = try #require(blocked.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            #expect(try blocked.content.decode(SyncboardErrorMiddleware.APIError.self).error == "rate_limited")
            // An accepted token is never refused for the address's failures (issue 25: NAT and proxies share addresses).
            #expect(try await good.send(.GET, "/api/v1/jobs").status == .ok)
        }
    }

    @Test("with a token, another user's jobs, runs and accounts are 404 everywhere", arguments: TestDatabase.all)
    func crossUser(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let owner = try await JobsTests.world(app)
            let job = try await owner.client.api(.POST, "/api/v1/jobs", json: try JobsTests.body(owner)).content.decode(JobsAPIController.JobDTO.self)
            let run = try await owner.client.api(.POST, "/api/v1/jobs/\(job.id)/runs").content.decode(JobsAPIController.RunDTO.self)
            let account = try #require(try await LinkedAccount.query(on: app.db).first()?.requireID())
            let intruder = try await BearerClient.issue(for: try await Fixtures.user(app.db, email: "intruder@example.com"), scope: .readWrite, on: app)
            let attempts: [(HTTPMethod, String, String?)] = [
                (.GET, "/api/v1/jobs/\(job.id)", nil), (.PUT, "/api/v1/jobs/\(job.id)", try JobsTests.body(owner)),
                (.DELETE, "/api/v1/jobs/\(job.id)", nil), (.POST, "/api/v1/jobs/\(job.id)/pause", nil),
                (.POST, "/api/v1/jobs/\(job.id)/resume", nil), (.POST, "/api/v1/jobs/\(job.id)/runs", nil),
                (.GET, "/api/v1/jobs/\(job.id)/runs", nil), (.POST, "/api/v1/runs/\(run.id)/cancel", nil),
                (.GET, "/api/v1/accounts/\(account)/calendars", nil), (.POST, "/api/v1/accounts/\(account)/refresh", nil),
            ]
            for (method, path, body) in attempts {
                #expect(try await intruder.send(method, path, json: body).status == .notFound, "\(method) \(path)")
            }
            #expect(try await intruder.send(.GET, "/api/v1/jobs").content.decode(ListPage<JobsAPIController.JobDTO>.self).items.isEmpty)
            #expect(try await intruder.send(.GET, "/api/v1/accounts").content.decode([AccountsAPIController.AccountDTO].self).isEmpty)
            let stored = try #require(try await SyncJob.find(job.id, on: app.db))
            #expect(stored.enabled && stored.name == job.name)
        }
    }
}
