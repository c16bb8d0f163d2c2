import Foundation
import SyncboardCore

/// Why a feed could not be read, in the words a person adding it can act on (the form shows `description` next to
/// the address field). Descriptions name the feed by its redacted address and never carry its credentials.
public enum FeedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address itself is unusable (scheme, syntax, http:// where only https:// is allowed).
    case invalidAddress(String)
    /// The host resolves to a loopback, private, link-local or metadata address (or a redirect led to one).
    case privateAddress(host: String, address: String)
    case unresolvable(host: String)
    /// 401 (the credentials are wrong or missing).
    case unauthorized(status: Int)
    /// 403.
    case forbidden(status: Int)
    /// 404.
    case notFound
    /// 410: the publisher removed the feed for good (RFC 9110 §15.5.11).
    case gone
    /// 429 or 503 with Retry-After.
    case rateLimited(retryAfter: Double?)
    /// 5xx.
    case server(status: Int)
    /// Any other status the feed cannot be read from (400, 405, a 3xx without Location, …).
    case unexpectedStatus(Int)
    /// 206 Partial Content: we never ask for a range (RFC 9110 §14.2), so a part is not the calendar.
    case partialContent
    case tooManyRedirects(Int)
    /// The Content-Length, or the bytes read so far, are over the limit.
    case tooLarge(limit: Int)
    case timedOut(seconds: Double)
    /// The connection failed or broke (refused, reset, TLS).
    case network(String)
    /// The body is not iCalendar (an HTML login page, JSON, an empty body).
    case notICalendar(String)
    /// The body is iCalendar but cannot be read as a whole (BEGIN/END that do not pair, a line that is not a
    /// content line, a series that cannot be expanded).
    case malformed(String)
    /// The body stops before END:VCALENDAR.
    case truncated(String)
    /// The feed has no events while the previous fetch had some: refused rather than read as "everything was
    /// deleted" (a publisher's outage often looks like this).
    case emptied(previously: Int)

    public var description: String {
        switch self {
        case .invalidAddress(let reason): reason
        case .privateAddress(let host, let address):
            "\(host) resolves to \(address), a loopback, private or link-local address; Syncboard only fetches feeds from public addresses (the operator can allow private ones with SYNCBOARD_FEEDS_ALLOW_PRIVATE)"
        case .unresolvable(let host): "\(host) does not resolve to an address"
        case .unauthorized(let status): "the feed needs a user name and password, or the ones given were refused (\(status))"
        case .forbidden(let status): "the feed refused access (\(status)); is it still published?"
        case .notFound: "no feed at this address (404); check the address or publish the calendar again"
        case .gone: "the feed was removed by its publisher (410)"
        case .rateLimited(let after): "the feed's server asks to slow down\(after.map { " (retry after \(Int($0)) s)" } ?? "")"
        case .server(let status): "the feed's server had an error (\(status)); it will be retried"
        case .unexpectedStatus(let status): "the feed's server answered \(status), not the calendar"
        case .partialContent: "the feed's server answered with part of the calendar (206); it was not used"
        case .tooManyRedirects(let count): "the address redirected more than \(count) times"
        case .tooLarge(let limit): "the feed is larger than \(limit >= 1 << 20 ? "\(limit >> 20) MB" : "\(limit >> 10) KB"), the limit"
        case .timedOut(let seconds): "the feed's server did not answer in full within \(Self.seconds(seconds))"
        case .network(let detail): "the feed's server could not be reached (\(detail))"
        case .notICalendar(let reason): "this address does not serve an iCalendar feed: \(reason)"
        case .malformed(let reason): "the feed cannot be read: \(reason)"
        case .truncated(let reason): "the feed arrived incomplete and was not used: \(reason)"
        case .emptied(let previously):
            "the feed now has no events, after \(previously) at the last fetch; it was not read as everything deleted (retried on the next refresh)"
        }
    }

    private static func seconds(_ value: Double) -> String {
        value >= 1 ? "\(Int(value.rounded())) s" : "\(Int((value * 1000).rounded())) ms"
    }

    /// The provider-neutral class: what the engine and the scheduler do about it. A broken body (truncated, 206,
    /// emptied) is transient — worth retrying, and never "events deleted"; what the user must fix (the address, a
    /// private host, not a feed, too large) is misconfigured; 404 and 410 are not found.
    public var providerError: ProviderError {
        let kind: ProviderError.Kind = switch self {
        case .invalidAddress, .privateAddress, .unresolvable, .notICalendar, .malformed, .tooLarge, .tooManyRedirects, .unexpectedStatus: .misconfigured
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound, .gone: .notFound
        case .rateLimited(let after): .rateLimited(retryAfter: after)
        case .server, .timedOut, .network, .partialContent, .truncated, .emptied: .transient
        }
        return ProviderError(kind, description)
    }

    /// True when retrying later may help.
    public var isTransient: Bool { providerError.isTransient }
}
