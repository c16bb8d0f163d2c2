import Vapor

/// `Authorization: Bearer sbp_…` on /api/v1: logs the token's user in for this request.
///
/// A bearer request never uses the session cookie (`SessionAuthenticator` skips it) and so needs no CSRF token.
/// A token that is unknown, malformed, expired or revoked is answered 401 with one message, whatever was wrong;
/// failed attempts are counted per client address, and an address past the limit is answered 429 for the rest of
/// the minute. A read-only token may only read (GET, HEAD): anything else is 403.
struct BearerTokenAuthenticator: AsyncMiddleware {
    let failedAttempts: RateLimiter

    static let refusal = "The bearer token was not accepted."

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let presented = request.presentedBearerToken else { return try await next.respond(to: request) }
        let limit = request.application.syncboard.configuration.api.failedTokenAttemptsPerMinute
        let address = "address:" + (request.remoteAddress?.ipAddress ?? "unknown")
        if let retryAfter = failedAttempts.blocked(address, limit: limit) {
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(retryAfter)],
                        reason: "Too many failed token attempts from this address; try again in \(retryAfter) seconds.")
        }
        guard let token = try await PersonalAccessTokens(db: request.db).authenticate(presented) else {
            _ = failedAttempts.hit(address, limit: limit)
            throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: Self.refusal)
        }
        request.auth.login(token.user)
        request.accessToken = token
        request.logger[metadataKey: "user_id"] = .string(token.$user.id.uuidString)
        if token.scope == .readOnly, ![.GET, .HEAD].contains(request.method) {
            throw Abort(.forbidden, reason: "This token is read-only: create a read-write token to change things.")
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    private struct AccessTokenKey: StorageKey { typealias Value = PersonalAccessToken }

    /// The personal access token this request authenticated with, if any.
    var accessToken: PersonalAccessToken? {
        get { storage[AccessTokenKey.self] }
        set { storage[AccessTokenKey.self] = newValue }
    }

    /// The credentials of an `Authorization: Bearer …` header (any case of the scheme), when there is one.
    var presentedBearerToken: String? {
        guard let header = headers.first(name: .authorization) else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}
