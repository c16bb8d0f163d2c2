import Vapor

/// `Authorization: Bearer sbp_…` on /api/v1: logs the token's user in for this request.
///
/// A bearer request never uses the session cookie (`SessionAuthenticator` skips it) and so needs no CSRF token.
/// A token that is unknown, malformed, expired or revoked is answered 401 with one message, whatever was wrong;
/// failed attempts are counted per client address (`Request.clientAddress`), and past the limit that address's
/// failed attempts are answered 429 for the rest of the minute. A token is always looked at first, so an accepted
/// one is never refused for others' failures (behind a proxy or NAT many scripts share one address): it answers to
/// the per-token limit (`APIRateLimit`) alone. Looking first costs a throttled attacker one indexed query by digest
/// per attempt (malformed tokens none), no more than any request with a token costs.
/// A read-only token may only read (GET, HEAD): anything else is 403.
struct BearerTokenAuthenticator: AsyncMiddleware {
    static let refusal = "The bearer token was not accepted."

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let presented = request.presentedBearerToken else { return try await next.respond(to: request) }
        guard let token = try await PersonalAccessTokens(db: request.db).authenticate(presented) else {
            let limit = request.application.syncboard.configuration.api.failedTokenAttemptsPerMinute
            if let retryAfter = request.application.syncboard.rateLimits.failedTokens.hit("address:" + request.clientAddressText, limit: limit) {
                throw Abort(.tooManyRequests, headers: ["Retry-After": String(retryAfter)],
                            reason: "Too many failed token attempts from this address; try again in \(retryAfter) seconds.")
            }
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
