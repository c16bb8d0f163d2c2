import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
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

    public init(baseURL: URL, http: HTTPClient, retry: RetryPolicy = RetryPolicy(), counter: RequestCounter = RequestCounter()) {
        self.baseURL = baseURL
        self.http = http
        self.retry = retry
        self.counter = counter
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

    func get<T: Decodable>(path: [String], query: [(String, String)], accessToken: String) async throws(GoogleError) -> T {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/#?@")
        components.percentEncodedPath += "/" + path.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let url = components.url!.absoluteString
        var attempt = 0
        while true {
            attempt += 1
            do {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
                request.headers.add(name: "Accept", value: "application/json")
                counter.increment()
                let response: HTTPClientResponse
                let body: ByteBuffer
                do {
                    response = try await http.execute(request, timeout: .seconds(30))
                    body = try await response.body.collect(upTo: 16 << 20)
                } catch {
                    throw GoogleError.network(String(describing: type(of: error)))
                }
                guard response.status == .ok else { throw GoogleError.fromAPI(status: Int(response.status.code), body: Data(buffer: body)) }
                do {
                    return try JSONDecoder().decode(T.self, from: Data(buffer: body))
                } catch {
                    throw GoogleError.unexpected("the answer could not be read")
                }
            } catch let error as GoogleError {
                guard error.isTransient, attempt < retry.maxAttempts else { throw error }
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
