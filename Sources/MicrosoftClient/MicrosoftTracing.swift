import Tracing

/// A client span per call to Microsoft (`microsoft.graph GET me/calendars/{id}/calendarView/delta`,
/// `microsoft.oauth POST token`): method, the path's shape with ids replaced by `{id}`, status and attempt; never a
/// token, an id, a delta link or anything of an event.
enum MicrosoftTracing {
    static let resourceWords: Set<String> = ["me", "calendars", "calendar", "events", "calendarView", "delta", "instances", "extensions",
                                             "subscriptions", "users"]

    static func shape(_ path: [String]) -> String {
        path.map { resourceWords.contains($0) ? $0 : "{id}" }.joined(separator: "/")
    }

    static func start(_ service: String, method: String, shape: String) -> any Span {
        let span = startSpan("microsoft.\(service) \(method) \(shape)", ofKind: .client)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            attributes["microsoft.api"] = service
            attributes["microsoft.operation"] = shape
        }
        return span
    }

    static func finish(_ span: any Span, status: Int?, attempt: Int? = nil, failed: Bool) {
        if let status { span.attributes["http.response.status_code"] = status }
        if let attempt { span.attributes["microsoft.attempts"] = attempt }
        if failed { span.setStatus(.init(code: .error)) }
        span.end()
    }
}
