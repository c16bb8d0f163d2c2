import Fluent
import Foundation
import Vapor

/// Server-side sessions: the browser holds a random token in an HttpOnly cookie; the database holds its digest.
struct SessionStore {
    static let cookieName = "syncboard_session"

    let db: any Database
    let configuration: AppConfiguration

    /// Starts a session for `user`: always a new id (rotation at sign-in), the previous one, if any, is ended.
    func start(for user: User, replacing previousToken: String?, userAgent: String?) async throws -> (token: String, session: UserSession) {
        if let previousToken { try await end(token: previousToken) }
        let token = SecureRandom.token()
        let now = Date()
        let session = UserSession(
            digest: SecureRandom.digest(token), userID: try user.requireID(), csrfToken: SecureRandom.token(),
            now: now, expiresAt: now.addingTimeInterval(configuration.sessionLifetime), userAgent: userAgent)
        try await session.create(on: db)
        return (token, session)
    }

    /// The live session for a cookie token, or nil (unknown, idle too long, or past its absolute expiry; expired
    /// sessions are deleted when met).
    func resume(token: String, now: Date = Date()) async throws -> UserSession? {
        guard let session = try await UserSession.query(on: db)
            .filter(\.$id == SecureRandom.digest(token)).with(\.$user).first()
        else { return nil }
        let idleDeadline = session.lastSeenAt.addingTimeInterval(configuration.sessionIdleTimeout)
        guard now < session.expiresAt, now < idleDeadline else {
            try await session.delete(on: db)
            return nil
        }
        // Touch at most once a minute: a page load should not always cost a write.
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = now
            try await session.save(on: db)
        }
        return session
    }

    func end(token: String) async throws {
        try await UserSession.query(on: db).filter(\.$id == SecureRandom.digest(token)).delete()
    }

    /// The session cookie: HttpOnly, SameSite=Lax, Secure when the public URL is https.
    func cookie(token: String) -> HTTPCookies.Value { Self.cookie(token: token, configuration: configuration) }

    static func cookie(token: String, configuration: AppConfiguration) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: token, expires: Date().addingTimeInterval(configuration.sessionLifetime),
            path: "/", isSecure: configuration.baseURL.scheme == "https", isHTTPOnly: true, sameSite: .lax)
    }

    func expiredCookie() -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                          isSecure: configuration.baseURL.scheme == "https", isHTTPOnly: true, sameSite: .lax)
    }
}
