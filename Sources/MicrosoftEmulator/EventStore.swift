import Foundation
import Recurrence

/// One stored event: a single instance or a series master, with the master's exceptions and cancelled occurrences.
struct StoredEvent: Sendable {
    var id: String
    var calendarID: String
    /// What clients sent (subject, body, start, end, recurrence, attendees, singleValueExtendedProperties, …).
    var fields: JSON
    var changeKey: String
    var created: Date
    var modified: Date
    var iCalUId: String
    /// Original start → the fields an update changed on that occurrence (which makes it an `exception`).
    var exceptions: [Date: Exception] = [:]
    /// Original starts of deleted (cancelled) occurrences.
    var cancelled: Set<Date> = []

    struct Exception: Sendable {
        var fields: JSON
        var changeKey: String
        var modified: Date
    }

    var isSeriesMaster: Bool { fields["recurrence"].map { $0 != .null } ?? false }
    var start: Date? { GraphTime.instant(fields["start"]) }
    var end: Date? { GraphTime.instant(fields["end"]) }
}

/// One event as a client sees it in a window: a single instance, an occurrence, an exception, or (for
/// `/events`) a series master.
struct EventInstance: Sendable {
    enum Kind: String, Sendable { case singleInstance, occurrence, exception, seriesMaster }
    var id: String
    var kind: Kind
    var master: StoredEvent
    var fields: JSON
    var changeKey: String
    var modified: Date
    var start: Date
    var end: Date
    var originalStart: Date?
}

/// How a response shows events: the time zone (`Prefer: outlook.timezone`) and what `$expand` asked for.
struct EventView: Sendable {
    var zone: TimeZone = TimeZone(identifier: "UTC")!
    var zoneName = "UTC"
    var expand = ExpandRequest()
}

extension MicrosoftEmulatorState {
    /// `{masterId}_{original start, yyyyMMdd'T'HHmmss'Z'}`: opaque to clients, as Graph's occurrence ids are.
    static func occurrenceID(master: String, originalStart: Date) -> String {
        master + "_" + OccurrenceStart.timed(originalStart).description
    }

    static func parseOccurrenceID(_ id: String) -> (master: String, originalStart: Date)? {
        guard let underscore = id.lastIndex(of: "_") else { return nil }
        let suffix = String(id[id.index(after: underscore)...])
        guard suffix.hasSuffix("Z"), suffix.count == 16 else { return nil }
        let digits = suffix.filter(\.isNumber).map { Int(String($0))! }
        func number(_ from: Int, _ length: Int) -> Int { digits[from..<(from + length)].reduce(0) { $0 * 10 + $1 } }
        guard digits.count == 14 else { return nil }
        let time = LocalDateTime(year: number(0, 4), month: number(4, 2), day: number(6, 2), hour: number(8, 2), minute: number(10, 2), second: number(12, 2))
        return (String(id[..<underscore]), time.instant(in: TimeZone(identifier: "UTC")!))
    }

    func nextChangeKey() -> String {
        changeCounter += 1
        return "CK" + String(changeCounter, radix: 36).uppercased() + MicrosoftEmulatorState.random(6)
    }

    func calendar(id: String, for account: Account) -> Calendar? {
        calendars.first { $0.id == id && $0.owner.lowercased() == account.email.lowercased() }
    }

    /// Checks what Graph requires of a new event and stores it (api-reference/v1.0/api/user-post-events.md);
    /// a `transactionId` already used in the calendar returns the event it created instead of a second one.
    func createEvent(calendarID: String, _ body: JSON) throws(GraphError) -> (event: StoredEvent, duplicate: Bool) {
        guard case .object = body else { throw .invalid("The request body must be a JSON object.") }
        if let transaction = body["transactionId"]?.string,
           let existing = eventOrder.lazy.compactMap({ self.events[$0] }).first(where: { $0.calendarID == calendarID && $0.fields["transactionId"]?.string == transaction }) {
            return (existing, true)
        }
        try Self.validateTimes(body)
        var fields = body
        for key in ["id", "@odata.etag", "changeKey", "createdDateTime", "lastModifiedDateTime", "type", "seriesMasterId", "iCalUId", "originalStart"] {
            fields[key] = nil
        }
        let now = Date()
        let event = StoredEvent(id: Self.identifier("AAMkAG"), calendarID: calendarID, fields: fields, changeKey: nextChangeKey(),
                                created: now, modified: now, iCalUId: "040000008200E00074C5B7101A82E008" + Self.random(16))
        events[event.id] = event
        eventOrder.append(event.id)
        eventChanged(calendarID: calendarID, eventID: event.id, change: "created")
        return (event, false)
    }

