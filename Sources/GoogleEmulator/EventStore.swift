import Crypto
import Foundation

/// One stored event: the resource as Google returns it, and the change number of its last write.
struct StoredEvent: Sendable {
    var resource: JSONValue
    var change: Int

    var id: String { resource["id"]?.string ?? "" }
    var isCancelled: Bool { resource["status"]?.string == "cancelled" }
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
}

/// Why an events call failed, mapped to Google's status, reason and message by the routes.
enum EventFailure: Error, Equatable {
    case notFound
    case deleted
    case duplicate
    case invalid(String)
    case required(String)
    case fullSyncRequired
}

extension EmulatorState {
    // MARK: - Reading

    func calendar(id: String) -> Calendar? { calendars.first { $0.id == id } }

    /// Every event of a calendar as stored (recurring events unexpanded, cancelled ones included), in creation order.
    public func storedEvents(calendarID: String) -> [JSONValue] {
        (eventOrder[calendarID] ?? []).compactMap { events[calendarID]?[$0]?.resource }
    }

    public func event(calendarID: String, eventID: String) -> JSONValue? { events[calendarID]?[eventID]?.resource }

    /// events.list before paging: filtered, expanded and ordered; plus the sync token that covers this answer.
    func listEvents(calendarID: String, query: EventQuery) throws(EventFailure) -> (items: [JSONValue], syncToken: String) {
        let zone = timeZone(of: calendarID)
        var stored = (eventOrder[calendarID] ?? []).compactMap { events[calendarID]?[$0] }
        var showDeleted = query.showDeleted
        if let token = query.syncToken {
            guard token.hasPrefix("s"), let since = Int(token.dropFirst()), since >= (syncTokenFloor[calendarID] ?? 0), since <= changeCounter else {
                throw .fullSyncRequired
            }
            stored = stored.filter { $0.change > since }
            showDeleted = true  // an incremental sync always reports deletions
        }
        if let updatedMin = query.updatedMin {
            stored = stored.filter { (Self.parseTime($0.resource["updated"]?.string) ?? .distantPast) >= updatedMin }
            showDeleted = true
        }
        var items: [JSONValue] = []
        for event in stored {
            if event.isCancelled && !showDeleted { continue }
            if !query.eventTypes.isEmpty, !query.eventTypes.contains(event.resource["eventType"]?.string ?? "default") { continue }
            if !Self.matches(event.resource, private: query.privateProperties, shared: query.sharedProperties) { continue }
            if let q = query.q?.lowercased(), !q.isEmpty,
               !["summary", "description", "location"].contains(where: { event.resource[$0]?.string?.lowercased().contains(q) == true }) { continue }
            if query.singleEvents, !event.isCancelled, let lines = event.resource["recurrence"]?.array?.compactMap(\.string), !lines.isEmpty {
                items += instances(of: event.resource, lines: lines, calendarZone: zone, query: query)
                continue
            }
            if let range = Self.timeRange(event.resource, calendarZone: zone), !Self.overlaps(range, query) { continue }
            items.append(event.resource)
        }
        if query.orderByStartTime {
            items.sort { (Self.timeRange($0, calendarZone: zone)?.start ?? .distantPast) < (Self.timeRange($1, calendarZone: zone)?.start ?? .distantPast) }
        } else if query.orderByUpdated {
            items.sort { ($0["updated"]?.string ?? "") < ($1["updated"]?.string ?? "") }
        }
        return (items, "s\(changeCounter)")
    }

    /// The instances of a recurring event in the query's window, shaped as Google shapes them.
    private func instances(of master: JSONValue, lines: [String], calendarZone: TimeZone, query: EventQuery) -> [JSONValue] {
        guard let range = Self.timeRange(master, calendarZone: calendarZone) else { return [] }
        let allDay = master["start"]?["date"] != nil
        let zone = master["start"]?["timeZone"]?.string.flatMap(TimeZone.init(identifier:)) ?? calendarZone
        guard let rule = Recurrence.parse(lines, timeZone: zone) else { return [master] }
        let duration = range.end.timeIntervalSince(range.start)
        let horizon = query.timeMax ?? Date().addingTimeInterval(2 * 365 * 86_400)
        let masterID = master["id"]?.string ?? ""
        return rule.occurrences(from: range.start, before: horizon, timeZone: zone).compactMap { start in
            let end = start.addingTimeInterval(duration)
            if let timeMin = query.timeMin, end <= timeMin { return nil }
            var instance = master
            instance["recurrence"] = nil
            let suffix = allDay ? Self.compactDate(start, zone: zone) : Self.compactUTC(start)
            instance["id"] = .string("\(masterID)_\(suffix)")
            instance["recurringEventId"] = .string(masterID)
            let startValue = Self.timeValue(start, allDay: allDay, zone: zone, template: master["start"])
            instance["start"] = startValue
            instance["end"] = Self.timeValue(end, allDay: allDay, zone: zone, template: master["end"])
            instance["originalStartTime"] = startValue
            if let link = master["htmlLink"]?.string { instance["htmlLink"] = .string(link + "_" + suffix) }
            return instance
        }
    }

    // MARK: - Writing

