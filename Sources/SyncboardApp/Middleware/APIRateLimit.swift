import Vapor

/// Limits API requests per personal access token and per browser session (`SYNCBOARD_API_RATE_LIMIT` a minute),
/// answering 429 with `Retry-After`, so that one runaway script cannot starve the scheduler of database time.
struct APIRateLimit: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let key: String? = request.accessToken.flatMap { $0.id.map { "token:\($0)" } }
            ?? request.currentSession?.id.map { "session:\($0)" }
        if let key, let retryAfter = request.application.syncboard.rateLimits.requests.hit(key, limit: request.application.syncboard.configuration.api.requestsPerMinute) {
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(retryAfter)],
                        reason: "Too many requests: at most \(request.application.syncboard.configuration.api.requestsPerMinute) a minute; try again in \(retryAfter) seconds.")
        }
        return try await next.respond(to: request)
    }
}
