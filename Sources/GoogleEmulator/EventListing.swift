import Foundation
import Recurrence

/// One events.list answer before paging, with what it depends on besides its request.
struct RememberedListing: Sendable {
    let items: [JSONValue]
    let syncToken: String
    let change: Int
    let calendarZone: TimeZone
    let syncTokenFloor: Int
    let at: Date
}

/// events.list and events.instances as the Events reference and the "Recurring events" and "Synchronize resources
/// efficiently" guides describe them:
/// - `singleEvents=true`: one-off events and instances of recurring events (exceptions applied), never the
///   underlying recurring events; cancelled instances only with `showDeleted` (or in incremental sync).
/// - `singleEvents=false`: a recurring event when any of its occurrences is in the window, and its exceptions as
///   items of their own; "Cancelled instances of recurring events (but not the underlying recurring event) will
///   still be included if showDeleted and singleEvents are both False" (`showDeleted`).
/// - `syncToken`: what changed since, deletions included. With `singleEvents=true` a changed series is reported
///   instance by instance (those its change removed as cancelled) and a deleted one as cancelled instances ("If
///   showDeleted and singleEvents are both True, only single instances of deleted events (but not the underlying
///   recurring events) are returned").
extension EmulatorState {
    /// events.list for one page: the pages after the first come from the answer the first computed, as long as no
    /// event changed, the calendar's zone and token floor are the same and a minute has not passed (the answer is
    /// then the same, and a 20,000-event calendar is not expanded, filtered and sorted again for each of its pages).
    /// `request` is the call's query string without its page token.
    func listEvents(calendarID: String, query: EventQuery, request: String) throws(EventFailure) -> (items: [JSONValue], syncToken: String) {
        let key = calendarID + "?" + request, zone = timeZone(of: calendarID), floor = syncTokenFloor[calendarID] ?? 0
        if let remembered = rememberedListings[key], remembered.change == changeCounter, remembered.calendarZone == zone,
           remembered.syncTokenFloor == floor, remembered.at.timeIntervalSinceNow > -60 {
            return (remembered.items, remembered.syncToken)
        }
        let listing = try listEvents(calendarID: calendarID, query: query)
        rememberedListings = rememberedListings.filter { $0.value.change == changeCounter && $0.value.at.timeIntervalSinceNow > -60 }
        rememberedListings[key] = RememberedListing(items: listing.items, syncToken: listing.syncToken, change: changeCounter, calendarZone: zone,
                                                    syncTokenFloor: floor, at: Date())
        return listing
    }

    /// events.list before paging: filtered, expanded and ordered; plus the sync token that covers this answer.
    func listEvents(calendarID: String, query: EventQuery) throws(EventFailure) -> (items: [JSONValue], syncToken: String) {
        let zone = timeZone(of: calendarID)
        var since: Int?
        if let token = query.syncToken {
            guard token.hasPrefix("s"), let value = Int(token.dropFirst()), value >= (syncTokenFloor[calendarID] ?? 0), value <= changeCounter else {
                throw .fullSyncRequired
            }
            since = value
        }
        let showDeleted = query.showDeleted || since != nil || query.updatedMin != nil
        let now = Date()
        var items: [JSONValue] = []
        for stored in (eventOrder[calendarID] ?? []).compactMap({ events[calendarID]?[$0] }) {
            guard let series = stored.isRecurring ? Series(stored.resource, calendarZone: zone) : nil else {
                // A series made a one-off event leaves its former instances to report as cancelled.
                if let since, query.singleEvents { items += Self.vanished(of: stored, since: since) }
                if let since, stored.change <= since { continue }
                if stored.isCancelled && !showDeleted { continue }
                if since == nil, let range = Self.timeRange(stored.resource, calendarZone: zone), !Self.overlaps(range, query) { continue }
                items.append(stored.resource)
                continue
            }
            let produced: [JSONValue]
            if let since {
                produced = changes(of: stored, series, since: since, singleEvents: query.singleEvents, now: now)
            } else {
                produced = listed(stored, series, query: query, showDeleted: showDeleted, now: now)
            }
            items += produced
        }
        items = items.filter { Self.passes($0, query, calendarID: calendarID, seriesOf: { self.events[calendarID]?[$0]?.resource }) }
        if query.orderByStartTime {
            // Each start parsed once, not at every comparison (a listing of 20,000 events spent a third of its time here).
            items = items.map { (start: Self.timeRange($0, calendarZone: zone)?.start ?? .distantPast, item: $0) }
                .sorted { $0.start < $1.start }.map(\.item)
        } else if query.orderByUpdated {
            items.sort { ($0["updated"]?.string ?? "") < ($1["updated"]?.string ?? "") }
        }
        if let target = query.timeZone { items = items.map { Self.render($0, in: target) } }
        return (items, "s\(changeCounter)")
    }

