import Foundation
import Vapor

/// A throttling fault (concepts/throttling.md, concepts/throttling-limits.md): the next `count` matching Graph
/// requests (all of them without a count) answer 429 or 503 with `Retry-After`, optionally only for one account
/// (Outlook limits are per app and mailbox), one method or one path prefix.
public struct ThrottleFault: Sendable, Codable, Equatable {
    public var status: Int
    public var retryAfter: Int?
    public var count: Int?
    public var email: String?
    public var method: String?
    public var pathPrefix: String?

    public init(status: Int, retryAfter: Int? = nil, count: Int? = nil, email: String? = nil, method: String? = nil, pathPrefix: String? = nil) {
        self.status = status
        self.retryAfter = retryAfter
        self.count = count
        self.email = email
        self.method = method
        self.pathPrefix = pathPrefix
    }

    func applies(email: String?, method: String, path: String) -> Bool {
        (self.email.map { $0.lowercased() == email?.lowercased() } ?? true) && (self.method.map { $0.uppercased() == method } ?? true)
            && (pathPrefix.map { path.hasPrefix($0) } ?? true)
    }

    /// 429 as the throttling page shows it (code TooManyRequests); 503 for mailbox concurrency (serviceNotAvailable).
    var error: GraphError {
        let seconds = retryAfter ?? 2
        return status == 503
            ? GraphError(503, "serviceNotAvailable", "The service is temporarily unavailable. Retry after the interval in the Retry-After header.", retryAfter: seconds)
            : GraphError(status, "TooManyRequests", "Too many requests. Retry after the interval in the Retry-After header.", retryAfter: seconds)
    }
}

/// One Graph request as the emulator saw it (tests count calls with these).
public struct GraphRequestRecord: Sendable, Codable, Equatable {
    public var method: String
    public var path: String
    public var query: String?
    public var status: Int
    public var email: String?
    public var bytes: Int?
    public var at: Date
    /// Seconds the emulator spent answering (its handler and the body's encoding), the added latency left out.
    public var handlingSeconds: Double? = nil
}

extension MicrosoftEmulatorState {
    public func injectFault(_ fault: ThrottleFault) { faults.append(fault) }
    /// Every Graph call waits this long before it is answered (benchmarks: a real service's round trip).
    public func setLatency(_ latency: Duration) { self.latency = latency }
    public func clearFaults() { faults.removeAll() }

    func takeFault(email: String?, method: String, path: String) -> ThrottleFault? {
        for index in faults.indices where faults[index].applies(email: email, method: method, path: path) {
            let fault = faults[index]
            if let count = fault.count {
                if count <= 1 { faults.remove(at: index) } else { faults[index].count = count - 1 }
            }
            return fault
        }
        return nil
    }

    func record(_ request: GraphRequestRecord) { requestLog.append(request) }

    public func requests(pathPrefix: String? = nil, method: String? = nil) -> [GraphRequestRecord] {
        requestLog.filter { record in record.path.hasPrefix(pathPrefix ?? "") && (method.map { $0.uppercased() == record.method } ?? true) }
    }

    public func clearRequestLog() { requestLog.removeAll() }
}

/// The account behind a request's access token, once GraphMiddleware has checked it.
struct GraphCaller: StorageKey { typealias Value = MicrosoftEmulatorState.Account }

/// In front of `/v1.0`: waits the configured latency, requires a live bearer token (401 InvalidAuthenticationToken
/// otherwise, as concepts/errors.md and the identity platform's access-token page describe), answers a throttling
/// fault for the caller, and logs the request.
struct GraphMiddleware: AsyncMiddleware {
    let state: MicrosoftEmulatorState

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let latency = await state.latency
        if latency > .zero { try await Task.sleep(for: latency) }
        let started = ContinuousClock.now
        let method = request.method.rawValue
        let path = request.url.path
        let clientRequestID = request.headers.first(name: "client-request-id")
        var email: String?
        let response: Response
        switch await state.bearer(request.headers.bearerAuthorization?.token) {
        case .missing:
            response = GraphError(401, "InvalidAuthenticationToken", "Access token is empty.").response(clientRequestID: clientRequestID)
        case .expired:
            response = GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.").response(clientRequestID: clientRequestID)
        case .unknown:
            response = GraphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.").response(clientRequestID: clientRequestID)
        case .valid(let account):
            email = account.email
            if let fault = await state.takeFault(email: account.email, method: method, path: path) {
                response = fault.error.response(clientRequestID: clientRequestID)
            } else {
                request.storage[GraphCaller.self] = account
                do { response = try await next.respond(to: request) } catch let error as GraphError {
                    response = error.response(clientRequestID: clientRequestID)
                }
            }
        }
        await state.record(GraphRequestRecord(method: method, path: path, query: request.url.query, status: Int(response.status.code), email: email,
                                              bytes: response.body.count >= 0 ? response.body.count : nil, at: Date(),
                                              handlingSeconds: Self.seconds(ContinuousClock.now - started)))
        return response
    }
}
