import Foundation
import SyncboardCore

/// Between Calendar API events and `SyncEvent`, the way CalendarSync's Google adapter converts them, so that
/// copies written by either engine look the same to the other.
enum GoogleEventMapping {
    /// nil for an event without usable times (Google always sends them for single events).
    static func syncEvent(_ event: CalendarEvent, calendarHash: String) -> SyncEvent? {
        guard let id = event.id, let start = instant(event.start), let end = instant(event.end) else { return nil }
        let metadata = event.extendedProperties?.private.flatMap(SyncMetadata.init(properties:))
            ?? SyncMetadata(originalEventID: id, htmlLink: event.htmlLink ?? "", calendarHash: calendarHash)
        let attendees = event.attendees ?? []
        var read = SyncEvent(
            id: id, iCalUID: event.iCalUID ?? "", title: event.summary ?? "", description: event.description ?? "",
            location: event.location ?? "", start: start, end: end, allDay: event.start?.date != nil, metadata: metadata,
            attendees: attendees.map { SyncEvent.Attendee(email: $0.email ?? "", displayName: $0.displayName ?? "") },
            reminders: (event.reminders?.overrides ?? []).filter { $0.method == "popup" }.map { start.addingTimeInterval(-Double($0.minutes) * 60) },
            meetingLink: event.hangoutLink ?? "",
            accepted: !attendees.contains { $0.`self` == true && $0.responseStatus == "declined" },
            eventType: event.eventType ?? "default",
            transparent: event.transparency.map { $0 == "transparent" }, visibility: event.visibility, colorID: event.colorId)
        read.etag = event.etag
        return read
    }

    /// The resource written to the sink. `forUpdate`: CalendarSync sends an empty reminders object on updates of
    /// events without reminders, and `useDefault: false` with the overrides otherwise.
    static func resource(_ event: SyncEvent, forUpdate: Bool) -> CalendarEvent {
        var resource = baseResource(event, forUpdate: forUpdate)
        // Only set by the built-in engine's rules (or kept from the sink's copy); left out otherwise, as CalendarSync does.
        resource.transparency = event.transparent.map { $0 ? "transparent" : "opaque" }
        resource.visibility = event.visibility
        resource.colorId = event.colorID
        return resource
    }

    private static func baseResource(_ event: SyncEvent, forUpdate: Bool) -> CalendarEvent {
        let overrides = event.reminders.map {
            CalendarEvent.Reminders.Override(method: "popup", minutes: Int(event.start.timeIntervalSince($0) / 60))
        }
        let reminders = forUpdate && overrides.isEmpty
            ? CalendarEvent.Reminders(useDefault: nil, overrides: nil)
            : CalendarEvent.Reminders(useDefault: false, overrides: overrides)
        return CalendarEvent(
            summary: event.title.isEmpty ? nil : event.title,
            description: event.description.isEmpty ? nil : event.description,
            location: event.location.isEmpty ? nil : event.location,
            start: time(event.start, allDay: event.allDay), end: time(event.end, allDay: event.allDay),
            attendees: event.attendees.isEmpty ? nil : event.attendees.map {
                CalendarEvent.Attendee(email: $0.email, displayName: $0.displayName.isEmpty ? nil : $0.displayName)
            },
            reminders: reminders,
            extendedProperties: .init(private: event.metadata.properties))
    }

    /// All-day dates are midnights in UTC (Go's time.Parse of a date); other times are written in UTC.
    static func instant(_ time: CalendarEvent.EventTime?) -> Date? {
        if let date = time?.date {
            return try? Date(date + "T00:00:00Z", strategy: Date.ISO8601FormatStyle())
        }
        guard let text = time?.dateTime else { return nil }
        return (try? Date(text, strategy: Date.ISO8601FormatStyle())) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// Google's `updated` (RFC 3339, usually with milliseconds); nil when absent or unreadable.
    static func timestamp(_ text: String?) -> Date? {
        guard let text else { return nil }
        return (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }

    static func time(_ date: Date, allDay: Bool) -> CalendarEvent.EventTime {
        let text = date.formatted(Date.ISO8601FormatStyle())
        return allDay ? .init(date: String(text.prefix(10))) : .init(dateTime: text)
    }
}