    /// A series in a full listing.
    private func listed(_ stored: StoredEvent, _ series: Series, query: EventQuery, showDeleted: Bool, now: Date) -> [JSONValue] {
        let from = query.timeMin ?? .distantPast, to = query.timeMax ?? now.addingTimeInterval(Series.horizon)
        let instances = instances(of: stored, series, from: from, to: to)
        if query.singleEvents {
            return instances.filter { showDeleted || $0["status"] != "cancelled" }
        }
        if stored.isCancelled { return showDeleted ? [stored.resource] : [] }
        var items: [JSONValue] = []
        if instances.contains(where: { $0["recurringEventId"] != nil && $0["status"] != "cancelled" }) { items.append(stored.resource) }
        items += instances.filter { $0["id"].flatMap(\.string).map { stored.exceptions[$0] != nil } ?? false }
        return items
    }

    /// A series in an incremental listing: what changed after `since`.
    private func changes(of stored: StoredEvent, _ series: Series, since: Int, singleEvents: Bool, now: Date) -> [JSONValue] {
        let changedExceptions = stored.exceptions.values.filter { $0.change > since }.sorted { $0.id < $1.id }
        guard singleEvents else {
            return (stored.change > since ? [stored.resource] : []) + changedExceptions.map { Self.shown($0.resource, series: stored) }
        }
        var items: [JSONValue]
        if stored.change > since {
            items = instances(of: stored, series, from: .distantPast, to: now.addingTimeInterval(Series.horizon))
        } else {
            items = changedExceptions.map { Self.shown($0.resource, series: stored) }
        }
        return items + Self.vanished(of: stored, since: since)
    }

    /// The instances a change of the series removed after `since`, as cancelled instances.
    static func vanished(of stored: StoredEvent, since: Int) -> [JSONValue] {
        stored.vanished.sorted(by: { $0.key < $1.key }).filter { $0.value.change > since }.map { id, vanished in
            Series.cancelledInstance(id: id, seriesID: stored.id, originalStartTime: vanished.originalStartTime,
                                     etag: stored.resource["etag"], updated: stored.resource["updated"], eventType: stored.resource["eventType"])
        }
    }

