import ProviderHTTP

extension ProviderTracing {
    /// Spans for calls to Google (`google.calendar GET calendars/{id}/events`, `google.oauth POST token`): the words
    /// of Calendar API v3 paths that name a resource type; every other segment is an id.
    static let google = ProviderTracing(provider: "google", resourceWords: [
        "calendars", "events", "users", "me", "calendarList", "watch", "instances", "import", "move", "quickAdd", "channels",
        "stop", "colors", "settings", "acl",
    ])
}