    static func validateTimes(_ body: JSON) throws(GraphError) {
        guard let start = GraphTime.instant(body["start"]), let end = GraphTime.instant(body["end"]) else {
            throw GraphError(400, "ErrorInvalidRequest", "start and end are required dateTimeTimeZone values with a known timeZone.")
        }
        guard end >= start else { throw GraphError(400, "ErrorInvalidRequest", "The end must not be before the start.") }
        if let recurrence = body["recurrence"], recurrence != .null {
            do { _ = try PatternedRecurrence(recurrence) } catch { throw GraphError(400, "ErrorInvalidRequest", error.description) }
        }
    }

    /// The event or occurrence an id names, for the account (whose calendars it must be in).
    func resolve(_ id: String, for account: Account) throws(GraphError) -> EventInstance {
        let owned = Set(calendars(ownedBy: account.email).map(\.id))
        if let event = events[id], owned.contains(event.calendarID) {
            guard let start = event.start, let end = event.end else { throw .notFound() }
            return EventInstance(id: id, kind: event.isSeriesMaster ? .seriesMaster : .singleInstance, master: event, fields: event.fields,
                                 changeKey: event.changeKey, modified: event.modified, start: start, end: end, originalStart: nil)
        }
        guard let (masterID, original) = Self.parseOccurrenceID(id), let master = events[masterID], owned.contains(master.calendarID),
              let occurrence = occurrence(of: master, originalStart: original) else { throw .notFound() }
        return occurrence
    }

    /// The occurrence with this original start, if the series has it and it is not cancelled.
    func occurrence(of master: StoredEvent, originalStart: Date) -> EventInstance? {
        guard !master.cancelled.contains(originalStart), let start = master.start, let end = master.end else { return nil }
        let found = expandSeries(master, from: originalStart, to: originalStart.addingTimeInterval(1))
        guard found.contains(where: { $0.originalStart == originalStart }) || master.exceptions[originalStart] != nil else { return nil }
        return instance(of: master, originalStart: originalStart, duration: end.timeIntervalSince(start))
    }

    private func instance(of master: StoredEvent, originalStart: Date, duration: TimeInterval) -> EventInstance {
        let id = Self.occurrenceID(master: master.id, originalStart: originalStart)
        var fields = master.fields
        fields["recurrence"] = nil
        if let exception = master.exceptions[originalStart] {
            fields = fields.updating(with: exception.fields)
            let start = GraphTime.instant(fields["start"]) ?? originalStart
            let end = GraphTime.instant(fields["end"]) ?? start.addingTimeInterval(duration)
            return EventInstance(id: id, kind: .exception, master: master, fields: fields, changeKey: exception.changeKey,
                                 modified: exception.modified, start: start, end: end, originalStart: originalStart)
        }
        let zone = GraphTime.zone(master.fields["start"]?["timeZone"]?.string) ?? TimeZone(identifier: "UTC")!
        let zoneName = master.fields["start"]?["timeZone"]?.string ?? "UTC"
        fields["start"] = GraphTime.dateTimeTimeZone(originalStart, zone: zone, name: zoneName)
        fields["end"] = GraphTime.dateTimeTimeZone(originalStart.addingTimeInterval(duration), zone: zone,
                                                    name: master.fields["end"]?["timeZone"]?.string ?? zoneName)
        return EventInstance(id: id, kind: .occurrence, master: master, fields: fields, changeKey: master.changeKey, modified: master.modified,
                             start: originalStart, end: originalStart.addingTimeInterval(duration), originalStart: originalStart)
    }

