import AsyncHTTPClient
import ProviderHTTP
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Microsoft Graph v1.0's calendar endpoints over HTTP with a bearer token: typed errors, every page followed,
/// times asked for in UTC, at most `MailboxLimiter.limit` requests at once per mailbox, 429/503 waited out for the
/// `Retry-After` Graph sends (concepts/throttling.md), other 5xx and network failures retried with exponential
/// backoff and full jitter.
public struct GraphAPIClient: Sendable {
    public struct RetryPolicy: Sendable {
        public var maxAttempts: Int
        public var baseDelay: Duration
        /// A `Retry-After` longer than this is not waited out inside a call: the error goes to the caller, whose
        /// scheduler retries later.
        public var longestRetryAfter: Duration
        /// How waiting is done (tests record the waits instead of sleeping).
        public var sleep: @Sendable (Duration) async -> Void

        public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), longestRetryAfter: Duration = .seconds(60),
                    sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.longestRetryAfter = longestRetryAfter
            self.sleep = sleep
        }
    }

    /// The signed-in user (api-reference/v1.0/api/user-get.md).
    public struct User: Decodable, Sendable, Equatable {
        public let id: String
        public let displayName: String?
        public let mail: String?
        public let userPrincipalName: String?
        /// The address to show: `mail`, else the sign-in name.
        public var email: String { mail ?? userPrincipalName ?? "" }
    }

    /// A calendar (api-reference/v1.0/resources/calendar.md).
    public struct Calendar: Decodable, Sendable, Equatable {
        public struct Owner: Decodable, Sendable, Equatable { public let name: String?; public let address: String? }
        public let id: String
        public let name: String?
        public let hexColor: String?
        public let isDefaultCalendar: Bool?
        public let canEdit: Bool?
        public let owner: Owner?
    }

    /// One round of `calendarView/delta`, every page followed: changed or added events (the last version of each),
    /// ids reported `@removed`, how many entries Graph sent, and the delta link the next round starts from.
    public struct DeltaRound: Sendable {
        public var events: [GraphEvent]
        public var removed: [String]
        public var count: Int
        public var deltaLink: String
    }

    struct Page<Item: Decodable>: Decodable {
        let value: [Item]?
        let nextLink: String?
        let deltaLink: String?
        enum CodingKeys: String, CodingKey { case value, nextLink = "@odata.nextLink", deltaLink = "@odata.deltaLink" }
    }

    /// The open extension copies carry (the name CalendarSync's Outlook adapter uses, so either engine's copies
    /// are recognised by the other).
    public static let metadataExtensionName = "inovex.calendarsync.meta"
    /// `$expand` that returns the metadata extension with an event (opentypeextension.md, "Get an open extension").
    public static let metadataExpand = "extensions($filter=id eq 'Microsoft.OutlookServices.OpenTypeExtension.\(metadataExtensionName)')"

    let baseURL: URL
    let http: HTTPClient
    let retry: RetryPolicy
    public let counter: GraphRequestCounter
    /// `Prefer: odata.maxpagesize` for delta and `$top` for calendarView.
    let pageSize: Int
    public let limiter: MailboxLimiter
    /// How long one attempt may take, the whole answer read (a body that drips past it is a network failure).
    let timeout: Duration

    public init(baseURL: URL = MicrosoftEndpoints.microsoft.graph, http: HTTPClient, retry: RetryPolicy = RetryPolicy(),
                counter: GraphRequestCounter = GraphRequestCounter(), pageSize: Int = 200, limiter: MailboxLimiter = MailboxLimiter(limit: 4),
                timeout: Duration = .seconds(30)) {
        self.timeout = timeout
        self.baseURL = baseURL
        self.http = http
        self.retry = retry
        self.counter = counter
        self.pageSize = min(max(pageSize, 1), 1000)
        self.limiter = limiter
    }

    // MARK: Profile and calendars

    /// `GET /me`
    public func me(accessToken: String) async throws(MicrosoftError) -> User {
        try await decode(try await send(.GET, url: url(["me"]), accessToken: accessToken, shape: ["me"]))
    }

    /// `GET /me/calendars`, every page (api-reference/v1.0/api/user-list-calendars.md).
    public func calendars(accessToken: String) async throws(MicrosoftError) -> [Calendar] {
        var calendars: [Calendar] = []
        var next: String? = url(["me", "calendars"], query: [("$top", "100")])
        while let link = next {
            let page: Page<Calendar> = try await decode(try await send(.GET, url: try checked(link), accessToken: accessToken, shape: ["me", "calendars"]))
            calendars += page.value ?? []
            next = page.nextLink
        }
        return calendars
    }

    // MARK: Events

    /// `calendarView` of one calendar, every page by `@odata.nextLink`: single instances, occurrences and
    /// exceptions overlapping [start, end) (never series masters), times in UTC, with the copy metadata extension.
    public func calendarView(calendarID: String, start: Date, end: Date, accessToken: String) async throws(MicrosoftError) -> [GraphEvent] {
        let path = ["me", "calendars", calendarID, "calendarView"]
        var next: String? = url(path, query: [("startDateTime", Self.instant(start)), ("endDateTime", Self.instant(end)),
                                              ("$top", String(pageSize)), ("$expand", Self.metadataExpand)])
        var events: [GraphEvent] = []
        var seen: [String: Int] = [:]
        while let link = next {
            let page: Page<GraphEvent> = try await decode(try await send(.GET, url: try checked(link), accessToken: accessToken, shape: path))
            for event in page.value ?? [] {
                if let index = seen[event.id] { events[index] = event } else { seen[event.id] = events.count; events.append(event) }
            }
            next = page.nextLink
        }
        return events
    }

    /// The first round of `calendarView/delta` for [start, end): the window is fixed by this request
    /// (concepts/delta-query-events.md); every event in it, and the delta link the next round starts from.
    public func deltaStart(calendarID: String, start: Date, end: Date, accessToken: String) async throws(MicrosoftError) -> DeltaRound {
        try await deltaRound(from: url(["me", "calendars", calendarID, "calendarView", "delta"],
                                       query: [("startDateTime", Self.instant(start)), ("endDateTime", Self.instant(end))]),
                             accessToken: accessToken)
    }

    /// A later round from the delta link of the previous one: what changed since, with `@removed` ids. A link Graph
    /// no longer honours throws `.syncStateNotFound` (410): start again with `deltaStart`.
    public func delta(continuing deltaLink: String, accessToken: String) async throws(MicrosoftError) -> DeltaRound {
        try await deltaRound(from: try checked(deltaLink), accessToken: accessToken)
    }

    private func deltaRound(from first: String, accessToken: String) async throws(MicrosoftError) -> DeltaRound {
        let shape = ["me", "calendars", "{id}", "calendarView", "delta"]
        var next: String? = first
        var events: [GraphEvent] = []
        var index: [String: Int] = [:]
        var removed: [String] = []
        var count = 0
        // Only the last page carries @odata.deltaLink; the others @odata.nextLink (api-reference/v1.0/api/event-delta.md).
        while let link = next {
            let page: Page<GraphEvent> = try await decode(try await send(
                .GET, url: try checked(link), accessToken: accessToken, shape: shape,
                prefer: ["odata.maxpagesize=\(pageSize)", "outlook.timezone=\"UTC\"", "outlook.body-content-type=\"text\""]))
            for event in page.value ?? [] {
                count += 1
                // Graph may replay an entry: the last one of an id wins, and a removal after a change removes it.
                if event.removed != nil {
                    if let at = index.removeValue(forKey: event.id) { events[at].removed = event.removed }
                    removed.append(event.id)
                } else {
                    removed.removeAll { $0 == event.id }
                    if let at = index[event.id] { events[at] = event } else { index[event.id] = events.count; events.append(event) }
                }
            }
            if let deltaLink = page.deltaLink { return DeltaRound(events: events.filter { $0.removed == nil }, removed: removed, count: count, deltaLink: deltaLink) }
            next = page.nextLink
        }
        throw .unexpected("the last delta page had no @odata.deltaLink")
    }

    /// `GET /me/events/{id}` with the metadata extension, times in UTC.
    public func event(id: String, accessToken: String) async throws(MicrosoftError) -> GraphEvent {
        try await decode(try await send(.GET, url: url(["me", "events", id], query: [("$expand", Self.metadataExpand)]), accessToken: accessToken,
                                         shape: ["me", "events", "{id}"]))
    }

    /// `POST /me/calendars/{id}/events` (api-reference/v1.0/api/calendar-post-events.md). Retried on a network
    /// failure or throttling with the same body, so `write.transactionId` must be set: Graph then drops the retry.
    public func createEvent(_ write: GraphEventWrite, calendarID: String, accessToken: String) async throws(MicrosoftError) -> GraphEvent {
        guard write.transactionId != nil else { throw .unexpected("a create needs a transactionId") }
        return try await decode(try await send(.POST, url: url(["me", "calendars", calendarID, "events"]), body: try encode(write),
                                               accessToken: accessToken, shape: ["me", "calendars", "{id}", "events"]))
    }

    /// `PATCH /me/events/{id}` (event-update.md); with `ifMatch` (the change key or `@odata.etag`), a stale version
    /// throws `.preconditionFailed` (412) instead of overwriting a change made since.
    public func updateEvent(id: String, _ write: GraphEventWrite, ifMatch: String?, accessToken: String) async throws(MicrosoftError) -> GraphEvent {
        var patch = write
        patch.transactionId = nil
        patch.extensions = nil
        return try await decode(try await send(.PATCH, url: url(["me", "events", id]), body: try encode(patch), accessToken: accessToken,
                                               shape: ["me", "events", "{id}"], ifMatch: ifMatch.map(Self.etag)))
    }

    /// `DELETE /me/events/{id}` (event-delete.md); an event already gone counts as deleted.
    public func deleteEvent(id: String, ifMatch: String? = nil, accessToken: String) async throws(MicrosoftError) {
        do {
            _ = try await send(.DELETE, url: url(["me", "events", id]), accessToken: accessToken, shape: ["me", "events", "{id}"],
                               ifMatch: ifMatch.map(Self.etag))
        } catch .notFound {
            return
        }
    }

    /// `POST /me/events/{id}/extensions` (opentypeextension-post-opentypeextension.md): sets the metadata on an
    /// event that was created without it.
    public func addExtension(eventID: String, _ extension: GraphEventWrite.Extension, accessToken: String) async throws(MicrosoftError) {
        _ = try await send(.POST, url: url(["me", "events", eventID, "extensions"]), body: try encode(`extension`), accessToken: accessToken,
                           shape: ["me", "events", "{id}", "extensions"])
    }

    // MARK: HTTP

    /// A change key as If-Match wants it: `W/"…"` (an `@odata.etag` is passed as it is).
    static func etag(_ value: String) -> String { value.hasPrefix("W/") || value.hasPrefix("\"") ? value : "W/\"\(value)\"" }

    static func instant(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    func url(_ path: [String], query: [(String, String)] = []) -> String {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/#?@=+")
        components.percentEncodedPath += "/" + path.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        return components.url!.absoluteString
    }

    /// A next or delta link is followed only on Graph's own origin: the bearer token never goes anywhere else.
    func checked(_ link: String) throws(MicrosoftError) -> String {
        guard let url = URL(string: link), url.scheme == baseURL.scheme, url.host == baseURL.host, url.port == baseURL.port,
              url.path.hasPrefix(baseURL.path) else { throw .unexpected("a paging link points outside Microsoft Graph") }
        return link
    }

    func encode<T: Encodable>(_ value: T) throws(MicrosoftError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        do { return try encoder.encode(value) } catch { throw .unexpected("the request could not be written") }
    }

    func decode<T: Decodable>(_ data: Data) throws(MicrosoftError) -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch { throw .unexpected("the answer could not be read") }
    }

    /// One Graph call with retries. Each attempt holds one of the mailbox's places while it is in flight (not while
    /// it waits to retry).
    func send(_ method: HTTPMethod, url: String, body: Data? = nil, accessToken: String, shape: [String], prefer: [String] = ["outlook.timezone=\"UTC\"", "outlook.body-content-type=\"text\""],
              ifMatch: String? = nil) async throws(MicrosoftError) -> Data {
        let span = ProviderTracing.microsoft.start("graph", method: method.rawValue, shape: ProviderTracing.microsoft.shape(shape))
        var attempt = 0
        var lastStatus: Int?
        defer { ProviderTracing.microsoft.finish(span, status: lastStatus, attempt: attempt, failed: lastStatus.map { !(200..<300).contains($0) } ?? true) }
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
            request.headers.add(name: "Accept", value: "application/json")
            if !prefer.isEmpty { request.headers.add(name: "Prefer", value: prefer.joined(separator: ", ")) }
            if let ifMatch { request.headers.add(name: "If-Match", value: ifMatch) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: body))
            }
            let failure: MicrosoftError
            await limiter.acquire(forToken: accessToken)
            counter.increment()
            do {
                let (response, bytes) = try await http.executeCollecting(request, timeout: timeout.timeAmount, upTo: 32 << 20)
                lastStatus = Int(response.status.code)
                let data = Data(buffer: bytes)
                await limiter.release(forToken: accessToken)
                if (200..<300).contains(response.status.code) { return data }
                failure = MicrosoftError.fromGraph(status: Int(response.status.code), body: data, retryAfter: response.headers.first(name: "Retry-After"))
            } catch let error as HTTPClientError where error == .deadlineExceeded {
                await limiter.release(forToken: accessToken)
                failure = .network("no complete answer within \(timeout)")
            } catch {
                await limiter.release(forToken: accessToken)
                failure = .network(String(describing: type(of: error)))
            }
            guard failure.isTransient, attempt < retry.maxAttempts, !Task.isCancelled else { throw failure }
            if case .throttled(_, let after?) = failure {
                // Graph says how long: wait exactly that, unless it is longer than a call should block.
                let wait = Duration.milliseconds(Int64((after * 1000).rounded(.up)))
                guard wait <= retry.longestRetryAfter else { throw failure }
                await retry.sleep(wait)
            } else {
                // Full jitter: a random wait up to base × 2^(attempt-1).
                let ceiling = retry.baseDelay * (1 << (attempt - 1))
                await retry.sleep(ceiling * Double.random(in: 0...1))
            }
        }
    }
}

/// Counts HTTP requests made to Graph (tests and benchmarks read it).
public final class GraphRequestCounter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    public func increment() { value.add(1, ordering: .relaxed) }
    public var count: Int { value.load(ordering: .relaxed) }
}
