import Foundation
import Recurrence
import SyncboardCore

/// Between Graph events and the core's `SyncEvent`.
///
/// - Instances: calendarView and its delta list single instances, occurrences and exceptions (each with its own id,
///   `type` and `seriesMasterId`); series masters are never events of a sync (their occurrences are).
/// - Times: asked for in UTC (`Prefer: outlook.timezone="UTC"`); any other zone Graph names is read too — IANA, a
///   Windows name by the CLDR table (`WindowsTimeZones`); `tzone://Microsoft/Custom` names no rules, so such a
///   reading is unusable. All-day events are dates: the day the event's own zone (`originalStartTimeZone`) gives,
///   as midnights in UTC like Google's all-day events.
/// - Copies: the metadata rides in the open extension `inovex.calendarsync.meta` (read where `$expand` is allowed)
///   and in the copy's `transactionId` (`sb1.<EventID>.<SourceID>.<nonce>`), which Graph returns everywhere,
///   delta included (where `$expand` is not supported): a copy is recognised in every listing.
enum GraphEventMapping {
    static let copyMarkPrefix = "sb1."

    /// nil for a series master, a cancelled occurrence, a removed entry or an event without usable times.
    static func syncEvent(_ event: GraphEvent, calendarHash: String) -> SyncEvent? {
        guard event.removed == nil, event.type != "seriesMaster", event.isCancelled != true else { return nil }
        let allDay = event.isAllDay == true
        guard var start = instant(event.start), var end = instant(event.end) else { return nil }
        if allDay {
            guard let first = day(event.start, instant: start, zone: zone(named: event.originalStartTimeZone)),
                  let last = day(event.end, instant: end, zone: zone(named: event.originalEndTimeZone) ?? zone(named: event.originalStartTimeZone))
            else { return nil }
            start = first
            end = max(last, first)
        }
        let attendees = event.attendees ?? []
        let minutes = event.isReminderOn == true ? event.reminderMinutesBeforeStart : nil
        var mapped = SyncEvent(
            id: event.id, iCalUID: event.iCalUId ?? "", title: event.subject ?? "", description: event.body?.content ?? "",
            location: event.location?.displayName ?? "", start: start, end: end, allDay: allDay,
            metadata: metadata(event, calendarHash: calendarHash),
            attendees: attendees.filter { $0.type != "resource" }.map {
                SyncEvent.Attendee(email: $0.emailAddress?.address ?? "", displayName: $0.emailAddress?.name ?? "")
            },
            reminders: minutes.map { [start.addingTimeInterval(-Double($0) * 60)] } ?? [],
            meetingLink: event.onlineMeeting?.joinUrl ?? "",
            accepted: event.responseStatus?.response != "declined",
            eventType: "default",
            transparent: event.showAs.map { $0 == "free" },
            visibility: event.sensitivity.map(visibility(sensitivity:)),
            colorID: nil)
        // The version read, for If-Match on an overwrite (`W/"changeKey"`, as Graph's @odata.etag).
        mapped.etag = event.etag ?? event.changeKey.map { "W/\"\($0)\"" }
        return mapped
    }

    /// The copy metadata: the open extension when it was expanded, else the copy mark in `transactionId`, else
    /// (an original) derived from the event's own id, link and calendar.
    static func metadata(_ event: GraphEvent, calendarHash: String) -> SyncMetadata {
        if let values = event.extensions?.first(where: { isMetadataExtension($0) })?.values, let metadata = SyncMetadata(properties: values) {
            return metadata
        }
        if let mark = event.transactionId, let metadata = metadata(fromMark: mark) { return metadata }
        return SyncMetadata(originalEventID: event.id, htmlLink: event.webLink ?? "", calendarHash: calendarHash)
    }

    /// Whether Graph's event is a copy some sync wrote (it carries copy metadata).
    static func isCopy(_ event: GraphEvent) -> Bool {
        event.extensions?.contains(where: isMetadataExtension) == true || event.transactionId.flatMap(metadata(fromMark:)) != nil
    }

    static func isMetadataExtension(_ extension: GraphOpenExtension) -> Bool {
        let name = `extension`.extensionName ?? `extension`.id ?? ""
        return name == GraphAPIClient.metadataExtensionName || name.hasSuffix("." + GraphAPIClient.metadataExtensionName)
    }

