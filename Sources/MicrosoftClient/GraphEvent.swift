import Foundation

/// Graph's `dateTimeTimeZone` (api-reference/v1.0/resources/datetimetimezone.md): a wall-clock reading and the
/// zone it is in (an IANA name, a Windows name, `UTC`, or `tzone://Microsoft/Custom`).
public struct GraphDateTimeTimeZone: Codable, Sendable, Equatable {
    public var dateTime: String
    public var timeZone: String?
    public init(dateTime: String, timeZone: String?) {
        self.dateTime = dateTime
        self.timeZone = timeZone
    }
}

/// An open extension on an event (api-reference/v1.0/resources/opentypeextension.md): its name and its string values.
public struct GraphOpenExtension: Decodable, Sendable, Equatable {
    public var id: String?
    public var extensionName: String?
    public var values: [String: String]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: String] = [:]
        for key in container.allKeys {
            if let text = try? container.decode(String.self, forKey: key) { values[key.stringValue] = text }
        }
        id = values["id"]
        extensionName = values["extensionName"]
        self.values = values
    }

    public init(extensionName: String, values: [String: String]) {
        self.extensionName = extensionName
        self.values = values
    }
}

/// An event resource of Graph v1.0 (api-reference/v1.0/resources/event.md), with the fields Syncboard reads; a
/// delta page's deleted entries carry only `id` and `@removed`.
public struct GraphEvent: Decodable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var contentType: String?
        public var content: String?
    }
    public struct Location: Codable, Sendable, Equatable { public var displayName: String? }
    public struct EmailAddress: Codable, Sendable, Equatable {
        public var name: String?
        public var address: String?
    }
    public struct ResponseStatus: Codable, Sendable, Equatable { public var response: String? }
    public struct Attendee: Codable, Sendable, Equatable {
        public var emailAddress: EmailAddress?
        public var type: String?
        public var status: ResponseStatus?
    }
    public struct OnlineMeeting: Codable, Sendable, Equatable { public var joinUrl: String? }
    public struct Removed: Codable, Sendable, Equatable { public var reason: String? }

    public var id: String
    /// `singleInstance`, `occurrence`, `exception` or `seriesMaster`.
    public var type: String?
    public var subject: String?
    public var body: Body?
    public var start: GraphDateTimeTimeZone?
    public var end: GraphDateTimeTimeZone?
    public var originalStartTimeZone: String?
    public var originalEndTimeZone: String?
    public var isAllDay: Bool?
    public var isCancelled: Bool?
    public var location: Location?
    public var attendees: [Attendee]?
    public var organizer: Attendee?
    public var isOrganizer: Bool?
    public var responseStatus: ResponseStatus?
    /// `free`, `tentative`, `busy`, `oof`, `workingElsewhere`, `unknown`.
    public var showAs: String?
    /// `normal`, `personal`, `private`, `confidential`.
    public var sensitivity: String?
    public var isReminderOn: Bool?
    public var reminderMinutesBeforeStart: Int?
    public var onlineMeeting: OnlineMeeting?
    public var webLink: String?
    public var iCalUId: String?
    public var seriesMasterId: String?
    public var originalStart: String?
    public var changeKey: String?
    public var lastModifiedDateTime: String?
    public var transactionId: String?
    public var extensions: [GraphOpenExtension]?
    public var removed: Removed?
    public var etag: String?

    enum CodingKeys: String, CodingKey {
        case id, type, subject, body, start, end, originalStartTimeZone, originalEndTimeZone, isAllDay, isCancelled, location, attendees
        case organizer, isOrganizer, responseStatus, showAs, sensitivity, isReminderOn, reminderMinutesBeforeStart, onlineMeeting, webLink
        case iCalUId, seriesMasterId, originalStart, changeKey, lastModifiedDateTime, transactionId, extensions
        case removed = "@removed", etag = "@odata.etag"
    }

    public init(id: String) { self.id = id }
}

/// What Syncboard writes to create or change an event: never attendees (a copy must invite no one).
public struct GraphEventWrite: Encodable, Sendable, Equatable {
    public struct Extension: Encodable, Sendable, Equatable {
        public var extensionName: String
        public var values: [String: String]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode("microsoft.graph.openTypeExtension", forKey: Key(stringValue: "@odata.type"))
            try container.encode(extensionName, forKey: Key(stringValue: "extensionName"))
            for key in values.keys.sorted() { try container.encode(values[key], forKey: Key(stringValue: key)) }
        }
    }

    public var subject: String?
    public var body: GraphEvent.Body?
    public var start: GraphDateTimeTimeZone?
    public var end: GraphDateTimeTimeZone?
    public var isAllDay: Bool?
    public var location: GraphEvent.Location?
    public var isReminderOn: Bool?
    public var reminderMinutesBeforeStart: Int?
    public var showAs: String?
    public var sensitivity: String?
    /// Copies ask for no responses and offer no new times: they are not meetings.
    public var responseRequested: Bool?
    public var allowNewTimeProposals: Bool?
    /// Only on create: Graph drops a retried POST with the same value (resources/event.md).
    public var transactionId: String?
    /// Only on create: the copy's metadata as an open extension.
    public var extensions: [Extension]?

    public init() {}
}
