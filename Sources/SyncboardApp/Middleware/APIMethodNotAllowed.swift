import Vapor

/// Under /api/v1, a method a path does not have is 405 with `Allow` (the router alone would say 404, as if the
/// path did not exist).
struct APIMethodNotAllowed: AsyncMiddleware {
    /// The API's routes as (path components, method), read once the routes are registered.
    let routes: @Sendable () -> [([PathComponent], HTTPMethod)]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let abort as any AbortError where abort.status == .notFound && request.route == nil && request.url.path.hasPrefix("/api/v1/") {
            let segments = request.url.path.split(separator: "/").map(String.init)
            let allowed = Set(routes().filter { path, _ in Self.matches(path, segments) }.map(\.1.rawValue))
            guard !allowed.isEmpty else { throw abort }
            let list = allowed.sorted().joined(separator: ", ")
            throw Abort(.methodNotAllowed, headers: ["Allow": list], reason: "\(request.method.rawValue) is not allowed here; this path takes \(list).")
        }
    }

    static func matches(_ pattern: [PathComponent], _ segments: [String]) -> Bool {
        guard pattern.count == segments.count else { return false }
        return zip(pattern, segments).allSatisfy { component, segment in
            switch component {
            case .constant(let value): return value == segment
            case .parameter: return true
            default: return false
            }
        }
    }
}