    /// `sb1.<EventID>.<SourceID>.<nonce>`: the EventID is decimal, the SourceID base64url, so neither holds a dot.
    static func copyMark(_ metadata: SyncMetadata, nonce: String = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16).description) -> String {
        "\(copyMarkPrefix)\(metadata.syncID).\(metadata.sourceID).\(nonce)"
    }

    static func metadata(fromMark mark: String) -> SyncMetadata? {
        guard mark.hasPrefix(copyMarkPrefix) else { return nil }
        let parts = mark.dropFirst(copyMarkPrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(\.isNumber), !parts[1].isEmpty else { return nil }
        return SyncMetadata(syncID: String(parts[0]), originalEventURI: "", sourceID: String(parts[1]))
    }

    /// The open extension a copy is created with.
    static func metadataExtension(_ metadata: SyncMetadata) -> GraphEventWrite.Extension {
        GraphEventWrite.Extension(extensionName: GraphAPIClient.metadataExtensionName, values: [
            SyncMetadata.eventIDKey: metadata.syncID, SyncMetadata.originalEventURIKey: metadata.originalEventURI,
            SyncMetadata.sourceIDKey: metadata.sourceID,
        ])
    }

    /// What is written for a copy: times in UTC (all-day as dates), no attendees (Graph would invite them), no
    /// responses asked for. On create, the transaction id (with the copy mark) and the metadata extension.
    static func write(_ event: SyncEvent, transactionId: String?) -> GraphEventWrite {
        var write = GraphEventWrite()
        write.subject = event.title
        write.body = GraphEvent.Body(contentType: "text", content: event.description)
        write.start = dateTimeTimeZone(event.start, allDay: event.allDay)
        write.end = dateTimeTimeZone(event.allDay ? max(event.end, event.start.addingTimeInterval(86_400)) : event.end, allDay: event.allDay)
        write.isAllDay = event.allDay
        write.location = GraphEvent.Location(displayName: event.location)
        if let first = event.reminders.max() {
            write.isReminderOn = true
            write.reminderMinutesBeforeStart = max(0, Int(event.start.timeIntervalSince(first) / 60))
        } else {
            write.isReminderOn = false
        }
        write.showAs = event.transparent.map { $0 ? "free" : "busy" }
        write.sensitivity = event.visibility.map(sensitivity(visibility:))
        write.responseRequested = false
        write.allowNewTimeProposals = false
        if let transactionId {
            write.transactionId = transactionId
            write.extensions = [metadataExtension(event.metadata)]
        }
        return write
    }

    static func visibility(sensitivity: String) -> String {
        switch sensitivity {
        case "private", "personal": "private"
        case "confidential": "confidential"
        default: "default"
        }
    }

    static func sensitivity(visibility: String) -> String {
        switch visibility {
        case "private": "private"
        case "confidential": "confidential"
        default: "normal"
        }
    }

    // MARK: Time

    /// A time zone Graph names: `UTC`, an IANA name, or a Windows name (CLDR); nil for `tzone://Microsoft/Custom`
    /// and names nobody knows.
    static func zone(named name: String?) -> TimeZone? {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return nil }
        if name == WindowsTimeZones.microsoftCustom { return nil }
        if name.uppercased() == "UTC" || name.uppercased() == "Z" { return TimeZone(identifier: "UTC") }
        if let windows = WindowsTimeZones.timeZone(forWindowsName: name) { return windows }
        // Only real tz names: Foundation also reads abbreviations such as "PST", which Graph never means.
        return name.contains("/") ? TimeZone(identifier: name) : nil
    }

    /// A `dateTimeTimeZone` as an instant; nil when the zone is custom or unknown, or the reading unusable.
    static func instant(_ value: GraphDateTimeTimeZone?) -> Date? {
        guard let value, let time = wallClock(value.dateTime) else { return nil }
        // Graph leaves the zone out only where it means UTC.
        guard let zone = value.timeZone.map({ zone(named: $0) }) ?? TimeZone(identifier: "UTC") else { return nil }
        return time.instant(in: zone)
    }

    /// `2026-12-01T09:00:00.0000000` (or without fraction), as a wall-clock reading.
    static func wallClock(_ text: String) -> LocalDateTime? {
        let main = text.split(separator: ".").first.map(String.init) ?? text
        let parts = main.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 5 else { return nil }
        let time = LocalDateTime(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts.count > 5 ? parts[5] : 0)
        return time.isValid ? time : nil
    }

    /// The civil day an all-day boundary falls on, as midnight UTC. A reading at midnight is that day (all-day
    /// events are dates, whatever zone they are shown in); a reading converted to another zone (midnight in the
    /// event's own zone shown as, say, 23:00 UTC) goes back to the event's zone (`originalStartTimeZone`); with a
    /// zone nobody can name (`tzone://Microsoft/Custom`), the nearest midnight.
    static func day(_ value: GraphDateTimeTimeZone?, instant: Date, zone: TimeZone?) -> Date? {
        let utc = TimeZone(identifier: "UTC")!
        if let value, let clock = wallClock(value.dateTime), clock.hour == 0, clock.minute == 0, clock.second == 0 {
            return LocalDateTime(clock.date).instant(in: utc)
        }
        if let zone {
            return LocalDateTime(LocalDateTime(instant, in: zone).date).instant(in: utc)
        }
        let seconds = instant.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / 86_400).rounded() * 86_400)
    }

    static func dateTimeTimeZone(_ instant: Date, allDay: Bool) -> GraphDateTimeTimeZone {
        let time = LocalDateTime(instant, in: TimeZone(identifier: "UTC")!)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = String(format: "%04d", time.date.year) + "-\(two(time.date.month))-\(two(time.date.day))"
        let clock = allDay ? "00:00:00" : "\(two(time.hour)):\(two(time.minute)):\(two(time.second))"
        return GraphDateTimeTimeZone(dateTime: "\(date)T\(clock)", timeZone: "UTC")
    }

    /// Graph's `lastModifiedDateTime` (ISO 8601 in UTC, up to seven fractional digits).
    static func timestamp(_ text: String?) -> Date? {
        guard let text, let time = wallClock(text) else { return nil }
        var date = time.instant(in: TimeZone(identifier: "UTC")!)
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
            if let fraction = Double("0." + digits) { date.addTimeInterval(fraction) }
        }
        return date
    }
}
