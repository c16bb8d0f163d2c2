import Tracing

/// A client span per call to a provider (`google.calendar GET calendars/{id}/events`, `microsoft.oauth POST token`),
/// nested in whatever span is current (a run's). Names and attributes carry the method, the path's shape with ids
/// replaced by `{id}`, the status and the attempt: never a token, a calendar or event id, a delta link or anything
/// of an event. Each provider client has one, named for its provider with the path words of its API.
public struct ProviderTracing: Sendable {
    /// The provider's name in span names and attribute keys (`google`, `microsoft`).
    public let provider: String
    /// Path segments that name a resource type; every other segment is an id.
    public let resourceWords: Set<String>

    public init(provider: String, resourceWords: Set<String>) {
        self.provider = provider
        self.resourceWords = resourceWords
    }

    public func shape(_ path: [String]) -> String {
        path.map { resourceWords.contains($0) ? $0 : "{id}" }.joined(separator: "/")
    }

    public func start(_ service: String, method: String, shape: String) -> any Span {
        let span = startSpan("\(provider).\(service) \(method) \(shape)", ofKind: .client)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            attributes["\(provider).api"] = service
            attributes["\(provider).operation"] = shape
        }
        return span
    }

    public func finish(_ span: any Span, status: Int?, attempt: Int? = nil, failed: Bool) {
        if let status { span.attributes["http.response.status_code"] = status }
        if let attempt { span.attributes["\(provider).attempts"] = attempt }
        if failed { span.setStatus(.init(code: .error)) }
        span.end()
    }
}
