import Foundation
import Vapor

/// An error the emulator answers instead of doing the request: for the next `count` matching requests, or for a
/// `fraction` of them (seeded, so a test is repeatable), optionally only for one method and path prefix.
public struct Fault: Sendable, Codable, Equatable {
    public var status: Int
    /// Google's reason: rateLimitExceeded, userRateLimitExceeded, backendError, …; defaults by status.
    public var reason: String?
    public var count: Int?
    public var fraction: Double?
    public var method: String?
    public var pathPrefix: String?
    /// Only requests by this account (its email): Google's quotas are per user as well as per project.
    public var account: String?

    public init(status: Int, reason: String? = nil, count: Int? = nil, fraction: Double? = nil, method: String? = nil, pathPrefix: String? = nil,
                account: String? = nil) {
        self.status = status
        self.reason = reason
        self.count = count
        self.fraction = fraction
        self.method = method
        self.pathPrefix = pathPrefix
        self.account = account
    }

    func applies(method: String, path: String, account caller: String? = nil) -> Bool {
        (self.method.map { $0.uppercased() == method } ?? true) && (pathPrefix.map { path.hasPrefix($0) } ?? true)
            && (account.map { $0.lowercased() == caller?.lowercased() } ?? true)
    }

    /// The body Google sends for this status ("Handle API errors": 403 `rateLimitExceeded`, `userRateLimitExceeded`
    /// and `quotaExceeded` ("Calendar usage limits exceeded"), 429 `rateLimitExceeded`, all in the usageLimits domain).
    var response: Response {
        switch (status, reason) {
        case (403, let reason), (429, let reason):
            let why = reason ?? "rateLimitExceeded"
            let message = switch why {
            case "userRateLimitExceeded": "User Rate Limit Exceeded"
            case "quotaExceeded": "Calendar usage limits exceeded."
            default: "Rate Limit Exceeded"
            }
            return CalendarRoutes.error(status, message, reason: why, status: status == 429 ? "RESOURCE_EXHAUSTED" : "PERMISSION_DENIED", domain: "usageLimits")
        case (503, _):
            return CalendarRoutes.error(503, "The service is currently unavailable.", reason: reason ?? "backendError", status: "UNAVAILABLE")
        default:
            return CalendarRoutes.error(status, "Backend Error", reason: reason ?? "backendError", status: status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION")
        }
    }
}

/// One Calendar API request as the emulator saw it.
public struct LoggedRequest: Sendable, Codable, Equatable {
    public let method: String
    public let path: String
    public let query: String?
    public let status: Int
    public let at: Date
    /// The response body's size in bytes (uncompressed; Google would gzip it), for benchmarks.
    public var bytes: Int? = nil
    /// The account that made the call: the subject and email behind its bearer access token (an expired one still
    /// names its account); nil without a token the emulator knows (none, unknown or revoked). Google's per-user
    /// quota (600 requests a minute per user per project) counts by it.
    public var subject: String? = nil
    public var email: String? = nil
    /// Seconds the emulator spent answering (its handler and the body's encoding), the added latency left out: lets
    /// a benchmark that runs the emulator in its own process tell the emulator's share of a run from the engine's.
    public var handlingSeconds: Double? = nil
}

/// A small seeded generator (SplitMix64) so that fractional faults are repeatable.
struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension EmulatorState {
    /// Adds a fault; `seed` reseeds the generator behind fractional faults.
    public func injectFault(_ fault: Fault, seed: UInt64? = nil) {
        if let seed { random = SeededRandom(seed: seed) }
        faults.append(fault)
    }

    public func clearFaults() { faults.removeAll() }

    /// Latency added to every Calendar API request (benchmarks simulate Google's round trip with it).
    public func setLatency(_ latency: Duration) { self.latency = latency }

    /// The fault to answer this request with, if any (consuming one of a counted fault's uses).
    func takeFault(method: String, path: String, account: String? = nil) -> Fault? {
        for index in faults.indices where faults[index].applies(method: method, path: path, account: account) {
            if let remaining = faults[index].count {
                guard remaining > 0 else { continue }
                faults[index].count = remaining - 1
                let fault = faults[index]
                if remaining == 1 && faults[index].fraction == nil { faults.remove(at: index) }
                return fault
            }
            if let fraction = faults[index].fraction {
                if Double.random(in: 0..<1, using: &random) < fraction { return faults[index] }
                continue
            }
            return faults[index]
        }
        return nil
    }

    func record(_ request: LoggedRequest) { requestLog.append(request) }

    /// The account an access token was issued to, expired or not (for the request log; `bearer` decides access).
    func caller(accessToken token: String) -> Account? { accessTokens[token].flatMap { account(subject: $0.subject) } }

    /// Calendar API requests so far, optionally only those whose path starts with `pathPrefix`.
    public func requests(pathPrefix: String? = nil, method: String? = nil) -> [LoggedRequest] {
        requestLog.filter { request in
            (pathPrefix.map { request.path.hasPrefix($0) } ?? true) && (method.map { $0.uppercased() == request.method } ?? true)
        }
    }

    public func clearRequestLog() { requestLog.removeAll() }
}

/// In front of the Calendar API: waits the configured latency, answers an injected fault, and logs every request.
struct CalendarAPIMiddleware: AsyncMiddleware {
    let state: EmulatorState

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let method = request.method.rawValue
        let path = request.url.path
        let caller: EmulatorState.Account? = if let token = request.headers.bearerAuthorization?.token { await state.caller(accessToken: token) } else { nil }
        let latency = await state.latency
        if latency > .zero { try await Task.sleep(for: latency) }
        let started = ContinuousClock.now
        let response: Response
        if let fault = await state.takeFault(method: method, path: path, account: caller?.email) {
            response = fault.response
        } else {
            response = try await next.respond(to: request)
        }
        await state.record(LoggedRequest(method: method, path: path, query: request.url.query, status: Int(response.status.code), at: Date(),
                                          bytes: response.body.count >= 0 ? response.body.count : nil, subject: caller?.subject, email: caller?.email,
                                          handlingSeconds: (ContinuousClock.now - started).seconds))
        return response
    }
}
