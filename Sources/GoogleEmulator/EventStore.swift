import Crypto
import Foundation
import Recurrence

/// One stored event: the resource as Google returns it, and the change number of its last write. A recurring
/// series also holds its exceptions (occurrences changed or cancelled one by one, each a resource of its own with
/// `recurringEventId` and `originalStartTime`, as the "Recurring events" guide describes) and the instances a
/// change of its rule or times removed, so that incremental sync can report those as cancelled.
struct StoredEvent: Sendable {
    var resource: JSONValue
    var change: Int
    /// Instance id → the exception stored for that occurrence.
    var exceptions: [String: StoredEvent] = [:]
    /// Instance id → the original start of an instance the series no longer has, and the change that removed it.
    var vanished: [String: (originalStartTime: JSONValue, change: Int)] = [:]

    var id: String { resource["id"]?.string ?? "" }
    var isCancelled: Bool { resource["status"]?.string == "cancelled" }
    var isRecurring: Bool { !(resource["recurrence"]?.array ?? []).isEmpty }
    var etag: String? { resource["etag"]?.string }
}

/// What an events.list request asks for (the query parameters the emulator honours).
struct EventQuery: Sendable {
    var timeMin: Date?
    var timeMax: Date?
    var singleEvents = false
    var orderByStartTime = false
    var orderByUpdated = false
    var showDeleted = false
    var privateProperties: [(String, String)] = []
    var sharedProperties: [(String, String)] = []
    var eventTypes: [String] = []
    var syncToken: String?
    var updatedMin: Date?
    var q: String?
    var iCalUID: String?
    /// The `timeZone` parameter: times in the answer are rendered in it.
    var timeZone: TimeZone?
}

/// Why an events call failed, mapped to Google's status, reason and message by the routes.
enum EventFailure: Error, Equatable {
    case notFound
    case deleted
    case duplicate
    case invalid(String)
    case required(String)
    /// A 400 with a reason of its own (timeRangeEmpty, cannotUseDefaultRemindersAndSpecifyOverride, …).
    case refused(reason: String, message: String)
    case fullSyncRequired
    /// `If-Match` named an etag that is no longer the resource's (412).
    case conditionNotMet
}

extension EmulatorState {
    // MARK: - Reading

    func calendar(id: String) -> Calendar? { calendars.first { $0.id == id } }

    /// Every event of a calendar as stored (recurring events unexpanded, each followed by its exceptions; cancelled
    /// ones included), in creation order.
    public func storedEvents(calendarID: String) -> [JSONValue] {
        (eventOrder[calendarID] ?? []).compactMap { events[calendarID]?[$0] }.flatMap { stored in
            [stored.resource] + stored.exceptions.values.sorted { $0.id < $1.id }.map(\.resource)
        }
    }

    /// An event or an instance of a recurring one (its exception, or the unmodified occurrence), as events.get answers.
    public func event(calendarID: String, eventID: String) -> JSONValue? { lookup(calendarID: calendarID, eventID: eventID)?.resource }

    /// Where an id leads: a stored event, or an occurrence of a stored series (with its exception if it has one).
    enum Found {
        case event(StoredEvent)
        case instance(series: StoredEvent, shape: Series, start: OccurrenceStart, exception: StoredEvent?)

        var resource: JSONValue {
            switch self {
            case .event(let stored): return stored.resource
            case .instance(let series, let shape, let start, let exception):
                if let exception { return exception.resource }
                guard series.isCancelled else {
                    return shape.instance(Occurrence(start: start, wallClock: LocalDateTime(year: 1970, month: 1, day: 1), instant: Self.instant(start, shape)))
                }
                return Series.cancelledInstance(id: shape.instanceID(start), seriesID: shape.id, originalStartTime: shape.startValue(start),
                                                etag: series.resource["etag"], updated: series.resource["updated"], eventType: series.resource["eventType"])
            }
        }

        var etag: String? { resource["etag"]?.string }

