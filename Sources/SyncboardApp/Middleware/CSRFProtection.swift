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
            var sent = request.headers.first(name: Self.header)
            if sent == nil {
                // Middleware runs before the route collects its body: a form whose body arrives in more than one
                // read (chunked, a slow link, a proxy) would still be streaming and its `_csrf` field unseen.
                try await Self.collectFormBody(of: request)
                sent = try? request.content.get(String.self, at: Self.formField)
            }
            guard let sent, SecureRandom.constantTimeEquals(sent, session.csrfToken) else {
                throw Abort(.forbidden, reason: "The form's security token is missing or out of date. Reload the page and try again.")
            }
        }
        return try await next.respond(to: request)
    }

    /// Collects a streaming form body (URL-encoded or multipart: where a `_csrf` field can be), bounded by the
    /// application's body limit as the route would bound it, so a body too large is a 413 here as it would be there.
    /// The collected body is what the route then reads. Other bodies are left to stream: JSON sends the header.
    static func collectFormBody(of request: Request) async throws {
        guard request.body.data == nil, let type = request.headers.contentType,
              type == .urlEncodedForm || type == .formData else { return }
        let limit = request.application.routes.defaultMaxBodySize.value
        _ = try await request.eventLoop.flatSubmit { request.body.collect(max: limit) }.get()
    }

    static func origin(of url: URL) -> String {
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(url.scheme ?? "http")://\(url.host ?? "")\(port)"
    }

    static func origin(ofURL string: String) -> String? { URL(string: string).map(origin(of:)) }
}
