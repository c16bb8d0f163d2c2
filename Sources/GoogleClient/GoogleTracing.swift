import Tracing

/// A client span per call to Google (`google.calendar GET calendars/{id}/events`, `google.oauth POST token`),
/// nested in whatever span is current (a run's). Names and attributes carry the method, the path's shape with ids
/// replaced by `{id}`, the status and the attempt: never a token, a calendar or event id, or anything of an event.
enum GoogleTracing {
    /// Path segments that name a resource type; every other segment is an id.
    static let resourceWords: Set<String> = ["calendars", "events", "users", "me", "calendarList", "watch", "instances",
                                             "import", "move", "quickAdd", "channels", "stop", "colors", "settings", "acl"]

    static func shape(_ path: [String]) -> String {
        path.map { resourceWords.contains($0) ? $0 : "{id}" }.joined(separator: "/")
    }

    static func start(_ service: String, method: String, shape: String) -> any Span {
        let span = startSpan("google.\(service) \(method) \(shape)", ofKind: .client)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            attributes["google.api"] = service
            attributes["google.operation"] = shape
        }
        return span
    }

    static func finish(_ span: any Span, status: Int?, attempt: Int? = nil, failed: Bool) {
        if let status { span.attributes["http.response.status_code"] = status }
        if let attempt { span.attributes["google.attempts"] = attempt }
        if failed { span.setStatus(.init(code: .error)) }
        span.end()
    }
}
