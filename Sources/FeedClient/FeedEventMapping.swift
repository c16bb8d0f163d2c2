import Foundation
import Recurrence
import SyncboardCore

/// Between a feed's occurrences and the core's `SyncEvent`.
///
/// - Ids: the UID with `%` and `_` percent-encoded (so the only `_` in an id is the instance separator the engine's
///   index relies on: "instances have ids `<series>_<start>`"), and for an occurrence of a series (or an override)
///   `_<original start>` as Google writes instance ids (`20261201T090000Z`, or `20261201` all-day). The original
///   start (RECURRENCE-ID, RFC 5545 §3.8.4.4) does not move with the occurrence, so a moved occurrence keeps its copy.
/// - Times: timed occurrences as instants (floating times in the subscription's zone, §3.3.5); all-day dates as
///   midnights in UTC, as Google's all-day events are read.
/// - Content: SUMMARY, DESCRIPTION, LOCATION, TRANSP (free/busy) and CLASS (visibility); a feed has no reminders
///   the engine copies, no attendees it may invite, and nothing of it is ever written.
public enum FeedEventMapping {
    public static func syncEvent(_ occurrence: ICalendarOccurrence, calendarHash: String) -> SyncEvent {
        let event = occurrence.event
        let id = eventID(occurrence)
        let utc = TimeZone(identifier: "UTC")!
        let start: Date, end: Date
        if occurrence.isAllDay {
            let first = occurrence.start.wallClock.date
            var last: CivilDate
            switch occurrence.end {
            case .date(let date): last = date
            case .dateTime(let time, _): last = time.hour == 0 && time.minute == 0 && time.second == 0 ? time.date : time.date.adding(days: 1)
            }
            if last.dayNumber <= first.dayNumber { last = first.adding(days: 1) }
            start = LocalDateTime(first).instant(in: utc)
            end = LocalDateTime(last).instant(in: utc)
        } else {
            start = occurrence.startInstant
            end = max(occurrence.endInstant, occurrence.startInstant)
        }
        let url = event.properties.first { $0.name == "URL" }?.value ?? ""
        return SyncEvent(
            id: id, iCalUID: event.uid, title: event.summary ?? "", description: event.description ?? "", location: event.location ?? "",
            start: start, end: end, allDay: occurrence.isAllDay,
            metadata: SyncMetadata(originalEventID: id, htmlLink: url, calendarHash: calendarHash),
            eventType: "default",
            transparent: event.transparency.map { $0 == .transparent },
            visibility: event.classification.map(visibility))
    }

    /// The occurrence's stable id (see the type's comment).
    public static func eventID(_ occurrence: ICalendarOccurrence) -> String {
        let key = uidKey(occurrence.event.uid)
        guard occurrence.event.isRecurring || occurrence.isOverride else { return key }
        return key + "_" + occurrence.id.originalStart.description
    }

    /// The UID as the first part of an id: `%` and `_` percent-encoded, nothing else changed.
    public static func uidKey(_ uid: String) -> String {
        uid.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "_", with: "%5F")
    }

    /// The UID part of an id this mapping made.
    static func uidKey(ofEventID id: String) -> String {
        id.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? id
    }

    static func visibility(_ classification: ICalendarEvent.Classification) -> String {
        switch classification {
        case .public: "public"
        case .private: "private"
        case .confidential: "confidential"
        case .other: "default"
        }
    }

    /// A 64-bit FNV-1a of the fields the engine compares (`comparableContent`), hex: what a cursor keeps per event
    /// to tell which events a new body changed.
    static func contentHash(_ event: SyncEvent) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in event.comparableContent.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
