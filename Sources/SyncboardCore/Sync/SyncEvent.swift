import Foundation

/// An event as CalendarSync's sync logic sees it (its `models.Event`): the fields it copies and compares, with
/// times as instants and reminders as points in time. Both engines' semantics are defined on this model.
public struct SyncEvent: Sendable, Equatable {
    public struct Attendee: Sendable, Equatable, Comparable {
        public var email: String
        public var displayName: String
        public init(email: String, displayName: String = "") {
            self.email = email
            self.displayName = displayName
        }
        public static func < (a: Attendee, b: Attendee) -> Bool { a.email < b.email }
    }

    /// The event's id in its own calendar (Google's event id).
    public var id: String
    public var iCalUID: String
    public var title: String
    public var description: String
    public var location: String
    public var start: Date
    public var end: Date
    public var allDay: Bool
    public var metadata: SyncMetadata
    public var attendees: [Attendee]
    /// Popup reminders, as the instants they fire.
    public var reminders: [Date]
    public var meetingLink: String
    /// False when the calendar's owner declined it.
    public var accepted: Bool
    /// Google's eventType (default, outOfOffice, focusTime, workingLocation, fromGmail, birthday). Never copied.
    public var eventType: String
    /// Free (Google's transparency "transparent"): true, busy: false; nil when not said (busy). On a copy, nil
    /// means no rule manages it: the sink keeps whatever it has, as with CalendarSync.
    public var transparent: Bool?
    /// Google's visibility ("default", "private", …); on a copy, nil when no rule manages it.
    public var visibility: String?
    /// Google's colorId ("1" to "11"); on a copy, nil when no rule manages it.
    public var colorID: String?
    /// The version of the event as it was read (Google's etag), nil when not read. Not part of `isSame` nor of
    /// `comparableContent`, never copied: an overwrite of a copy sends it as If-Match, so a copy changed in the
    /// destination since the engine read it is not overwritten.
    public var etag: String? = nil

    public init(id: String, iCalUID: String = "", title: String = "", description: String = "", location: String = "",
                start: Date, end: Date, allDay: Bool = false, metadata: SyncMetadata, attendees: [Attendee] = [],
                reminders: [Date] = [], meetingLink: String = "", accepted: Bool = true, eventType: String = "default",
                transparent: Bool? = nil, visibility: String? = nil, colorID: String? = nil) {
        self.id = id
        self.iCalUID = iCalUID
        self.title = title
        self.description = description
        self.location = location
        self.start = start
        self.end = end
        self.allDay = allDay
        self.metadata = metadata
        self.attendees = attendees
        self.reminders = reminders
        self.meetingLink = meetingLink
        self.accepted = accepted
        self.eventType = eventType
        self.transparent = transparent
        self.visibility = visibility
        self.colorID = colorID
    }

    /// The copy a sync starts from before transformers run: only time, and "CalendarSync Event" as the title.
    public func syncSeed() -> SyncEvent {
        SyncEvent(id: id, iCalUID: iCalUID, title: "CalendarSync Event", start: start, end: end, allDay: allDay, metadata: metadata)
    }

    /// CalendarSync's `IsSameEvent`: what decides whether a copy must be rewritten.
    public func isSame(as other: SyncEvent) -> Bool {
        guard title == other.title, description == other.description, allDay == other.allDay else { return false }
        if allDay {
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            let day = { (date: Date) in utc.dateComponents([.year, .day], from: date).year! * 1000 + utc.ordinality(of: .day, in: .year, for: date)! }
            guard day(start) == day(other.start), day(end) == day(other.end) else { return false }
        } else {
            guard start == other.start, end == other.end else { return false }
        }
        guard location == other.location else { return false }
        if reminders.count != other.reminders.count {
            // CalendarSync tolerates a single reminder on the copy when the original has none.
            guard reminders.isEmpty, other.reminders.count == 1 else { return false }
        } else if reminders.sorted() != other.reminders.sorted() {
            return false
        }
        guard attendees.sorted() == other.attendees.sorted() else { return false }
        return managedFieldsMatch(other)
    }

    /// The built-in engine's rules for busy/free, visibility and colour: compared only where this copy (the one the
    /// rules want) sets them, so a job without those rules treats copies exactly as CalendarSync does.
    func managedFieldsMatch(_ other: SyncEvent) -> Bool {
        if let transparent, transparent != (other.transparent ?? false) { return false }
        if let visibility, visibility != (other.visibility ?? "default") { return false }
        if let colorID, colorID != (other.colorID ?? "") { return false }
        return true
    }

    /// CalendarSync's `Overwrite`: the copy in the sink takes the new content and keeps its own id.
    public func overwritten(with source: SyncEvent) -> SyncEvent {
        var copy = self
        copy.title = source.title
        copy.description = source.description
        copy.start = source.start
        copy.end = source.end
        copy.allDay = source.allDay
        copy.metadata = source.metadata
        copy.attendees = source.attendees
        copy.location = source.location
        copy.reminders = source.reminders
        copy.meetingLink = source.meetingLink
        copy.transparent = source.transparent ?? copy.transparent
        copy.visibility = source.visibility ?? copy.visibility
        copy.colorID = source.colorID ?? copy.colorID
        return copy
    }
}

/// The three private extended properties CalendarSync writes on every copy.
public struct SyncMetadata: Sendable, Equatable {
    /// FNV-1 64 of the original event's id, in decimal (`inovex.calendarsync.EventID`).
    public var syncID: String
    /// The original event's htmlLink.
    public var originalEventURI: String
    /// base64url (padded) SHA-1 of the calendar the original lives in.
    public var sourceID: String

    public static let prefix = "inovex.calendarsync."
    public static let eventIDKey = "EventID"
    public static let originalEventURIKey = "OriginalEventUri"
    public static let sourceIDKey = "SourceID"

    public init(syncID: String, originalEventURI: String, sourceID: String) {
        self.syncID = syncID
        self.originalEventURI = originalEventURI
        self.sourceID = sourceID
    }

    /// Metadata for an event that is not a copy: derived from its own id, link and calendar.
    public init(originalEventID: String, htmlLink: String, calendarHash: String) {
        self.init(syncID: String(Self.fnv1(originalEventID)), originalEventURI: htmlLink, sourceID: calendarHash)
    }

    /// Read from private extended properties, prefixed keys first, then unprefixed; nil when a key is missing.
    public init?(properties: [String: String]) {
        for prefix in [Self.prefix, ""] {
            if let id = properties[prefix + Self.eventIDKey], let uri = properties[prefix + Self.originalEventURIKey],
               let source = properties[prefix + Self.sourceIDKey] {
                self.init(syncID: id, originalEventURI: uri, sourceID: source.trimmingCharacters(in: CharacterSet(charactersIn: "\"\\")))
                return
            }
        }
        return nil
    }

    /// The properties as CalendarSync writes them (always prefixed).
    public var properties: [String: String] {
        [Self.prefix + Self.eventIDKey: syncID, Self.prefix + Self.originalEventURIKey: originalEventURI, Self.prefix + Self.sourceIDKey: sourceID]
    }

    /// 64-bit FNV-1 (multiply, then xor), as Go's hash/fnv New64.
    public static func fnv1(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = hash &* 0x0000_0100_0000_01b3
            hash ^= UInt64(byte)
        }
        return hash
    }
}
