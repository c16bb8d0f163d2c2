import Foundation
import NIOCore
import Synchronization
import Testing
import Vapor
@testable import FeedClient
import SyncboardCore

/// The fetcher against a real HTTP server of the test's own.
@Suite struct FeedFetcherTests {
    static let body = StyledFeeds.google

    /// RFC 9110 §13.1.2: If-None-Match with the stored entity tag; §15.4.5: 304 with no body.
    @Test func etagMakesTheSecondFetchA304() async throws {
        try await FeedServer.with({ app in
            app.get("cal.ics") { req -> Response in
                if req.headers.first(name: "If-None-Match") == "\"v1\"" { return Response(status: .notModified, headers: ["ETag": "\"v1\""]) }
                return .calendar(Self.body, headers: [("ETag", "\"v1\"")])
            }
        }) { server, fetcher in
            let feed = try FeedURL(server.url("/cal.ics"))
            let first = try await fetcher.fetch(feed)
            #expect(first.status == 200)
            #expect(first.body.map { String(decoding: $0, as: UTF8.self) } == Self.body)
            #expect(first.validators.etag == "\"v1\"")
            #expect(server.requests(to: "/cal.ics").first?.headers["if-none-match"] == nil)

            let second = try await fetcher.fetch(feed, validators: first.validators)
            #expect(second.notModified)
            #expect(second.status == 304)
            #expect(second.validators.etag == "\"v1\"")
            let requests = server.requests(to: "/cal.ics")
            #expect(requests.count == 2, "the second fetch is one request")
            #expect(requests.last?.headers["if-none-match"] == "\"v1\"")
        }
    }

    /// §13.1.3: If-Modified-Since with the Last-Modified date as received; a 304 without validators keeps ours.
    @Test func lastModifiedIsSentBackAsIfModifiedSince() async throws {
        let stamp = "Tue, 01 Dec 2026 09:00:00 GMT"
        try await FeedServer.with({ app in
            app.get("cal.ics") { req -> Response in
                if req.headers.first(name: "If-Modified-Since") == stamp { return Response(status: .notModified) }
                return .calendar(Self.body, headers: [("Last-Modified", stamp)])
            }
        }) { server, fetcher in
            let feed = try FeedURL(server.url("/cal.ics"))
            let first = try await fetcher.fetch(feed)
            #expect(first.validators == FeedValidators(etag: nil, lastModified: stamp))
            let second = try await fetcher.fetch(feed, validators: first.validators)
            #expect(second.notModified)
            #expect(second.validators.lastModified == stamp)
            #expect(server.requests(to: "/cal.ics").last?.headers["if-modified-since"] == stamp)
        }
    }

    /// RFC 9110 §8.4 (Content-Encoding): a gzip body is decoded before it is read.
    @Test func gzipIsAcceptedAndDecoded() async throws {
        let compressed = try gzipped(Data(Self.body.utf8))
        #expect(compressed.count < Self.body.utf8.count)
        try await FeedServer.with({ app in
            app.get("cal.ics") { _ -> Response in
                Response(status: .ok, headers: ["Content-Type": "text/calendar", "Content-Encoding": "gzip"], body: .init(data: compressed))
            }
        }) { server, fetcher in
            let response = try await fetcher.fetch(try FeedURL(server.url("/cal.ics")))
            #expect(response.body.map { String(decoding: $0, as: UTF8.self) } == Self.body)
            #expect(server.requests.first?.headers["accept-encoding"]?.contains("gzip") == true)
        }
    }

    /// A small gzip body that inflates past the limit is refused while inflating.
    @Test func gzipThatInflatesPastTheLimitIsTooLarge() async throws {
        let bomb = try gzipped(Data(repeating: 0x41, count: 8 << 20))
        try await FeedServer.with({ app in
            app.get("cal.ics") { _ -> Response in
                Response(status: .ok, headers: ["Content-Type": "text/calendar", "Content-Encoding": "gzip"], body: .init(data: bomb))
            }
        }, configuration: { _ in .forTests(maxBytes: 1 << 20) }) { server, fetcher in
            await #expect(throws: FeedError.tooLarge(limit: 1 << 20)) { try await fetcher.fetch(try FeedURL(server.url("/cal.ics"))) }
        }
    }