    /// Original starts of a series' occurrences starting in [from, to), cancelled ones included, by RecurrenceSet.
    func expandSeries(_ master: StoredEvent, from: Date, to: Date) -> [EventInstance] {
        guard let recurrence = master.fields["recurrence"], let pattern = try? PatternedRecurrence(recurrence),
              let start = master.start, let end = master.end, let firstDay = pattern.firstDay() else { return [] }
        let zoneName = pattern.timeZone ?? master.fields["start"]?["timeZone"]?.string
        guard let zone = GraphTime.zone(zoneName) else { return [] }
        let clock = LocalDateTime(start, in: zone)
        let first = LocalDateTime(firstDay, hour: clock.hour, minute: clock.minute, second: clock.second)
        let set = RecurrenceSet(start: .dateTime(first, zone), rules: [pattern.rule])
        let occurrences = (try? set.occurrences(from: from, to: to, limit: 5000)) ?? []
        return occurrences.map { EventInstance(id: "", kind: .occurrence, master: master, fields: .null, changeKey: "", modified: master.modified,
                                               start: $0.instant, end: $0.instant.addingTimeInterval(end.timeIntervalSince(start)), originalStart: $0.instant) }
    }

    /// Every instance overlapping [from, to) in a calendar, as calendarView lists them: single instances,
    /// occurrences and exceptions (moved ones where they now are), never masters or cancelled occurrences.
    func calendarView(calendarID: String, from: Date, to: Date) -> [EventInstance] {
        var result: [EventInstance] = []
        for id in eventOrder {
            guard let event = events[id], event.calendarID == calendarID, let start = event.start, let end = event.end else { continue }
            if event.isSeriesMaster {
                result += seriesInstances(event, from: from, to: to)
            } else if Self.overlaps(start, end, from, to) {
                result.append(EventInstance(id: id, kind: .singleInstance, master: event, fields: event.fields, changeKey: event.changeKey,
                                            modified: event.modified, start: start, end: end, originalStart: nil))
            }
        }
        return result.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
    }

    /// A series' occurrences and exceptions overlapping [from, to) (`/events/{id}/instances`).
    func seriesInstances(_ master: StoredEvent, from: Date, to: Date) -> [EventInstance] {
        guard let start = master.start, let end = master.end else { return [] }
        let duration = end.timeIntervalSince(start)
        var result: [EventInstance] = []
        for candidate in expandSeries(master, from: from.addingTimeInterval(-duration), to: to) {
            guard let original = candidate.originalStart, !master.cancelled.contains(original), master.exceptions[original] == nil else { continue }
            if Self.overlaps(original, original.addingTimeInterval(duration), from, to) {
                result.append(instance(of: master, originalStart: original, duration: duration))
            }
        }
        // Exceptions are shown where they are now, which may be outside the original's window.
        for original in master.exceptions.keys where !master.cancelled.contains(original) {
            let exception = instance(of: master, originalStart: original, duration: duration)
            if Self.overlaps(exception.start, exception.end, from, to) { result.append(exception) }
        }
        return result.sorted { $0.start < $1.start }
    }

    static func overlaps(_ start: Date, _ end: Date, _ from: Date, _ to: Date) -> Bool {
        start < to && (end > from || (start == end && start >= from))
    }

    /// PATCH: a master or single instance takes the new values; an occurrence becomes an exception. With
    /// `If-Match`, a change key that is no longer current answers 412.
    func updateEvent(_ id: String, patch: JSON, ifMatch: String?, for account: Account) throws(GraphError) -> EventInstance {
        let target = try resolve(id, for: account)
        try Self.checkPrecondition(ifMatch, current: target.changeKey)
        guard case .object = patch else { throw .invalid("The request body must be a JSON object.") }
        var changes = patch
        for key in ["id", "@odata.etag", "changeKey", "createdDateTime", "lastModifiedDateTime", "type", "seriesMasterId", "iCalUId", "originalStart", "transactionId"] {
            changes[key] = nil
        }
        var master = events[target.master.id]!
        let now = Date()
        if let original = target.originalStart {
            if changes["recurrence"] != nil { throw .invalid("The recurrence of an occurrence cannot be changed.") }
            let merged = (master.exceptions[original]?.fields ?? [:]).updating(with: changes)
            try Self.validateTimes(target.fields.updating(with: merged))
            master.exceptions[original] = .init(fields: merged, changeKey: nextChangeKey(), modified: now)
        } else {
            if changes["singleValueExtendedProperties"] != nil {
                changes["singleValueExtendedProperties"] = ExpandRequest.mergeExtendedProperties(
                    current: master.fields["singleValueExtendedProperties"], patch: changes["singleValueExtendedProperties"])
            }
            let updated = master.fields.updating(with: changes)
            try Self.validateTimes(updated)
            master.fields = updated
            master.changeKey = nextChangeKey()
            master.modified = now
        }
        events[master.id] = master
        eventChanged(calendarID: master.calendarID, eventID: target.id, change: "updated")
        return try resolve(target.id, for: account)
    }

