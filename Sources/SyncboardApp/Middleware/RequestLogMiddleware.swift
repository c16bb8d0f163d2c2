import Vapor

/// Tags the request's logger with the matched route and logs one line per finished request.
///
/// The route is the pattern (`/jobs/:id`), not the raw path, so logs group by endpoint and carry no ids or
/// query strings (which could hold an OAuth code). The client is `Request.clientAddress`: behind a trusted proxy,
/// the address the proxy says it served, not the proxy's.
struct RequestLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        request.logger[metadataKey: "route"] = .string(route)
        let start = ContinuousClock.now
        do {
            let response = try await next.respond(to: request)
            log(request, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any AbortError)?.status.code ?? 500
            log(request, status: status, since: start)
            throw error
        }
    }

    private func log(_ request: Request, status: UInt, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        request.logger.log(
            level: status >= 500 ? .error : .info,
            "request finished",
            metadata: [
                "method": .string(request.method.rawValue),
                "status": .stringConvertible(status),
                "client_address": .string(request.clientAddressText),
                "duration_ms": .string(String(format: "%.1f", milliseconds)),
            ])
    }
}