    /// A server that does not answer within the deadline: a timeout, classed as transient (retried later).
    @Test func slowServerTimesOut() async throws {
        let release = Atomic<Bool>(false)
        try await FeedServer.with({ app in
            app.get("slow.ics") { _ async throws -> Response in
                while !release.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(20)) }
                return .calendar(Self.body)
            }
            // Headers at once, then the body a line at a time, too slowly to finish.
            app.get("drip.ics") { _ -> Response in
                Response(status: .ok, headers: ["Content-Type": "text/calendar"], body: .init(managedAsyncStream: { writer in
                    try await writer.write(.buffer(ByteBuffer(string: "BEGIN:VCALENDAR\r\n")))
                    while !release.load(ordering: .relaxed) {
                        try await writer.write(.buffer(ByteBuffer(string: "X-PADDING:1\r\n")))
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }))
            }
        }, configuration: { _ in .forTests(timeout: .milliseconds(400)) }) { server, fetcher in
            defer { release.store(true, ordering: .relaxed) }
            for path in ["/slow.ics", "/drip.ics"] {
                let began = ContinuousClock.now
                let error = await #expect(throws: FeedError.self) { try await fetcher.fetch(try FeedURL(server.url(path))) }
                #expect(error == .timedOut(seconds: 0.4), "\(path)")
                #expect(error?.providerError.kind == .transient)
                // The server never finishes: only the deadline ends the exchange. The bound leaves room for a loaded machine
                // (a full test run on 2 cores took 17 s here), far below "never".
                #expect(ContinuousClock.now - began < .seconds(90), "\(path): the deadline ends the exchange")
            }
        }
    }

    /// We never send Range (RFC 9110 §14.2), so a 206 is not the calendar: refused, never read.
    @Test func partialContentIsRefused() async throws {
        try await FeedServer.with({ app in
            app.get("cal.ics") { _ in Response.calendar(Self.body, status: .partialContent, headers: [("Content-Range", "bytes 0-99/5000")]) }
        }) { server, fetcher in
            let error = await #expect(throws: FeedError.self) { try await fetcher.fetch(try FeedURL(server.url("/cal.ics"))) }
            #expect(error == .partialContent)
            #expect(error?.providerError.kind == .transient)
        }
    }

    /// Over the limit: refused from Content-Length before the body is read, and while reading when the body is
    /// chunked. Neither body ever ends: a fetcher that waited for it or read on would run into the deadline instead.
    @Test func hugeFeedIsRefusedBeforeItIsReadInFull() async throws {
        let release = Atomic<Bool>(false)
        @Sendable func endless(_ writer: any AsyncBodyStreamWriter) async throws {
            let line = ByteBuffer(string: String(repeating: "X-PADDING:0123456789abcdef\r\n", count: 1000))
            while !release.load(ordering: .relaxed) {
                try await writer.write(.buffer(line))
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        try await FeedServer.with({ app in
            // Declares 64 MB and sends one line (Vapor flushes the head with the first body bytes), then nothing: only
            // the header can tell, before the deadline, that it is too large.
            app.get("declared.ics") { _ -> Response in
                Response(status: .ok, headers: ["Content-Type": "text/calendar"], body: .init(managedAsyncStream: { writer in
                    try await writer.write(.buffer(ByteBuffer(string: "BEGIN:VCALENDAR\r\n")))
                    while !release.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(20)) }
                }, count: 64 << 20))
            }
            app.get("chunked.ics") { _ -> Response in
                Response(status: .ok, headers: ["Content-Type": "text/calendar"], body: .init(managedAsyncStream: endless))
            }
        }, configuration: { _ in .forTests(timeout: .seconds(120), maxBytes: 256 << 10) }) { server, fetcher in
            defer { release.store(true, ordering: .relaxed) }
            for path in ["/declared.ics", "/chunked.ics"] {
                let error = await #expect(throws: FeedError.self) { try await fetcher.fetch(try FeedURL(server.url(path))) }
                #expect(error == .tooLarge(limit: 256 << 10), "\(path)")
                #expect(error?.providerError.kind == .misconfigured)
                #expect(error?.description.contains("larger than") == true)
            }
        }
    }

    /// A private address is refused before any request, and so is a redirect to one (the target is checked again).
    /// `feeds.test` stands for a public host: the policy resolves it to a public address, the client connects to
    /// the test's server.
    @Test func redirectToAPrivateAddressIsRefused() async throws {
        try await FeedServer.with({ app in
            app.get("cal.ics") { _ in Response.calendar(Self.body) }
            app.get("moved") { req -> Response in
                let port = req.application.http.server.shared.localAddress?.port ?? 0
                return Response(status: .found, headers: ["Location": "http://127.0.0.1:\(port)/cal.ics"])
            }
            app.get("renamed") { _ in Response(status: .movedPermanently, headers: ["Location": "/cal.ics"]) }
            app.get("loop") { _ in Response(status: .temporaryRedirect, headers: ["Location": "/loop"]) }
        }, configuration: { _ in
            let policy = FeedAddressPolicy(allowPrivate: false, allowHTTP: true) { host in
                host == "feeds.test" ? ["203.0.113.10"] : await NetworkAddress.resolve(host)
            }
            return FeedFetcher.Configuration(policy: policy, timeout: .seconds(120), maxRedirects: 3, dnsOverride: ["feeds.test": "127.0.0.1"])
        }) { server, fetcher in
            let publicHost = "http://feeds.test:\(server.port)"
            // A redirect within the public host is followed (relative Location, RFC 9110 §10.2.2).
            let renamed = try await fetcher.fetch(try FeedURL(publicHost + "/renamed"))
            #expect(renamed.status == 200)
            #expect(renamed.redirects == 1)

            let error = await #expect(throws: FeedError.self) { try await fetcher.fetch(try FeedURL(publicHost + "/moved")) }
            #expect(error == .privateAddress(host: "127.0.0.1", address: "127.0.0.1"))
            #expect(error?.providerError.kind == .misconfigured)
            #expect(error?.description.contains("SYNCBOARD_FEEDS_ALLOW_PRIVATE") == true)
            #expect(server.requests(to: "/moved").count == 1)
            #expect(server.requests(to: "/cal.ics").count == 1, "only the followed public redirect reached it, never the private one")

            let direct = await #expect(throws: FeedError.self) { try await fetcher.fetch(try FeedURL(server.url("/cal.ics"))) }
            #expect(direct == .privateAddress(host: "127.0.0.1", address: "127.0.0.1"))
            #expect(server.requests(to: "/cal.ics").count == 1, "a private address gets no request at all")

            await #expect(throws: FeedError.tooManyRedirects(3)) { try await fetcher.fetch(try FeedURL(publicHost + "/loop")) }
            #expect(server.requests(to: "/loop").count == 4, "the first request and three redirects")
        }
    }

    /// http:// is refused unless the policy allows it; webcal:// is https.
    @Test func plainHTTPNeedsThePolicy() async throws {
        let policy = FeedAddressPolicy(allowPrivate: false) { _ in ["203.0.113.10"] }
        await #expect(throws: FeedError.self) { try await policy.check(URL(string: "http://calendar.example.org/a.ics")!) }
        try await policy.check(try FeedURL("webcal://calendar.example.org/a.ics").url)
        let metadata = FeedAddressPolicy(allowPrivate: false) { _ in ["169.254.169.254"] }
        await #expect(throws: FeedError.privateAddress(host: "metadata.example", address: "169.254.169.254")) {
            try await metadata.check(URL(string: "https://metadata.example/latest")!)
        }
    }

    /// user:password in the address becomes Basic auth (RFC 7617); it is in no error text, and it is not sent to
    /// another origin a redirect names.
    @Test func basicAuthIsSentAndNeverShown() async throws {
        let expected = "Basic " + Data("ada:pw-s3cret".utf8).base64EncodedString()
        try await FeedServer.with({ app in
            app.get("private.ics") { req -> Response in
                guard req.headers.first(name: .authorization) == expected else {
                    return Response(status: .unauthorized, headers: ["WWW-Authenticate": "Basic realm=\"cal\""])
                }
                return .calendar(Self.body)
            }
            app.get("elsewhere") { req -> Response in
                let port = req.application.http.server.shared.localAddress?.port ?? 0
                return Response(status: .found, headers: ["Location": "http://localhost:\(port)/private.ics"])
            }
        }) { server, fetcher in
            let good = try await fetcher.fetch(try FeedURL("http://ada:pw-s3cret@127.0.0.1:\(server.port)/private.ics"))
            #expect(good.status == 200)
            #expect(server.requests.last?.headers["authorization"] == expected)

            let wrong = try FeedURL("http://ada:wrong-pw-s3cret@127.0.0.1:\(server.port)/private.ics")
            let error = await #expect(throws: FeedError.self) { try await fetcher.fetch(wrong) }
            #expect(error == .unauthorized(status: 401))
            #expect(error?.providerError.kind == .unauthorized)
            for text in [error?.description ?? "", error?.providerError.description ?? "", "\(wrong)", String(reflecting: wrong)] {
                #expect(!text.contains("s3cret"), "\(text)")
            }

            // 127.0.0.1 → localhost is another origin: the credentials stay behind, so the target answers 401.
            await #expect(throws: FeedError.unauthorized(status: 401)) {
                try await fetcher.fetch(try FeedURL("http://ada:pw-s3cret@127.0.0.1:\(server.port)/elsewhere"))
            }
            #expect(server.requests(to: "/private.ics").last?.headers["authorization"] == nil)
        }
    }

    /// Statuses to classes: what the scheduler does about each.
    @Test(arguments: [
        (404, FeedError.notFound, ProviderError.Kind.notFound),
        (410, .gone, .notFound),
        (403, .forbidden(status: 403), .forbidden),
        (500, .server(status: 500), .transient),
        (502, .server(status: 502), .transient),
        (429, .rateLimited(retryAfter: 120), .rateLimited(retryAfter: 120)),
        (400, .unexpectedStatus(400), .misconfigured),
    ])
    func statusesAreClassified(status: Int, error expected: FeedError, kind: ProviderError.Kind) async throws {
        try await FeedServer.with({ app in
            app.get("cal.ics") { _ in Response(status: HTTPResponseStatus(statusCode: status), headers: ["Retry-After": "120"]) }
        }) { server, fetcher in
            let error = await #expect(throws: FeedError.self) { try await fetcher.fetch(try FeedURL(server.url("/cal.ics"))) }
            #expect(error == expected)
            #expect(error?.providerError.kind == kind)
        }
    }
}