        static func instant(_ start: OccurrenceStart, _ shape: Series) -> Date {
            switch start {
            case .timed(let instant): instant
            case .allDay(let date): LocalDateTime(date).instant(in: shape.set.allDayTimeZone)
            }
        }
    }

    func lookup(calendarID: String, eventID: String) -> Found? {
        if let stored = events[calendarID]?[eventID] { return .event(stored) }
        guard let occurrence = OccurrenceID(googleInstanceID: eventID), let series = events[calendarID]?[occurrence.seriesID],
              let shape = Series(series.resource, calendarZone: timeZone(of: calendarID)) else { return nil }
        let exception = series.exceptions[eventID]
        guard exception != nil || shape.contains(occurrence.originalStart) else { return nil }
        return .instance(series: series, shape: shape, start: occurrence.originalStart, exception: exception)
    }

    // MARK: - Writing

    /// events.insert: Google fills id (unless a valid one is given), iCalUID, htmlLink, etag, created, updated,
    /// creator, organizer, status, sequence, reminders, eventType.
    func insertEvent(calendarID: String, body: JSONValue, by email: String) throws(EventFailure) -> JSONValue {
        guard case .object = body else { throw .invalid("Invalid value for the event body.") }
        try Self.validate(body, previous: nil)
        var event = body
        let id: String
        if let requested = body["id"]?.string {
            guard Self.isValidEventID(requested) else { throw .invalid("Invalid resource id value.") }
            guard events[calendarID]?[requested] == nil else { throw .duplicate }
            id = requested
        } else {
            id = Self.newEventID()
        }
        let now = Self.formatTime(Date())
        event["kind"] = "calendar#event"
        event["id"] = .string(id)
        event["status"] = body["status"] ?? "confirmed"
        event["iCalUID"] = body["iCalUID"] ?? .string("\(id)@google.com")
        event["htmlLink"] = .string(Self.htmlLink(eventID: id, calendarID: calendarID))
        event["created"] = .string(now)
        event["updated"] = .string(now)
        event["sequence"] = body["sequence"] ?? 0
        event["creator"] = ["email": .string(email), "self": true]
        event["organizer"] = body["organizer"] ?? ["email": .string(calendarID), "displayName": .string(self.calendar(id: calendarID)?.summary ?? calendarID), "self": .bool(calendarID == email)]
        event["reminders"] = body["reminders"] ?? ["useDefault": true]
        event["eventType"] = body["eventType"] ?? "default"
        event = Self.markSelf(event, email: email)
        return store(event, calendarID: calendarID, id: id)
    }

    /// events.update (full replacement of the writable fields) or events.patch (merge), of an event or of one
    /// instance of a recurring event (which makes or changes that occurrence's exception). `ifMatch`: the etag the
    /// client read ("Event versions/ETags"; a stale one is 412 and nothing is written).
    func updateEvent(calendarID: String, eventID: String, body: JSONValue, patch: Bool, by email: String,
                     ifMatch: String? = nil) throws(EventFailure) -> JSONValue {
        guard let found = lookup(calendarID: calendarID, eventID: eventID) else { throw .notFound }
        guard case .object = body else { throw .invalid("Invalid value for the event body.") }
        try Self.check(ifMatch, against: found.etag)
        let existing = found.resource
        var event: JSONValue
        if patch {
            event = existing.merging(body)
        } else {
            event = body
            for kept in ["kind", "id", "iCalUID", "htmlLink", "created", "creator", "organizer", "eventType", "recurringEventId", "originalStartTime"]
                where body[kept] == nil {
                event[kept] = existing[kept]
            }
            event["reminders"] = body["reminders"] ?? ["useDefault": true]
            event["status"] = body["status"] ?? "confirmed"
        }
        event["id"] = .string(eventID)
        try Self.validate(event, previous: existing)
        let timesChanged = event["start"] != existing["start"] || event["end"] != existing["end"]
        let sequence: Double = if case .number(let n)? = existing["sequence"] { n } else { 0 }
        event["sequence"] = .number(sequence + (timesChanged ? 1 : 0))
        event["updated"] = .string(Self.formatTime(Date()))
        event = Self.markSelf(event, email: email)
        switch found {
        case .event(let stored):
            noteVanishedInstances(calendarID: calendarID, before: stored, after: event)
            return store(event, calendarID: calendarID, id: eventID)
        case .instance(let series, _, _, _):
            guard !series.isCancelled else { throw .deleted }
            // An exception keeps the identity of its occurrence; it is not a series of its own.
            event["recurringEventId"] = existing["recurringEventId"]
            event["originalStartTime"] = existing["originalStartTime"]
            event["recurrence"] = nil
            return storeException(event, calendarID: calendarID, seriesID: series.id, id: eventID)
        }
    }

