import Foundation

/// An event resource of the Calendar API v3, with the fields Syncboard reads and writes (nil fields are left out
/// of requests, as Google's client libraries do).
public struct CalendarEvent: Codable, Sendable, Equatable {
    public struct EventTime: Codable, Sendable, Equatable {
        public var date: String?
        public var dateTime: String?
        public var timeZone: String?
        public init(date: String? = nil, dateTime: String? = nil, timeZone: String? = nil) {
            self.date = date
            self.dateTime = dateTime
            self.timeZone = timeZone
        }
    }

    public struct Attendee: Codable, Sendable, Equatable {
        public var email: String?
        public var displayName: String?
        public var responseStatus: String?
        public var `self`: Bool?
        public init(email: String?, displayName: String? = nil, responseStatus: String? = nil) {
            self.email = email
            self.displayName = displayName
            self.responseStatus = responseStatus
        }
    }

    public struct Reminders: Codable, Sendable, Equatable {
        public struct Override: Codable, Sendable, Equatable {
            public var method: String
            public var minutes: Int
            public init(method: String, minutes: Int) {
                self.method = method
                self.minutes = minutes
            }
        }
        public var useDefault: Bool?
        public var overrides: [Override]?
        public init(useDefault: Bool?, overrides: [Override]?) {
            self.useDefault = useDefault
            self.overrides = overrides
        }
    }

    public struct ExtendedProperties: Codable, Sendable, Equatable {
        public var `private`: [String: String]?
        public var shared: [String: String]?
        public init(private: [String: String]?, shared: [String: String]? = nil) {
            self.private = `private`
            self.shared = shared
        }
    }

    public var id: String?
    /// The version Google gives each write (read-only; sent back as If-Match, never in a body it writes).
    public var etag: String?
    public var status: String?
    public var summary: String?
    public var description: String?
    public var location: String?
    public var start: EventTime?
    public var end: EventTime?
    public var attendees: [Attendee]?
    public var reminders: Reminders?
    public var extendedProperties: ExtendedProperties?
    public var htmlLink: String?
    public var hangoutLink: String?
    public var iCalUID: String?
    public var eventType: String?
    public var recurringEventId: String?
    /// "opaque" (busy, Google's default, often left out) or "transparent" (free).
    public var transparency: String?
    /// "default", "public", "private" or "confidential".
    public var visibility: String?
    /// One of Google's event colours, "1" to "11".
    public var colorId: String?
    /// When the event last changed (RFC 3339, set by Google; read-only): the start of its propagation latency.
    public var updated: String?

    public init(id: String? = nil, summary: String? = nil, description: String? = nil, location: String? = nil, start: EventTime?, end: EventTime?,
                attendees: [Attendee]? = nil, reminders: Reminders? = nil, extendedProperties: ExtendedProperties? = nil) {
        self.id = id
        self.summary = summary
        self.description = description
        self.location = location
        self.start = start
        self.end = end
        self.attendees = attendees
        self.reminders = reminders
        self.extendedProperties = extendedProperties
    }
}
