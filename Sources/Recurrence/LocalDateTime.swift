import Foundation

/// A wall-clock date and time with no offset ("floating" in RFC 5545 terms). Rules are expanded in these so that
/// a 09:00 meeting stays at 09:00 across daylight-saving changes; `instant(in:)` places one in a time zone.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var date: CivilDate
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(_ date: CivilDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.init(CivilDate(year: year, month: month, day: day), hour: hour, minute: minute, second: second)
    }

    /// The wall-clock reading of `instant` in `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: instant)
        self.init(naiveSeconds: seconds)
    }

    init(naiveSeconds seconds: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let rest = seconds - days * 86_400
        self.init(CivilDate(dayNumber: days), hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60)
    }

    /// Seconds since 1970-01-01T00:00:00 read as if this were UTC.
    var naiveSeconds: Int { date.dayNumber * 86_400 + hour * 3600 + minute * 60 + second }

    /// Leap seconds (BYSECOND=60) and 25:00 have no instant; a rule skips them as it skips 30 February.
    public var isValid: Bool { date.isValid && (0..<24).contains(hour) && (0..<60).contains(minute) && (0..<60).contains(second) }

    /// The instant this wall-clock time names in `timeZone`. RFC 5545 §3.3.5: a time that falls in a
    /// spring-forward gap "is interpreted using the UTC offset before the gap" (so 02:30 on a night the clocks go
    /// from 02:00 to 03:00 is 03:30 after the change), and a time that occurs twice in a fall-back overlap means
    /// "the first occurrence". Python's zoneinfo with fold=0 (PEP 495), which the dateutil cross-check uses, agrees.
    public func instant(in timeZone: TimeZone) -> Date {
        let naive = naiveSeconds
        // The offsets a day either side: transitions are never closer together than that in the tz database.
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive - 86_400)))
        let after = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(naive + 86_400)))
        // With the offset in force before a transition: right for ordinary times, the first of an ambiguous pair
        // and a gap time alike. Only a time after the transition (the offset before it no longer applies) uses `after`.
        let withBefore = naive - before
        if before != after, timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(withBefore))) != before {
            let withAfter = naive - after
            if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(withAfter))) == after {
                return Date(timeIntervalSince1970: TimeInterval(withAfter))
            }
        }
        return Date(timeIntervalSince1970: TimeInterval(withBefore))
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool { lhs.naiveSeconds < rhs.naiveSeconds }

    /// RFC 5545 floating DATE-TIME form, `yyyyMMdd'T'HHmmss`.
    public var description: String {
        date.description + "T" + CivilDate.digits(hour, 2) + CivilDate.digits(minute, 2) + CivilDate.digits(second, 2)
    }
}
