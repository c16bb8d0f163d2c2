import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// The failed-token limit over a real socket, where requests have a TCP peer (127.0.0.1) and proxies' headers.
@Suite("Failed-token throttling and the client address behind trusted proxies")
struct TokenThrottleTests {
    /// Well-formed, so it is looked up (and not found), as a guess would be.
    static let badToken = "sbp_" + String(repeating: "B", count: 43)

    static func call(_ live: LiveHTTP, token: String, _ headers: [(String, String)] = []) async throws -> LiveHTTP.Answer {
        try await live.send(.GET, "/api/v1/jobs", headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")] + headers)
    }

    /// A 429 of the failed-token limit, with a Retry-After within the minute.
    static func expectThrottled(_ answer: LiveHTTP.Answer, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == 429, comment, sourceLocation: sourceLocation)
        #expect(answer.headers.first(name: "Retry-After").flatMap(Int.init).map { (1...60).contains($0) } == true,
                "Retry-After: \(answer.headers.first(name: "Retry-After") ?? "none")", sourceLocation: sourceLocation)
        #expect(answer.body.contains("failed token attempts"), "\(answer.body)", sourceLocation: sourceLocation)
    }

    @Test("past the limit of bad tokens from one address, a valid token from it still works (on its own limit); bad ones get 429", arguments: TestDatabase.all)
    func validTokenNotLockedOut(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            app.syncboard.configuration.api.failedTokenAttemptsPerMinute = 3
            app.syncboard.configuration.api.requestsPerMinute = 4
            app.syncboard.rateLimits = RateLimits(now: TestApp.stoppedClock)
            let user = try await Fixtures.user(app.db)
            let good = try await BearerClient.issue(for: user, scope: .readOnly, on: app).token
            let live = try await LiveHTTP.serve(app)

            for attempt in 1...3 {
                #expect(try await Self.call(live, token: Self.badToken).status == 401, "attempt \(attempt)")
            }
            for attempt in 4...6 {
                Self.expectThrottled(try await Self.call(live, token: Self.badToken), "attempt \(attempt)")
            }
            // Same address, a valid token: judged only on its own limit (4 a minute), not on the address's failures.
            for request in 1...4 {
                let answer = try await Self.call(live, token: good)
                #expect(answer.status == 200, "request \(request): \(answer.status) \(answer.body)")
            }
            let ownLimit = try await Self.call(live, token: good)
            #expect(ownLimit.status == 429 && ownLimit.body.contains("at most 4 a minute"), "\(ownLimit.body)")
            // The address's bad tokens are still refused, malformed ones too.
            Self.expectThrottled(try await Self.call(live, token: Self.badToken), "after the valid token")
            Self.expectThrottled(try await Self.call(live, token: "not-a-token"), "a malformed token")
        }
    }

    @Test("behind a trusted proxy, X-Forwarded-For clients are throttled separately, read from the right")
    func trustedForwardedFor() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.api.failedTokenAttemptsPerMinute = 2
            app.syncboard.rateLimits = RateLimits(now: TestApp.stoppedClock)
            app.syncboard.configuration.trustedProxies = [try #require(CIDR("127.0.0.1/32")), try #require(CIDR("::1/128"))]
            let user = try await Fixtures.user(app.db)
            let good = try await BearerClient.issue(for: user, scope: .readOnly, on: app).token
            let live = try await LiveHTTP.serve(app)
            let first = [("X-Forwarded-For", "198.51.100.7")]
            let second = [("X-Forwarded-For", "203.0.113.9")]

            #expect(try await Self.call(live, token: Self.badToken, first).status == 401)
            #expect(try await Self.call(live, token: Self.badToken, first).status == 401)
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, first), "the first client, past its limit")
            // Another client behind the same proxy: its own count.
            #expect(try await Self.call(live, token: Self.badToken, second).status == 401)
            // The first client claiming to be the second in the left-most entry: its own proxy's entry (the right-most
            // untrusted one) is what counts, so it stays throttled and the second client is not charged.
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, [("X-Forwarded-For", "203.0.113.9, 198.51.100.7")]),
                                 "a spoofed left-most entry")
            #expect(try await Self.call(live, token: Self.badToken, second).status == 401, "the spoof did not count against the second client")
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, second), "the second client, past its limit")
            // Through two trusted proxies (both headers lines are one chain): still the second client.
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-For", "127.0.0.1")]),
                                 "the second client through two proxies")
            // A third client, and the proxy's own requests, are untouched; valid tokens work for everyone.
            #expect(try await Self.call(live, token: Self.badToken, [("X-Forwarded-For", "192.0.2.33")]).status == 401)
            #expect(try await Self.call(live, token: Self.badToken).status == 401)
            #expect(try await Self.call(live, token: good, first).status == 200)
        }
    }

    @Test("behind a trusted proxy, Forwarded (RFC 7239) works the same way")
    func trustedForwarded() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.api.failedTokenAttemptsPerMinute = 2
            app.syncboard.rateLimits = RateLimits(now: TestApp.stoppedClock)
            app.syncboard.configuration.trustedProxies = [try #require(CIDR("127.0.0.0/8"))]
            let live = try await LiveHTTP.serve(app)
            let first = [("Forwarded", "for=198.51.100.7;proto=https")]
            let second = [("Forwarded", #"for="[2001:db8::5]:4711";proto=https"#)]

            #expect(try await Self.call(live, token: Self.badToken, first).status == 401)
            #expect(try await Self.call(live, token: Self.badToken, first).status == 401)
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, first), "the first client, past its limit")
            #expect(try await Self.call(live, token: Self.badToken, second).status == 401, "another client has its own count")
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, [("Forwarded", #"for="[2001:db8::5]", for=198.51.100.7"#)]),
                                 "a spoofed left-most element")
            #expect(try await Self.call(live, token: Self.badToken, second).status == 401, "the spoof did not count against the second client")
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, second), "the second client, past its limit")
            // Both headers, disagreeing: neither is believed, and the request counts against the proxy itself.
            let both = [("Forwarded", "for=198.51.100.7"), ("X-Forwarded-For", "192.0.2.44")]
            #expect(try await Self.call(live, token: Self.badToken, both).status == 401)
            #expect(try await Self.call(live, token: Self.badToken, both).status == 401)
            Self.expectThrottled(try await Self.call(live, token: Self.badToken), "the proxy's own count")
        }
    }

    @Test("without SYNCBOARD_TRUSTED_PROXIES, X-Forwarded-For and Forwarded are ignored: a forged header does not escape the limit")
    func untrustedHeadersIgnored() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            app.syncboard.configuration.api.failedTokenAttemptsPerMinute = 2
            app.syncboard.rateLimits = RateLimits(now: TestApp.stoppedClock)
            #expect(app.syncboard.configuration.trustedProxies.isEmpty, "none by default")
            let user = try await Fixtures.user(app.db)
            let good = try await BearerClient.issue(for: user, scope: .readOnly, on: app).token
            let live = try await LiveHTTP.serve(app)

            #expect(try await Self.call(live, token: Self.badToken, [("X-Forwarded-For", "198.51.100.1")]).status == 401)
            #expect(try await Self.call(live, token: Self.badToken, [("X-Forwarded-For", "198.51.100.2")]).status == 401)
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, [("X-Forwarded-For", "198.51.100.3")]), "a new forged X-Forwarded-For")
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, [("Forwarded", "for=198.51.100.4")]), "a new forged Forwarded")
            Self.expectThrottled(try await Self.call(live, token: Self.badToken, [("X-Real-IP", "198.51.100.5")]), "X-Real-IP")
            #expect(try await Self.call(live, token: good, [("X-Forwarded-For", "198.51.100.1")]).status == 200)
        }
    }

    @Test("the request log shows the forwarded client address only when the peer is trusted, and never a token")
    func requestLog() async throws {
        CapturedLogs.install()
        try await TestApp.withApp(on: .sqlite) { app in
            app.logger.logLevel = .info  // the request lines
            app.syncboard.configuration.trustedProxies = [try #require(CIDR("127.0.0.1/32"))]
            let user = try await Fixtures.user(app.db)
            let good = try await BearerClient.issue(for: user, scope: .readOnly, on: app).token
            let live = try await LiveHTTP.serve(app)

            #expect(try await Self.call(live, token: good, [("X-Forwarded-For", "198.51.100.23, 127.0.0.1")]).status == 200)
            #expect(try await Self.call(live, token: Self.badToken, [("Forwarded", "for=198.51.100.24")]).status == 401)
            app.syncboard.configuration.trustedProxies = []
            #expect(try await Self.call(live, token: good, [("X-Forwarded-For", "198.51.100.25")]).status == 200)

            func logged(_ fragments: String...) -> Bool {
                CapturedLogs.lines.withLock { lines in lines.contains { line in fragments.allSatisfy { line.contains($0) } } }
            }
            #expect(logged("request finished", "status=200", "client_address=198.51.100.23"))
            #expect(logged("request finished", "status=401", "client_address=198.51.100.24"))
            #expect(!logged("198.51.100.25"), "an untrusted peer's header reached the log")
            #expect(!logged(good) && !logged(Self.badToken), "a token reached the log")
        }
    }
}
