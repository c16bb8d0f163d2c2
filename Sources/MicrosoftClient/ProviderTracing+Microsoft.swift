import ProviderHTTP

extension ProviderTracing {
    /// Spans for calls to Microsoft (`microsoft.graph GET me/calendars/{id}/calendarView/delta`, `microsoft.oauth POST
    /// token`): the words of Graph's calendar paths that name a resource type; every other segment is an id.
    static let microsoft = ProviderTracing(provider: "microsoft", resourceWords: [
        "me", "calendars", "calendar", "events", "calendarView", "delta", "instances", "extensions", "subscriptions", "users",
    ])
}
