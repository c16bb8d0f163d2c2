import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The validators of a feed's last fetched body (RFC 9110 §8.8): sent back as `If-None-Match` and
/// `If-Modified-Since` (§13.1.2, §13.1.3), so an unchanged feed answers 304 with no body.
public struct FeedValidators: Sendable, Equatable, Codable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }

    public var isEmpty: Bool { etag == nil && lastModified == nil }
}

/// One fetch's answer: the body (absent on 304), its validators, and what the health page shows.
public struct FeedResponse: Sendable {
    /// 200 (or another 2xx the body was read from), or 304.
    public var status: Int
    /// nil on 304 Not Modified.
    public var body: [UInt8]?
    /// The validators to send next time: the answer's own, or on a 304 without them, the ones sent.
    public var validators: FeedValidators
    /// The address finally answered (after redirects), redacted.
    public var finalURL: String
    public var redirects: Int
    /// Bytes of the body after gzip decoding.
    public var bytes: Int { body?.count ?? 0 }
    public var notModified: Bool { body == nil }
}

/// GETs published calendars with the care a URL typed by a user needs: only addresses the policy allows (each
/// redirect target checked again), conditional requests, gzip, a deadline for the whole exchange, a size limit
/// enforced while reading (and from Content-Length before reading), at most a few redirects, and typed errors.
///
/// It owns its HTTP client, configured for this (redirects are followed here, not by the client, so each target
/// is checked; gzip is decoded within the size limit): call `shutdown()` when done.
public final class FeedFetcher: Sendable {
    public struct Configuration: Sendable {
        public var policy: FeedAddressPolicy
        /// For the whole exchange: connecting, redirects, and reading the body.
        public var timeout: Duration
        /// Of the body after gzip decoding.
        public var maxBytes: Int
        public var maxRedirects: Int
        public var userAgent: String
        /// Host names the client connects to another address for (tests; AsyncHTTPClient's `dnsOverride`).
        public var dnsOverride: [String: String]

        public init(policy: FeedAddressPolicy = FeedAddressPolicy(), timeout: Duration = .seconds(30), maxBytes: Int = 16 << 20,
                    maxRedirects: Int = 5, userAgent: String = "Syncboard (calendar feed reader)", dnsOverride: [String: String] = [:]) {
            self.policy = policy
            self.timeout = timeout
            self.maxBytes = maxBytes
            self.maxRedirects = maxRedirects
            self.userAgent = userAgent
            self.dnsOverride = dnsOverride
        }
    }