    /// DELETE: an event (a master with its whole series) goes; an occurrence is cancelled.
    func deleteEvent(_ id: String, ifMatch: String?, for account: Account) throws(GraphError) {
        let target = try resolve(id, for: account)
        try Self.checkPrecondition(ifMatch, current: target.changeKey)
        if let original = target.originalStart {
            events[target.master.id]?.cancelled.insert(original)
            events[target.master.id]?.exceptions[original] = nil
        } else {
            events[target.master.id] = nil
            eventOrder.removeAll { $0 == target.master.id }
        }
        eventChanged(calendarID: target.master.calendarID, eventID: target.id, change: "deleted")
    }

    /// If-Match takes the event's `@odata.etag` (W/"changeKey") or the bare change key; `*` always matches.
    static func checkPrecondition(_ ifMatch: String?, current: String) throws(GraphError) {
        guard let ifMatch, !ifMatch.isEmpty, ifMatch != "*" else { return }
        let key = ifMatch.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard key == current else {
            throw GraphError(412, "ErrorIrresolvableConflict",
                             "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.")
        }
    }

    /// Every stored event of a calendar as the control API shows it (masters with their exceptions and cancellations).
    public func storedEvents(calendarID: String) -> [JSON] {
        eventOrder.compactMap { events[$0] }.filter { $0.calendarID == calendarID }.map { event in
            var json = Self.render(EventInstance(id: event.id, kind: event.isSeriesMaster ? .seriesMaster : .singleInstance, master: event,
                                                 fields: event.fields, changeKey: event.changeKey, modified: event.modified,
                                                 start: event.start ?? .distantPast, end: event.end ?? .distantPast, originalStart: nil),
                                   view: EventView(expand: ExpandRequest(all: true)))
            json["cancelledOccurrences"] = .array(event.cancelled.sorted().map { .string(GraphTime.offset($0)) })
            json["exceptionOccurrences"] = .array(event.exceptions.keys.sorted().map { .string(GraphTime.offset($0)) })
            return json
        }
    }

    /// An instance as Graph's event resource (api-reference/v1.0/resources/event.md).
    static func render(_ instance: EventInstance, view: EventView) -> JSON {
        var json = instance.fields
        let extended = json["singleValueExtendedProperties"]
        let extensions = json["extensions"]
        json["singleValueExtendedProperties"] = nil
        json["extensions"] = nil
        let startZone = instance.fields["start"]?["timeZone"]?.string ?? "UTC"
        let endZone = instance.fields["end"]?["timeZone"]?.string ?? startZone
        json["id"] = .string(instance.id)
        json["@odata.etag"] = .string("W/\"\(instance.changeKey)\"")
        json["changeKey"] = .string(instance.changeKey)
        json["createdDateTime"] = .string(GraphTime.offset(instance.master.created))
        json["lastModifiedDateTime"] = .string(GraphTime.offset(instance.modified))
        json["iCalUId"] = .string(instance.master.iCalUId)
        json["type"] = .string(instance.kind.rawValue)
        json["seriesMasterId"] = instance.originalStart == nil ? .null : .string(instance.master.id)
        if let original = instance.originalStart { json["originalStart"] = .string(GraphTime.offset(original)) }
        json["originalStartTimeZone"] = .string(startZone)
        json["originalEndTimeZone"] = .string(endZone)
        json["start"] = GraphTime.dateTimeTimeZone(instance.start, zone: view.zone, name: view.zoneName)
        json["end"] = GraphTime.dateTimeTimeZone(instance.end, zone: view.zone, name: view.zoneName)
        if instance.kind != .seriesMaster { json["recurrence"] = .null }
        if json["isAllDay"] == nil { json["isAllDay"] = false }
        if json["isCancelled"] == nil { json["isCancelled"] = false }
        if json["subject"] == nil { json["subject"] = "" }
        view.expand.apply(to: &json, extended: extended, extensions: extensions)
        return json
    }
}