/// Adding a feed: fetched once, its name and size for the form, or the sentence to show next to the field.
@Suite struct FeedCheckTests {
    @Test func checkGivesTheFormItsNameOrAReason() async throws {
        try await FeedServer.with({ app in
            app.get("cal.ics") { _ in Response.calendar(StyledFeeds.google, headers: [("ETag", "\"c1\"")]) }
            app.get("login") { _ in
                Response(status: .ok, headers: ["Content-Type": "text/html"], body: .init(string: "<!DOCTYPE html><html><body>Sign in</body></html>"))
            }
            app.get("missing.ics") { _ in Response(status: .notFound) }
        }) { server, fetcher in
            let check = try await fetcher.check(try FeedURL(server.url("/cal.ics")))
            #expect(check.name == "Ada Lovelace")
            #expect(check.events == 3)
            #expect(check.problems.isEmpty)
            #expect(check.validators.etag == "\"c1\"")

            let login = await #expect(throws: FeedError.self) { try await fetcher.check(try FeedURL(server.url("/login"))) }
            #expect(login?.description == "this address does not serve an iCalendar feed: the body is an HTML page, not BEGIN:VCALENDAR (a login or error page?)")
            let missing = await #expect(throws: FeedError.self) { try await fetcher.check(try FeedURL(server.url("/missing.ics"))) }
            #expect(missing?.description.contains("404") == true)
        }
    }
}