    /// events.delete: the event stays as cancelled (incremental syncs report it); a second delete answers 410.
    /// Deleting one instance of a recurring event makes a cancelled exception for that occurrence.
    func deleteEvent(calendarID: String, eventID: String, ifMatch: String? = nil) throws(EventFailure) {
        guard let found = lookup(calendarID: calendarID, eventID: eventID) else { throw .notFound }
        try Self.check(ifMatch, against: found.etag)
        var resource = found.resource
        guard resource["status"]?.string != "cancelled" else { throw .deleted }
        resource["status"] = "cancelled"
        resource["updated"] = .string(Self.formatTime(Date()))
        switch found {
        case .event: _ = store(resource, calendarID: calendarID, id: eventID)
        case .instance(let series, _, _, _): _ = storeException(resource, calendarID: calendarID, seriesID: series.id, id: eventID)
        }
    }

    static func check(_ ifMatch: String?, against etag: String?) throws(EventFailure) {
        guard let ifMatch, ifMatch != "*" else { return }
        let accepted = ifMatch.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }
        guard let etag, accepted.contains(etag) else { throw .conditionNotMet }
    }

    private func nextETag() -> (change: Int, etag: String) {
        changeCounter += 1
        return (changeCounter, "\"\(3_500_000_000_000_000 + changeCounter)\"")
    }

    func store(_ resource: JSONValue, calendarID: String, id: String) -> JSONValue {
        let (change, etag) = nextETag()
        var resource = resource
        resource["etag"] = .string(etag)
        if events[calendarID]?[id] == nil { eventOrder[calendarID, default: []].append(id) }
        var stored = events[calendarID]?[id] ?? StoredEvent(resource: resource, change: change)
        stored.resource = resource
        stored.change = change
        events[calendarID, default: [:]][id] = stored
        notifyWatchers(calendarID: calendarID)
        return resource
    }

    private func storeException(_ resource: JSONValue, calendarID: String, seriesID: String, id: String) -> JSONValue {
        let (change, etag) = nextETag()
        var resource = resource
        resource["etag"] = .string(etag)
        events[calendarID]?[seriesID]?.exceptions[id] = StoredEvent(resource: resource, change: change)
        events[calendarID]?[seriesID]?.vanished[id] = nil
        notifyWatchers(calendarID: calendarID)
        return resource
    }

    /// A series whose rule or times change loses the instances the new ones do not repeat (and their exceptions):
    /// they are kept as vanished, with the change number the series' write is about to get, for incremental sync.
    private func noteVanishedInstances(calendarID: String, before: StoredEvent, after: JSONValue) {
        let zone = timeZone(of: calendarID)
        guard let old = Series(before.resource, calendarZone: zone) else { return }
        guard ["start", "end", "recurrence"].contains(where: { before.resource[$0] != after[$0] }) || after["status"] == "cancelled" else { return }
        let now = Date()
        let remaining: Set<String> = Set((Series(after, calendarZone: zone)?.allOccurrences(now: now) ?? []).map { old.instanceID($0.start) })
        var stored = before
        let change = changeCounter + 1
        for occurrence in old.allOccurrences(now: now) {
            let id = old.instanceID(occurrence.start)
            if !remaining.contains(id) { stored.vanished[id] = (old.startValue(occurrence.start), change) }
        }
        for (id, exception) in stored.exceptions where !remaining.contains(id) {
            stored.vanished[id] = (exception.resource["originalStartTime"] ?? .null, change)
            stored.exceptions[id] = nil
        }
        for id in remaining { stored.vanished[id] = nil }
        events[calendarID]?[before.id] = stored
    }

    // MARK: - Control

    /// Adds an event as the calendar's owner would (the control API and seed files use it).
    @discardableResult
    public func addEvent(calendarID: String, _ body: JSONValue) throws -> JSONValue {
        // Google Calendar's own editor always gives a series its zone; seeds and tests that leave it out get the
        // calendar's, so that only API clients meet events.insert's refusal of a series without start.timeZone.
        var body = body
        if !(body["recurrence"]?.array ?? []).isEmpty, body["start"]?["dateTime"] != nil, body["start"]?["timeZone"] == nil {
            let zone = self.calendar(id: calendarID)?.timeZone ?? "UTC"
            body["start"]?["timeZone"] = .string(zone)
            if body["end"]?["dateTime"] != nil, body["end"]?["timeZone"] == nil { body["end"]?["timeZone"] = .string(zone) }
        }
        do {
            return try insertEvent(calendarID: calendarID, body: body, by: calendar(id: calendarID)?.roles.first { $0.value == "owner" }?.key ?? calendarID)
        } catch {
            throw EmulatorControlError.invalid("the event cannot be added: \(error)")
        }
    }

    /// Changes an event behind the client's back (as a person editing it in Google Calendar would).
    @discardableResult
    public func changeEvent(calendarID: String, eventID: String, patch: JSONValue) throws -> JSONValue {
        do {
            return try updateEvent(calendarID: calendarID, eventID: eventID, body: patch, patch: true, by: calendarID)
        } catch {
            throw EmulatorControlError.invalid("the event cannot be changed: \(error)")
        }
    }

    public func removeEvent(calendarID: String, eventID: String) throws {
        do { try deleteEvent(calendarID: calendarID, eventID: eventID) } catch {
            throw EmulatorControlError.invalid("the event cannot be deleted: \(error)")
        }
    }

    /// Moves an event to another calendar as Google's events.move does: it keeps its id and content (a series keeps
    /// its exceptions), the source reports it cancelled, and it appears in the destination as that calendar's own event.
    @discardableResult
    public func moveEvent(calendarID: String, eventID: String, to destinationID: String) throws -> JSONValue {
        do { return try move(calendarID: calendarID, eventID: eventID, to: destinationID) } catch {
            switch error {
            case .notFound: throw EmulatorControlError.notFound("no event \(eventID) in \(calendarID), or no calendar \(destinationID)")
            default: throw EmulatorControlError.invalid("the event cannot be moved: \(error)")
            }
        }
    }

    func move(calendarID: String, eventID: String, to destinationID: String) throws(EventFailure) -> JSONValue {
        guard let existing = events[calendarID]?[eventID], !existing.isCancelled, calendar(id: destinationID) != nil else { throw .notFound }
        // events.move: "Only default events can be moved".
        guard (existing.resource["eventType"]?.string ?? "default") == "default" else {
            throw .refused(reason: "eventTypeRestriction", message: "Only default events can be moved.")
        }
        // An event moved back finds its own cancelled copy there (the source keeps one) and takes its place.
        if let present = events[destinationID]?[eventID], !present.isCancelled { throw .duplicate }
        try deleteEvent(calendarID: calendarID, eventID: eventID)
        var moved = existing.resource
        moved["htmlLink"] = .string(Self.htmlLink(eventID: eventID, calendarID: destinationID))
        moved["updated"] = .string(Self.formatTime(Date()))
        let resource = store(moved, calendarID: destinationID, id: eventID)
        events[destinationID]?[eventID]?.exceptions = existing.exceptions
        events[destinationID]?[eventID]?.vanished = existing.vanished
        return resource
    }

    /// Makes every sync token issued so far for the calendar stale (the next incremental list answers 410). The
    /// change counter moves on, so that a token issued afterwards (before any other change) is not stale too.
    public func invalidateSyncTokens(calendarID: String) {
        changeCounter += 1
        syncTokenFloor[calendarID] = changeCounter
    }

    /// Sets (or with nil removes) an account's role on a calendar.
    public func setRole(calendarID: String, email: String, role: String?) throws {
        guard let index = calendars.firstIndex(where: { $0.id == calendarID }) else { throw EmulatorControlError.notFound("no calendar \(calendarID)") }
        var calendar = calendars[index]
        calendar.roles[email] = role
        noteCalendarChange(calendarID, before: calendars[index], after: calendar)
        calendars[index] = calendar
    }

    // MARK: - Helpers

    func timeZone(of calendarID: String) -> TimeZone {
        calendar(id: calendarID).flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
    }

    static func matches(_ event: JSONValue, private wanted: [(String, String)], shared: [(String, String)]) -> Bool {
        let privateProperties = event["extendedProperties"]?["private"]?.object ?? [:]
        let sharedProperties = event["extendedProperties"]?["shared"]?.object ?? [:]
        return wanted.allSatisfy { privateProperties[$0.0]?.string == $0.1 } && shared.allSatisfy { sharedProperties[$0.0]?.string == $0.1 }
    }

    /// An event's start and end as instants; all-day dates are midnights in the calendar's time zone.
    static func timeRange(_ event: JSONValue, calendarZone: TimeZone) -> (start: Date, end: Date)? {
        guard let start = instant(event["start"], zone: calendarZone), let end = instant(event["end"], zone: calendarZone) else { return nil }
        return (start, end)
    }

    static func instant(_ value: JSONValue?, zone: TimeZone) -> Date? {
        if let dateTime = value?["dateTime"]?.string { return parseTime(dateTime) }
        if let text = value?["date"]?.string, let date = Series.civilDate(text) { return LocalDateTime(date).instant(in: zone) }
        return nil
    }

    static func overlaps(_ range: (start: Date, end: Date), _ query: EventQuery) -> Bool {
        if let timeMin = query.timeMin, range.end <= timeMin { return false }
        if let timeMax = query.timeMax, range.start >= timeMax { return false }
        return true
    }

    /// Google's event ids: base32hex characters (a–v, 0–9), 5 to 1024 of them.
    static func isValidEventID(_ id: String) -> Bool {
        (5...1024).contains(id.count) && id.allSatisfy { ("a"..."v").contains($0) || ("0"..."9").contains($0) }
    }

    static func newEventID() -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuv")
        var generator = SystemRandomNumberGenerator()
        return String((0..<26).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] })
    }

    static func htmlLink(eventID: String, calendarID: String) -> String {
        let eid = Data("\(eventID) \(calendarID)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "https://www.google.com/calendar/event?eid=\(eid)"
    }

    /// Sets `self` on the attendee who is the calling account, as Google does in every answer.
    static func markSelf(_ event: JSONValue, email: String) -> JSONValue {
        guard let attendees = event["attendees"]?.array else { return event }
        var event = event
        event["attendees"] = .array(attendees.map { attendee in
            var attendee = attendee
            if attendee["email"]?.string?.lowercased() == email.lowercased() { attendee["self"] = true } else { attendee["self"] = nil }
            if attendee["responseStatus"] == nil { attendee["responseStatus"] = "needsAction" }
            return attendee
        })
        return event
    }

    /// RFC 3339, with or without fractional seconds, Z or an offset.
    static func parseTime(_ text: String?) -> Date? {
        guard let text else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// Google's timestamps: 2026-11-25T10:00:00.000Z; event times in a zone carry its offset.
    static func formatTime(_ date: Date, zone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        if zone.secondsFromGMT(for: date) == 0 {
            return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        return date.formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: zone))
    }
}

/// A control call that cannot be done (HTTP 400/404 from the control API).
public enum EmulatorControlError: Error, CustomStringConvertible {
    case invalid(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .invalid(let message), .notFound(let message): message
        }
    }
}
