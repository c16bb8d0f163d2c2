import Fluent
import Foundation
import Synchronization
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("API rate limits per token and per session")
struct RateLimitTests {
    @Test("each token and each session gets its own budget; past it, 429 with Retry-After and nothing is done", arguments: TestDatabase.all)
    func perCaller(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            app.syncboard.configuration.api.requestsPerMinute = 3
            app.syncboard.rateLimits = RateLimits(now: TestApp.stoppedClock)
            let world = try await JobsTests.world(app)
            let first = try await BearerClient.issue(for: world.user, scope: .readWrite, on: app)
            let second = try await BearerClient.issue(for: world.user, scope: .readOnly, on: app)
            for request in 1...3 {
                #expect(try await first.send(.GET, "/api/v1/jobs").status == .ok, "request \(request)")
            }
            let limited = try await first.send(.POST, "/api/v1/jobs", json: try JobsTests.body(world))
            #expect(limited.status == .tooManyRequests)
            let retryAfter = try #require(limited.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            let error = try limited.content.decode(SyncboardErrorMiddleware.APIError.self)
            #expect(error.error == "rate_limited" && error.message.contains("3 a minute"))
            #expect(try await SyncJob.query(on: app.db).count() == 0)

            // Another token, and the browser session, have budgets of their own.
            #expect(try await second.send(.GET, "/api/v1/jobs").status == .ok)
            for _ in 1...3 { #expect(try await world.client.api(.GET, "/api/v1/accounts").status == .ok) }
            #expect(try await world.client.api(.GET, "/api/v1/accounts").status == .tooManyRequests)
            // Pages are not the API's budget.
            #expect(try await world.client.get("/").status == .ok)
        }
    }

    @Test("the default is generous and the limit is configurable")
    func configuration() throws {
        let defaults = try AppConfiguration.load(from: EnvironmentReader(environment: [:]))
        #expect(defaults.api.requestsPerMinute == 600)
        #expect(defaults.api.failedTokenAttemptsPerMinute == 20)
        let tuned = try AppConfiguration.load(from: EnvironmentReader(environment: ["SYNCBOARD_API_RATE_LIMIT": "50", "SYNCBOARD_API_FAILED_AUTH_LIMIT": "5"]))
        #expect(tuned.api.requestsPerMinute == 50 && tuned.api.failedTokenAttemptsPerMinute == 5)
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.load(from: EnvironmentReader(environment: ["SYNCBOARD_API_RATE_LIMIT": "0"]))
        }
    }

    @Test("a window ends a minute after it began, on a controlled clock")
    func windows() {
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let limiter = RateLimiter(now: { clock.withLock { $0 } })
        #expect(limiter.hit("a", limit: 2) == nil)
        clock.withLock { $0 += 20 }
        #expect(limiter.hit("a", limit: 2) == nil)
        #expect(limiter.hit("a", limit: 2) == 40)  // the window began 20 s ago
        #expect(limiter.hit("b", limit: 2) == nil)
        #expect(limiter.blocked("a", limit: 2) == 40)
        clock.withLock { $0 += 40 }
        #expect(limiter.blocked("a", limit: 2) == nil)
        #expect(limiter.hit("a", limit: 2) == nil)
    }
}
