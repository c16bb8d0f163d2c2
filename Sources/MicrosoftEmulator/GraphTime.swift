import Foundation
import Recurrence

/// Graph's `dateTimeTimeZone` ({"dateTime": "2026-12-01T09:00:00.0000000", "timeZone": "Pacific Standard Time"})
/// and the `Prefer: outlook.timezone` header (api-reference/v1.0/resources/datetimetimezone.md,
/// api-reference/v1.0/api/user-list-calendarview.md). Zones are IANA names, "UTC", or the few Windows names the
/// demo and tests use; mapping every Windows name is the client's job (issue 28 §3), not the emulator's.
enum GraphTime {
    static let windowsZones: [String: String] = [
        "UTC": "UTC", "GMT Standard Time": "Europe/London", "W. Europe Standard Time": "Europe/Berlin",
        "Romance Standard Time": "Europe/Paris", "Central Europe Standard Time": "Europe/Budapest",
        "Eastern Standard Time": "America/New_York", "Central Standard Time": "America/Chicago",
        "Mountain Standard Time": "America/Denver", "Pacific Standard Time": "America/Los_Angeles",
        "Tokyo Standard Time": "Asia/Tokyo", "India Standard Time": "Asia/Kolkata", "AUS Eastern Standard Time": "Australia/Sydney",
    ]

    static func zone(_ name: String?) -> TimeZone? {
        guard let name, !name.isEmpty else { return TimeZone(identifier: "UTC") }
        if let mapped = windowsZones[name] { return TimeZone(identifier: mapped) }
        return TimeZone(identifier: name)
    }

    /// `2026-12-01T09:00:00`, with or without fractional seconds, as a wall-clock reading.
    static func wallClock(_ text: String) -> LocalDateTime? {
        let main = text.split(separator: ".").first.map(String.init) ?? text
        let parts = main.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 5 else { return nil }
        let time = LocalDateTime(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts.count > 5 ? parts[5] : 0)
        return time.isValid ? time : nil
    }

    /// A `dateTimeTimeZone` value as an instant.
    static func instant(_ value: JSON?) -> Date? {
        guard let text = value?["dateTime"]?.string, let time = wallClock(text), let zone = zone(value?["timeZone"]?.string) else { return nil }
        return time.instant(in: zone)
    }

    /// Graph writes seven fractional digits.
    static func format(_ instant: Date, in zone: TimeZone) -> String {
        let time = LocalDateTime(instant, in: zone)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(format: "%04d", time.date.year)
        return "\(year)-\(two(time.date.month))-\(two(time.date.day))T\(two(time.hour)):\(two(time.minute)):\(two(time.second)).0000000"
    }

    static func dateTimeTimeZone(_ instant: Date, zone: TimeZone, name: String) -> JSON {
        ["dateTime": .string(format(instant, in: zone)), "timeZone": .string(name)]
    }

    /// A DateTimeOffset in UTC, as Graph writes createdDateTime and originalStart.
    static func offset(_ instant: Date) -> String {
        instant.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }

    /// A query's `startDateTime`/`endDateTime`: ISO 8601 with an offset, or without one (then UTC, as Graph reads it).
    static func queryInstant(_ text: String?) -> Date? {
        guard let text else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        if let time = wallClock(text) { return time.instant(in: TimeZone(identifier: "UTC")!) }
        return nil
    }

    /// `Prefer: outlook.timezone="Pacific Standard Time"` → the zone and the name to echo; UTC without the header.
    static func preferredZone(_ preferHeaders: [String]) -> (TimeZone, String) {
        for header in preferHeaders {
            for part in header.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard trimmed.lowercased().hasPrefix("outlook.timezone=") else { continue }
                let name = String(trimmed.dropFirst("outlook.timezone=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if let zone = zone(name) { return (zone, name) }
            }
        }
        return (TimeZone(identifier: "UTC")!, "UTC")
    }

    /// `Prefer: odata.maxpagesize=N`.
    static func maxPageSize(_ preferHeaders: [String]) -> Int? {
        for header in preferHeaders {
            for part in header.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                if trimmed.lowercased().hasPrefix("odata.maxpagesize="), let n = Int(trimmed.dropFirst("odata.maxpagesize=".count)), n > 0 { return n }
            }
        }
        return nil
    }
}
