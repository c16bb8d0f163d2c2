/// The calendar services Syncboard reaches. Accounts and calendars carry theirs; stored as the raw value.
public enum ProviderKind: String, Codable, Sendable, CaseIterable {
    case google
    case microsoft
    /// A published iCalendar address: read-only, a source only.
    case icsFeed = "ics"

    /// The service's name as pages and messages say it.
    public var displayName: String {
        switch self {
        case .google: "Google"
        case .microsoft: "Microsoft 365"
        case .icsFeed: "Published calendar (ICS)"
        }
    }
}
