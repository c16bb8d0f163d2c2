import Vapor

/// Resumes the session named by the cookie, if any, and logs its user in for this request. A request that presents
/// a bearer token is never a session's: its cookie is not read (see `BearerTokenAuthenticator`).
struct SessionAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.presentedBearerToken == nil, let token = request.cookies[SessionStore.cookieName]?.string, !token.isEmpty,
           let session = try await request.sessionStore.resume(token: token) {
            request.currentSession = session
            request.auth.login(session.user)
            request.logger[metadataKey: "user_id"] = .string(session.$user.id.uuidString)
        }
        return try await next.respond(to: request)
    }
}

/// Lets only signed-in users through. Pages redirect to sign-in; the JSON API answers 401 with a JSON body.
struct RequireSignedIn: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.auth.has(User.self) else {
            if request.isAPI {
                // A 401 must name a scheme the client can use (RFC 9110 §15.5.2), as a refused token's does.
                throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: "Sign in first: this endpoint needs a Syncboard session or a personal access token (Authorization: Bearer).")
            }
            let next = request.url.path + (request.url.query.map { "?\($0)" } ?? "")
            return request.redirect(to: "/signin?next=\(next.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "/")")
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    private struct CurrentSessionKey: StorageKey { typealias Value = UserSession }

    /// The session this request belongs to, when signed in.
    var currentSession: UserSession? {
        get { storage[CurrentSessionKey.self] }
        set { storage[CurrentSessionKey.self] = newValue }
    }

    var sessionStore: SessionStore { SessionStore(db: db, configuration: application.syncboard.configuration) }

    /// The JSON API lives under /api; everything else is HTML.
    var isAPI: Bool { url.path.hasPrefix("/api/") || url.path == "/api" }

    /// The signed-in user (only call behind `RequireSignedIn`).
    func requireUser() throws -> User { try auth.require(User.self) }
}

extension CharacterSet {
    static let urlQueryValueAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#")
        return set
    }()
}
