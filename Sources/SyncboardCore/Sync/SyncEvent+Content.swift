import Foundation

extension SyncEvent {
    /// The fields `isSame` compares, as one canonical text: two copies with the same text need no rewrite. An index
    /// of copies stores a hash of it, so an incremental run can tell whether a copy is up to date without reading it.
    public var comparableContent: String {
        let instant = { (date: Date) in String(Int64(date.timeIntervalSince1970.rounded())) }
        let day = { (date: Date) in String(date.formatted(Date.ISO8601FormatStyle()).prefix(10)) }
        let times = allDay ? [day(start), day(end)] : [instant(start), instant(end)]
        let fields: [String] = [title, description, allDay ? "all-day" : "timed", location] + times
            + ["reminders"] + reminders.sorted().map(instant)
            + ["attendees"] + attendees.sorted().flatMap { [$0.email, $0.displayName] }
            // Only when a built-in rule sets them, so copies indexed before these rules existed keep their hash.
            + (transparent.map { ["transparent", $0 ? "free" : "busy"] } ?? [])
            + (visibility.map { ["visibility", $0] } ?? []) + (colorID.map { ["color", $0] } ?? [])
        // JSON keeps the fields apart whatever they contain.
        let data = (try? JSONEncoder().encode(fields)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
