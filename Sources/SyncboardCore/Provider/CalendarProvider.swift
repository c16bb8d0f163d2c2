import Foundation

/// One calendar as the engine reaches it: which service, the service's id for it, and the access to use.
public struct CalendarAccess: Sendable {
    public var provider: ProviderKind
    public var id: String
    public var accessToken: String
    /// The e-mail address of the account that reaches it (for the destination: InvitedDestination's address).
    public var accountEmail: String?
    /// Its name as a person sees it, for the run log (a Graph or feed id says nothing to anyone).
    public var name: String?

    public init(provider: ProviderKind = .google, id: String, accessToken: String, accountEmail: String? = nil) {
        self.provider = provider
        self.id = id
        self.accessToken = accessToken
        self.accountEmail = accountEmail
    }

    /// How the run log names it: “name” (id) when it has a name, else its id.
    public var logLabel: String { name.map { "“\($0)” (\(id))" } ?? id }

    /// The addresses an invitation to this calendar carries: its account's e-mail and its own id.
    public var addresses: [String] { [id] + (accountEmail.map { [$0] } ?? []) }
}

/// What a full listing asks for: the window, whether in start order, which of the service's event types (nil: its
/// default), and the calendar's CalendarSync hash (the metadata given to events that carry none).
public struct EventQuery: Sendable {
    public var start: Date
    public var end: Date
    public var ordered: Bool
    public var eventTypes: [String]?
    public var calendarHash: String

    public init(start: Date, end: Date, ordered: Bool, eventTypes: [String]?, calendarHash: String) {
        self.start = start
        self.end = end
        self.ordered = ordered
        self.eventTypes = eventTypes
        self.calendarHash = calendarHash
    }
}

/// Every event in a window, and the cursor an incremental listing continues from (nil when the service gave none).
public struct EventListing: Sendable {
    public var events: [SyncEvent]
    public var cursor: String?
    public init(events: [SyncEvent], cursor: String?) {
        self.events = events
        self.cursor = cursor
    }
}

/// What changed since a cursor: events changed or added, ids of events removed (deleted, cancelled, or gone from
/// the window), when each change was made by the service's clock, and the cursor to continue from.
public struct ChangeListing: Sendable {
    public var changed: [SyncEvent]
    public var removed: [String]
    public var changedAt: [String: Date]
    /// How many changes the service reported (some may not be usable events).
    public var count: Int
    public var nextCursor: String?

    public init(changed: [SyncEvent], removed: [String], changedAt: [String: Date], count: Int, nextCursor: String?) {
        self.changed = changed
        self.removed = removed
        self.changedAt = changedAt
        self.count = count
        self.nextCursor = nextCursor
    }
}

/// What the engine needs from a calendar service, as values (a live one per provider, test ones in tests): list,
/// list changes since a cursor, read one event, and, unless the calendars are read-only, write copies.
public struct CalendarProvider: Sendable {
    public typealias List = @Sendable (_ calendar: CalendarAccess, _ query: EventQuery) async throws(ProviderError) -> EventListing
    public typealias Changes = @Sendable (_ calendar: CalendarAccess, _ cursor: String, _ eventTypes: [String]?, _ calendarHash: String)
        async throws(ProviderError) -> ChangeListing
    /// The event as it is now, or nil when it was deleted (or cancelled).
    public typealias Fetch = @Sendable (_ calendar: CalendarAccess, _ id: String, _ calendarHash: String) async throws(ProviderError) -> SyncEvent?

    public struct Writes: Sendable {
        /// Creates the copy; answers its id.
        public var insert: @Sendable (_ calendar: CalendarAccess, _ copy: SyncEvent) async throws(ProviderError) -> String
        public var update: @Sendable (_ calendar: CalendarAccess, _ id: String, _ copy: SyncEvent) async throws(ProviderError) -> Void
        /// Deleting what is already gone is not an error.
        public var delete: @Sendable (_ calendar: CalendarAccess, _ id: String) async throws(ProviderError) -> Void

        public init(insert: @escaping @Sendable (CalendarAccess, SyncEvent) async throws(ProviderError) -> String,
                    update: @escaping @Sendable (CalendarAccess, String, SyncEvent) async throws(ProviderError) -> Void,
                    delete: @escaping @Sendable (CalendarAccess, String) async throws(ProviderError) -> Void) {
            self.insert = insert
            self.update = update
            self.delete = delete
        }
    }

    public var list: List
    public var changes: Changes
    public var fetch: Fetch
    /// nil for read-only calendars (published feeds).
    public var writes: Writes?

    public init(list: @escaping List, changes: @escaping Changes, fetch: @escaping Fetch, writes: Writes?) {
        self.list = list
        self.changes = changes
        self.fetch = fetch
        self.writes = writes
    }

    /// Each calendar to its own service's provider: a job may copy between services.
    public static func byService(_ providers: [ProviderKind: CalendarProvider]) -> CalendarProvider {
        @Sendable func provider(_ calendar: CalendarAccess) throws(ProviderError) -> CalendarProvider {
            guard let provider = providers[calendar.provider] else {
                throw ProviderError(.misconfigured, "\(calendar.provider.displayName) is not set up in this process")
            }
            return provider
        }
        let readOnly = ProviderError(.writeRefused, "this calendar is read-only")
        return CalendarProvider(
            list: { calendar, query throws(ProviderError) in try await provider(calendar).list(calendar, query) },
            changes: { calendar, cursor, types, hash throws(ProviderError) in try await provider(calendar).changes(calendar, cursor, types, hash) },
            fetch: { calendar, id, hash throws(ProviderError) in try await provider(calendar).fetch(calendar, id, hash) },
            writes: Writes(
                insert: { calendar, copy throws(ProviderError) in
                    guard let writes = try provider(calendar).writes else { throw readOnly }
                    return try await writes.insert(calendar, copy)
                },
                update: { calendar, id, copy throws(ProviderError) in
                    guard let writes = try provider(calendar).writes else { throw readOnly }
                    try await writes.update(calendar, id, copy)
                },
                delete: { calendar, id throws(ProviderError) in
                    guard let writes = try provider(calendar).writes else { throw readOnly }
                    try await writes.delete(calendar, id)
                }))
    }
}