    /// The instances of a series in [from, to), exceptions applied (cancelled ones in Google's short form), in order.
    /// A deleted series has only cancelled instances. An exception counts where it now is; a cancelled one where it was.
    func instances(of stored: StoredEvent, _ series: Series, from: Date, to: Date) -> [JSONValue] {
        let zone = series.set.allDayTimeZone
        func inWindow(_ resource: JSONValue) -> Bool {
            guard let range = Self.timeRange(resource, calendarZone: zone) else { return false }
            return range.end > from && range.start < to || (range.start == range.end && range.start >= from && range.start < to)
        }
        var result: [(Date, JSONValue)] = []
        var seen: Set<String> = []
        for occurrence in series.occurrences(overlapping: from, to) {
            let id = series.instanceID(occurrence.start)
            seen.insert(id)
            if stored.isCancelled {
                result.append((occurrence.instant, Series.cancelledInstance(id: id, seriesID: stored.id, originalStartTime: series.startValue(occurrence.start),
                                                                            etag: stored.resource["etag"], updated: stored.resource["updated"],
                                                                            eventType: stored.resource["eventType"])))
            } else if let exception = stored.exceptions[id] {
                if exception.isCancelled || inWindow(exception.resource) { result.append((occurrence.instant, Self.shown(exception.resource, series: stored))) }
            } else {
                result.append((occurrence.instant, series.instance(occurrence)))
            }
        }
        guard !stored.isCancelled else { return result.map(\.1) }
        // Exceptions moved into the window from an occurrence outside it.
        for (id, exception) in stored.exceptions where !seen.contains(id) && !exception.isCancelled && inWindow(exception.resource) {
            if let start = OccurrenceStart(exception.resource["originalStartTime"]), series.contains(start) {
                result.append((Self.timeRange(exception.resource, calendarZone: zone)?.start ?? from, exception.resource))
            }
        }
        return result.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// An exception as a listing shows it: a cancelled one in Google's short form.
    static func shown(_ exception: JSONValue, series: StoredEvent) -> JSONValue {
        guard exception["status"] == "cancelled" else { return exception }
        return Series.cancelledInstance(id: exception["id"]?.string ?? "", seriesID: series.id, originalStartTime: exception["originalStartTime"],
                                        etag: exception["etag"], updated: exception["updated"], eventType: series.resource["eventType"])
    }

    /// events.instances: the instances of one recurring event ("Recurring events" guide, events.instances reference).
    func listInstances(calendarID: String, eventID: String, query: EventQuery, originalStart: Date?) throws(EventFailure) -> [JSONValue] {
        guard let stored = events[calendarID]?[eventID] else { throw .notFound }
        guard let series = Series(stored.resource, calendarZone: timeZone(of: calendarID)) else { return [] }
        if stored.isCancelled && !query.showDeleted { throw .deleted }
        var items = instances(of: stored, series, from: query.timeMin ?? .distantPast, to: query.timeMax ?? Date().addingTimeInterval(Series.horizon))
        items = items.filter { query.showDeleted || $0["status"] != "cancelled" }
        if let originalStart {
            items = items.filter { EmulatorState.instant($0["originalStartTime"], zone: series.set.allDayTimeZone) == originalStart }
        }
        if let target = query.timeZone { items = items.map { Self.render($0, in: target) } }
        return items
    }

    /// The filters a listing applies to each item (a cancelled instance is judged by its series, whose fields it lacks).
    static func passes(_ item: JSONValue, _ query: EventQuery, calendarID: String, seriesOf: (String) -> JSONValue?) -> Bool {
        var basis = item
        if item["status"] == "cancelled", item["summary"] == nil, let seriesID = item["recurringEventId"]?.string, let series = seriesOf(seriesID) {
            basis = series
        }
        if !query.eventTypes.isEmpty, !query.eventTypes.contains(basis["eventType"]?.string ?? "default") { return false }
        if !matches(basis, private: query.privateProperties, shared: query.sharedProperties) { return false }
        if let updatedMin = query.updatedMin, (parseTime(item["updated"]?.string) ?? .distantPast) < updatedMin { return false }
        // iCalUID: "Specifies an event ID in the iCalendar format to be provided in the response" (instances share their series' one).
        if let uid = query.iCalUID, basis["iCalUID"]?.string != uid { return false }
        if let q = query.q?.lowercased(), !q.isEmpty, !searchText(basis).contains(where: { $0.lowercased().contains(q) }) { return false }
        return true
    }

    /// `q`: "summary, description, location, attendee's displayName, attendee's email, organizer's displayName,
    /// organizer's email" (events.list reference).
    static func searchText(_ event: JSONValue) -> [String] {
        var texts = ["summary", "description", "location"].compactMap { event[$0]?.string }
        for person in (event["attendees"]?.array ?? []) + [event["organizer"] ?? .null] {
            texts += ["displayName", "email"].compactMap { person[$0]?.string }
        }
        return texts
    }

    /// `timeZone`: "Time zone used in the response" — every dateTime rendered with that zone's offset.
    static func render(_ event: JSONValue, in zone: TimeZone) -> JSONValue {
        var event = event
        for field in ["start", "end", "originalStartTime"] {
            guard let instant = parseTime(event[field]?["dateTime"]?.string) else { continue }
            event[field]?["dateTime"] = .string(instant.formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: zone)))
        }
        return event
    }
}
