import Vapor

/// Cross-site request forgery protection for every state-changing request (POST, PUT, PATCH, DELETE).
///
/// Two checks: the request's Origin (or Referer), when the browser sends one, must be Syncboard's own; and a
/// signed-in request must carry the session's token, in the form field `_csrf` (HTML forms, no JavaScript
/// needed) or the `X-CSRF-Token` header (the JSON API). SameSite=Lax cookies are a third line, not the only one.
struct CSRFProtection: AsyncMiddleware {
    static let formField = "_csrf"
    static let header = "X-CSRF-Token"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(request.method) else {
            return try await next.respond(to: request)
        }
        let base = request.application.syncboard.configuration.baseURL
        if let origin = request.headers.first(name: .origin) ?? request.headers.first(name: .referer).flatMap(Self.origin(ofURL:)),
           origin != "null", origin != Self.origin(of: base) {
            throw Abort(.forbidden, reason: "This request came from another site (\(origin)) and was refused.")
        }
        if let session = request.currentSession {
            let sent = request.headers.first(name: Self.header) ?? (try? request.content.get(String.self, at: Self.formField))
            guard let sent, SecureRandom.constantTimeEquals(sent, session.csrfToken) else {
                throw Abort(.forbidden, reason: "The form's security token is missing or out of date. Reload the page and try again.")
            }
        }
        return try await next.respond(to: request)
    }

    static func origin(of url: URL) -> String {
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(url.scheme ?? "http")://\(url.host ?? "")\(port)"
    }

    static func origin(ofURL string: String) -> String? { URL(string: string).map(origin(of:)) }
}