    public let configuration: Configuration
    let http: HTTPClient
    let logger: Logger

    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "syncboard.feeds")) {
        self.configuration = configuration
        self.logger = logger
        var client = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            // One byte over the limit is enough to know it is over.
            decompression: .enabled(limit: .size(configuration.maxBytes + 1)))
        client.dnsOverride = configuration.dnsOverride
        client.timeout.connect = .seconds(10)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// GETs `feed`, conditionally when `validators` are given.
    public func fetch(_ feed: FeedURL, validators: FeedValidators? = nil) async throws(FeedError) -> FeedResponse {
        let seconds = Double(configuration.timeout.components.seconds) + Double(configuration.timeout.components.attoseconds) / 1e18
        let deadline = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
        let until = ContinuousClock.now + configuration.timeout
        var url = feed.url
        var authorization = feed.authorization
        var redirects = 0
        while true {
            try await configuration.policy.check(url)
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .GET
            request.headers.add(name: "User-Agent", value: configuration.userAgent)
            request.headers.add(name: "Accept", value: "text/calendar, text/plain;q=0.5, */*;q=0.1")
            if let authorization { request.headers.add(name: "Authorization", value: authorization) }
            if let etag = validators?.etag { request.headers.add(name: "If-None-Match", value: etag) }
            if let modified = validators?.lastModified { request.headers.add(name: "If-Modified-Since", value: modified) }

            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, deadline: deadline, logger: logger)
            } catch {
                throw Self.classify(error, seconds: seconds, limit: configuration.maxBytes)
            }
            let status = Int(response.status.code)
            switch status {
            case 301, 302, 303, 307, 308:
                // RFC 9110 §15.4: the target is in Location, possibly relative to the request's address.
                guard let location = response.headers.first(name: "Location"), let next = URL(string: location, relativeTo: url)?.absoluteURL else {
                    throw .unexpectedStatus(status)
                }
                redirects += 1
                guard redirects <= configuration.maxRedirects else { throw .tooManyRedirects(configuration.maxRedirects) }
                // Credentials go to the origin they were given for, never to another one a redirect names.
                if !Self.sameOrigin(url, next) { authorization = nil }
                logger.debug("feed redirected", metadata: ["from": "\(FeedURL.redacted(url))", "to": "\(FeedURL.redacted(next))", "status": "\(status)"])
                url = next
                continue
            case 304:
                // §15.4.5: a 304 carries the validators the stored response would have; keep ours where it has none.
                var kept = validators ?? FeedValidators()
                if let etag = response.headers.first(name: "ETag") { kept.etag = etag }
                if let modified = response.headers.first(name: "Last-Modified") { kept.lastModified = modified }
                return FeedResponse(status: 304, body: nil, validators: kept, finalURL: FeedURL.redacted(url), redirects: redirects)
            case 206:
                throw .partialContent
            case 200...299:
                if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > configuration.maxBytes,
                   response.headers.first(name: "Content-Encoding") == nil {
                    // Refused from the header: nothing of the body is read.
                    throw .tooLarge(limit: configuration.maxBytes)
                }
                // The client's deadline ends when the answer's head arrives; the body is read against the same one.
                let body: [UInt8]
                do {
                    body = try await Self.readBody(response.body, limit: configuration.maxBytes, until: until, seconds: seconds)
                } catch let error as FeedError {
                    throw error
                } catch {
                    throw Self.classify(error, seconds: seconds, limit: configuration.maxBytes)
                }
                let validators = FeedValidators(etag: response.headers.first(name: "ETag"), lastModified: response.headers.first(name: "Last-Modified"))
                return FeedResponse(status: status, body: body, validators: validators, finalURL: FeedURL.redacted(url), redirects: redirects)
            case 401: throw .unauthorized(status: status)
            case 403: throw .forbidden(status: status)
            case 404: throw .notFound
            case 410: throw .gone
            // A 503 with Retry-After is the server asking to come back later (RFC 9110 §15.6.4); without, a 5xx.
            case 429,
                 503 where response.headers.first(name: "Retry-After") != nil:
                throw .rateLimited(retryAfter: response.headers.first(name: "Retry-After").flatMap(Self.retryAfter))
            case 500...599: throw .server(status: status)
            default: throw .unexpectedStatus(status)
            }
        }
    }

    /// The body, up to `limit` bytes, by `until`: over the limit is refused as soon as it is (leaving the body
    /// unread drops the connection rather than reading on), late is a timeout.
    static func readBody(_ body: HTTPClientResponse.Body, limit: Int, until: ContinuousClock.Instant, seconds: Double) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var bytes: [UInt8] = []
                for try await chunk in body {
                    guard bytes.count + chunk.readableBytes <= limit else { throw FeedError.tooLarge(limit: limit) }
                    bytes.append(contentsOf: chunk.readableBytesView)
                }
                return bytes
            }
            group.addTask {
                try await Task.sleep(until: until, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw FeedError.timedOut(seconds: seconds)
            }
            return bytes
        }
    }

    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func port(_ url: URL) -> Int? { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80) }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && port(a) == port(b)
    }

    /// `Retry-After` as delta-seconds (RFC 9110 §10.2.3); an HTTP-date is read too.
    static func retryAfter(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { max(0, $0.timeIntervalSinceNow) }
    }

    /// The client's failures as feed errors. The decompressor's limit error comes from a module this target does not
    /// import (NIOHTTPCompression), so it is recognised by name.
    static func classify(_ error: any Error, seconds: Double, limit: Int) -> FeedError {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return .timedOut(seconds: seconds)
            case .remoteConnectionClosed: return .network("the connection closed before the answer was complete")
            default: return .network("\(client)")
            }
        }
        let reflected = String(reflecting: error)
        if reflected.contains("DecompressionError") {
            return reflected.contains("limit") ? .tooLarge(limit: limit) : .network("the compressed body could not be decoded")
        }
        if error is CancellationError { return .network("cancelled") }
        return .network(String(describing: error).prefix(200).description)
    }
}
