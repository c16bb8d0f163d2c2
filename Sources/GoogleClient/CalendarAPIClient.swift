import AsyncHTTPClient
import ProviderHTTP
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Google Calendar API v3 over HTTP with a bearer token: typed errors, every page followed, and retries with
/// exponential backoff and full jitter for rate limits, 5xx and network failures.
public struct CalendarAPIClient: Sendable {
    public struct RetryPolicy: Sendable {
        public var maxAttempts: Int
        public var baseDelay: Duration
        public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500)) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
        }
    }

    /// One calendarList entry.
    public struct CalendarListEntry: Decodable, Sendable, Equatable {
        public let id: String
        public let summary: String?
        public let summaryOverride: String?
        public let timeZone: String?
        public let accessRole: String
        public let backgroundColor: String?
        public let primary: Bool?
        public let deleted: Bool?
    }

    struct Page<Item: Decodable>: Decodable {
        let items: [Item]?
        let nextPageToken: String?
    }

    let baseURL: URL
    let http: HTTPClient
    let retry: RetryPolicy
    let counter: RequestCounter
    /// events.list page size: Google's maximum by default, so a sync lists a calendar in as few calls as it can.
    let eventsPageSize: Int
    /// Keeps each account under Google's per-user quota (nil: no pacing, e.g. a benchmark of the engine alone).
    public let pacer: RequestPacer?
    /// How long one attempt may take, the whole answer read (a body that drips past it is a network failure).
    let timeout: Duration

    public init(baseURL: URL, http: HTTPClient, retry: RetryPolicy = RetryPolicy(), counter: RequestCounter = RequestCounter(),
                eventsPageSize: Int = 2_500, pacer: RequestPacer? = nil, timeout: Duration = .seconds(30)) {
        self.pacer = pacer
        self.timeout = timeout
        self.baseURL = baseURL
        self.http = http
        self.retry = retry
        self.counter = counter
        self.eventsPageSize = min(max(eventsPageSize, 1), 2_500)
    }

    /// Every calendar the token's account can see, across all pages.
    public func calendarList(accessToken: String) async throws(GoogleError) -> [CalendarListEntry] {
        var entries: [CalendarListEntry] = []
        var pageToken: String?
        repeat {
            var query = [("maxResults", "250")]
            if let pageToken { query.append(("pageToken", pageToken)) }
            let page: Page<CalendarListEntry> = try await get(path: ["users", "me", "calendarList"], query: query, accessToken: accessToken)
            entries += page.items ?? []
            pageToken = page.nextPageToken
        } while pageToken != nil
        return entries.filter { $0.deleted != true }
    }

    struct EventsPage: Decodable {
        let items: [CalendarEvent]?
        let nextPageToken: String?
        let nextSyncToken: String?
    }

    /// Events from a listing, and the token for listing what changes after it (nil when Google gave none).
    public struct EventListing: Sendable {
        public var events: [CalendarEvent]
        public var nextSyncToken: String?
    }

    /// events.list over every page, as a sync needs it: single events (recurrences expanded) that are not
    /// cancelled, of the types CalendarSync syncs, overlapping [timeMin, timeMax), times in UTC.
    public func events(calendarID: String, timeMin: Date, timeMax: Date, accessToken: String) async throws(GoogleError) -> [CalendarEvent] {
        try await eventListing(calendarID: calendarID, timeMin: timeMin, timeMax: timeMax, ordered: true, accessToken: accessToken).events
    }

    /// A window's events and the sync token Google gives on the last page, from which `eventChanges` lists what
    /// changed since. `ordered: false` leaves out orderBy, which Google documents as not combinable with sync
    /// tokens (the caller sorts if it cares).
    /// `eventTypes`: Google's event types to list (default: ordinary events, focus time and out of office).
    public func eventListing(calendarID: String, timeMin: Date, timeMax: Date, ordered: Bool, eventTypes: [String] = defaultEventTypes,
                             accessToken: String) async throws(GoogleError) -> EventListing {
        var query = Self.syncQuery(eventTypes) + [("showDeleted", "false"), ("timeMin", Self.rfc3339(timeMin)), ("timeMax", Self.rfc3339(timeMax))]
        if ordered { query.append(("orderBy", "startTime")) }
        let listed = try await listAllPages(calendarID: calendarID, query: query, accessToken: accessToken)
        return EventListing(events: listed.events.filter { $0.status != "cancelled" }, nextSyncToken: listed.nextSyncToken)
    }

    /// What changed in a calendar since `syncToken` (every page): changed events whatever their time, and deleted
    /// ones as `status: cancelled`. Google refuses timeMin/timeMax/orderBy with a sync token, so the caller filters
    /// to its window. A token Google no longer accepts throws `.gone` (410): a full listing is needed.
    public func eventChanges(calendarID: String, syncToken: String, eventTypes: [String] = defaultEventTypes,
                             accessToken: String) async throws(GoogleError) -> EventListing {
        try await listAllPages(calendarID: calendarID, query: Self.syncQuery(eventTypes) + [("syncToken", syncToken)], accessToken: accessToken)
    }

    /// The event types listed unless told otherwise.
    public static let defaultEventTypes = ["default", "focusTime", "outOfOffice"]

    /// The same single events and types for full and incremental listings, as Google asks of a sync token's users.
    private static func syncQuery(_ eventTypes: [String]) -> [(String, String)] {
        [("singleEvents", "true")] + eventTypes.map { ("eventTypes", $0) } + [("timeZone", "UTC")]
    }

    private func listAllPages(calendarID: String, query: [(String, String)], accessToken: String) async throws(GoogleError) -> EventListing {
        var events: [CalendarEvent] = []
        var seen: Set<String> = []
        var pageToken: String?
        var syncToken: String?
        repeat {
            var pageQuery = query + [("maxResults", String(eventsPageSize))]
            if let pageToken { pageQuery.append(("pageToken", pageToken)) }
            let page: EventsPage = try await send(.GET, path: ["calendars", calendarID, "events"], query: pageQuery, accessToken: accessToken)
            // Each page is appended once (CalendarSync's pager appended the first page twice).
            for event in page.items ?? [] {
                if let id = event.id, !seen.insert(id).inserted { continue }
                events.append(event)
            }
            pageToken = page.nextPageToken
            syncToken = page.nextSyncToken
        } while pageToken != nil
        return EventListing(events: events, nextSyncToken: syncToken)
    }

    /// events.get: one event, also when it is cancelled (deleted) and Google still knows it.
    public func event(id: String, calendarID: String, accessToken: String) async throws(GoogleError) -> CalendarEvent {
        try await get(path: ["calendars", calendarID, "events", id], query: [], accessToken: accessToken)
    }

    /// events.insert without notifying anyone (sendUpdates=none).
    public func insertEvent(_ event: CalendarEvent, calendarID: String, accessToken: String) async throws(GoogleError) -> CalendarEvent {
        try await send(.POST, path: ["calendars", calendarID, "events"], query: [("sendUpdates", "none")], body: event, accessToken: accessToken)
    }

    /// events.update (the whole event) without notifying anyone. `ifMatch`: the etag of the version read; when the
    /// event changed since, Google writes nothing and answers 412 (`.conditionNotMet`).
    public func updateEvent(_ event: CalendarEvent, id: String, calendarID: String, ifMatch: String? = nil,
                            accessToken: String) async throws(GoogleError) -> CalendarEvent {
        var body = event
        body.etag = nil
        return try await send(.PUT, path: ["calendars", calendarID, "events", id], query: [("sendUpdates", "none")], body: body,
                              headers: ifMatch.map { [("If-Match", $0)] } ?? [], accessToken: accessToken)
    }

    /// events.delete without notifying anyone; an event that is already gone counts as deleted.
    public func deleteEvent(id: String, calendarID: String, accessToken: String) async throws(GoogleError) {
        do {
            let _: Empty = try await send(.DELETE, path: ["calendars", calendarID, "events", id], query: [("sendUpdates", "none")], accessToken: accessToken)
        } catch .notFound, .gone {
            return
        }
    }

    struct Empty: Decodable {}
    struct NoBody: Encodable {}

    static func rfc3339(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    func get<T: Decodable>(path: [String], query: [(String, String)], accessToken: String) async throws(GoogleError) -> T {
        try await send(.GET, path: path, query: query, accessToken: accessToken)
    }

    func send<T: Decodable>(_ method: HTTPMethod, path: [String], query: [(String, String)], accessToken: String) async throws(GoogleError) -> T {
        try await send(method, path: path, query: query, body: Optional<NoBody>.none, accessToken: accessToken)
    }

    /// One API call with retries: 429, 403 rate limits, 5xx and network failures are retried with exponential
    /// backoff and full jitter; any other error is returned at once.
    func send<T: Decodable, Body: Encodable>(_ method: HTTPMethod, path: [String], query: [(String, String)], body: Body?,
                                             headers: [(String, String)] = [], accessToken: String) async throws(GoogleError) -> T {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/#?@")
        components.percentEncodedPath += "/" + path.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let url = components.url!.absoluteString
        let span = ProviderTracing.google.start("calendar", method: method.rawValue, shape: ProviderTracing.google.shape(path))
        var attempt = 0
        var lastStatus: Int?
        defer { ProviderTracing.google.finish(span, status: lastStatus, attempt: attempt, failed: lastStatus.map { !(200..<300).contains($0) } ?? true) }
        while true {
            attempt += 1
            do {
                var request = HTTPClientRequest(url: url)
                request.method = method
                request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
                request.headers.add(name: "Accept", value: "application/json")
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                if let body {
                    request.headers.add(name: "Content-Type", value: "application/json")
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = .withoutEscapingSlashes
                    guard let data = try? encoder.encode(body) else { throw GoogleError.unexpected("the request could not be written") }
                    request.body = .bytes(ByteBuffer(data: data))
                }
                await pacer?.take(forToken: accessToken)  // every attempt counts against Google's quota
                counter.increment()
                let response: HTTPClientResponse
                let body: ByteBuffer
                do {
                    (response, body) = try await http.executeCollecting(request, timeout: timeout.timeAmount, upTo: 16 << 20)
                    lastStatus = Int(response.status.code)
                } catch let error as HTTPClientError where error == .deadlineExceeded {
                    throw GoogleError.network("no complete answer within \(timeout)")
                } catch {
                    throw GoogleError.network(String(describing: type(of: error)))
                }
                guard (200..<300).contains(response.status.code) else {
                    throw GoogleError.fromAPI(status: Int(response.status.code), body: Data(buffer: body))
                }
                if response.status == .noContent, let empty = Empty() as? T { return empty }
                do {
                    return try JSONDecoder().decode(T.self, from: Data(buffer: body))
                } catch {
                    throw GoogleError.unexpected("the answer could not be read")
                }
            } catch let error as GoogleError {
                // A cancelled call (the run was stopped) is not a network hiccup: no retry.
                guard error.isTransient, attempt < retry.maxAttempts, !Task.isCancelled else { throw error }
                // Full jitter: a random wait up to base × 2^(attempt-1).
                let ceiling = retry.baseDelay * (1 << (attempt - 1))
                let wait = Double.random(in: 0...1) * Double(ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000)
                try? await Task.sleep(for: .nanoseconds(Int64(wait)))
            } catch {
                throw GoogleError.unexpected(String(describing: type(of: error)))
            }
        }
    }
}

/// Counts HTTP requests made to Google (tests assert on it; metrics can read it).
public final class RequestCounter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    public func increment() { value.add(1, ordering: .relaxed) }
    public var count: Int { value.load(ordering: .relaxed) }
}