    /// events.insert: Google fills id (unless a valid one is given), iCalUID, htmlLink, etag, created, updated,
    /// creator, organizer, status, sequence, reminders, eventType.
    func insertEvent(calendarID: String, body: JSONValue, by email: String) throws(EventFailure) -> JSONValue {
        guard case .object = body else { throw .invalid("Invalid value for the event body.") }
        try Self.validateTimes(body)
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

    /// events.update (full replacement of the writable fields) or events.patch (merge).
    func updateEvent(calendarID: String, eventID: String, body: JSONValue, patch: Bool, by email: String) throws(EventFailure) -> JSONValue {
        guard let existing = events[calendarID]?[eventID] else { throw .notFound }
        guard case .object = body else { throw .invalid("Invalid value for the event body.") }
        var event: JSONValue
        if patch {
            event = existing.resource.merging(body)
        } else {
            event = body
            for kept in ["kind", "id", "iCalUID", "htmlLink", "created", "creator", "organizer", "eventType"] where body[kept] == nil {
                event[kept] = existing.resource[kept]
            }
            event["reminders"] = body["reminders"] ?? ["useDefault": true]
            event["status"] = body["status"] ?? "confirmed"
        }
        event["id"] = .string(eventID)
        try Self.validateTimes(event)
        let timesChanged = event["start"] != existing.resource["start"] || event["end"] != existing.resource["end"]
        let sequence: Double = if case .number(let n)? = existing.resource["sequence"] { n } else { 0 }
        event["sequence"] = .number(sequence + (timesChanged ? 1 : 0))
        event["updated"] = .string(Self.formatTime(Date()))
        event = Self.markSelf(event, email: email)
        return store(event, calendarID: calendarID, id: eventID)
    }

    /// events.delete: the event stays as cancelled (incremental syncs report it); a second delete answers 410.
    func deleteEvent(calendarID: String, eventID: String) throws(EventFailure) {
        guard var existing = events[calendarID]?[eventID] else { throw .notFound }
        guard !existing.isCancelled else { throw .deleted }
        existing.resource["status"] = "cancelled"
        existing.resource["updated"] = .string(Self.formatTime(Date()))
        _ = store(existing.resource, calendarID: calendarID, id: eventID)
    }

    private func store(_ resource: JSONValue, calendarID: String, id: String) -> JSONValue {
        changeCounter += 1
        var resource = resource
        resource["etag"] = .string("\"\(3_500_000_000_000_000 + changeCounter)\"")
        if events[calendarID]?[id] == nil { eventOrder[calendarID, default: []].append(id) }
        events[calendarID, default: [:]][id] = StoredEvent(resource: resource, change: changeCounter)
        notifyWatchers(calendarID: calendarID)
        return resource
    }

    // MARK: - Control

    /// Adds an event as the calendar's owner would (the control API and seed files use it).
    @discardableResult
    public func addEvent(calendarID: String, _ body: JSONValue) throws -> JSONValue {
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

    /// Moves an event to another calendar as Google's events.move does: it keeps its id and content, the source
    /// reports it cancelled, and it appears in the destination as that calendar's own event.
    @discardableResult
    public func moveEvent(calendarID: String, eventID: String, to destinationID: String) throws -> JSONValue {
        guard let existing = events[calendarID]?[eventID], !existing.isCancelled else {
            throw EmulatorControlError.notFound("no event \(eventID) in \(calendarID)")
        }
        guard calendar(id: destinationID) != nil else { throw EmulatorControlError.notFound("no calendar \(destinationID)") }
        do { try deleteEvent(calendarID: calendarID, eventID: eventID) } catch {
            throw EmulatorControlError.invalid("the event cannot be moved: \(error)")
        }
        var moved = existing.resource
        moved["htmlLink"] = .string(Self.htmlLink(eventID: eventID, calendarID: destinationID))
        moved["updated"] = .string(Self.formatTime(Date()))
        return store(moved, calendarID: destinationID, id: eventID)
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
        if let date = value?["date"]?.string { return Recurrence.date(date, timeZone: zone) }
        return nil
    }

    static func overlaps(_ range: (start: Date, end: Date), _ query: EventQuery) -> Bool {
        if let timeMin = query.timeMin, range.end <= timeMin { return false }
        if let timeMax = query.timeMax, range.start >= timeMax { return false }
        return true
    }

    static func validateTimes(_ event: JSONValue) throws(EventFailure) {
        guard let start = event["start"], start["dateTime"] != nil || start["date"] != nil else { throw .required("Missing start time.") }
        guard let end = event["end"], end["dateTime"] != nil || end["date"] != nil else { throw .required("Missing end time.") }
        if let text = start["dateTime"]?.string, parseTime(text) == nil { throw .invalid("Invalid start time.") }
        if let text = end["dateTime"]?.string, parseTime(text) == nil { throw .invalid("Invalid end time.") }
        let utc = TimeZone(identifier: "UTC")!
        if let from = instant(start, zone: utc), let to = instant(end, zone: utc), to < from { throw .invalid("The specified time range is empty.") }
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

    static func timeValue(_ date: Date, allDay: Bool, zone: TimeZone, template: JSONValue?) -> JSONValue {
        if allDay {
            var calendar = Foundation.Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return ["date": .string(String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!))]
        }
        var value: JSONValue = ["dateTime": .string(formatTime(date, zone: zone))]
        if let tz = template?["timeZone"] { value["timeZone"] = tz }
        return value
    }

    static func compactUTC(_ date: Date) -> String {
        formatTime(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "").replacingOccurrences(of: ".000", with: "")
    }

    static func compactDate(_ date: Date, zone: TimeZone) -> String {
        (timeValue(date, allDay: true, zone: zone, template: nil)["date"]?.string ?? "").replacingOccurrences(of: "-", with: "")
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
        return date.formatted(Date.ISO8601FormatStyle(timeZone: zone))
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
