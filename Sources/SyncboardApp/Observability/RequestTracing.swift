import Tracing
import Vapor

/// A span per HTTP request (Vapor's TracingMiddleware, named by route pattern), carrying the request id that the
/// request's log lines carry. The raw path and query are left out: they can hold an OAuth code, a state or a
/// signed link; the route pattern (`http.route`) says which endpoint it was.
enum RequestTracing {
    static func middleware() -> TracingMiddleware {
        TracingMiddleware { attributes, request in
            attributes["url.path"] = nil
            attributes["url.query"] = nil
            attributes["syncboard.request_id"] = request.id
        }
    }
}
