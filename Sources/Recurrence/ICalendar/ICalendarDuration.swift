import Foundation

/// A DURATION value (RFC 5545 §3.3.6): `P1W`, `P2D`, `PT1H30M`, `P1DT12H`, `-PT15M`. Weeks and days are nominal (a
/// day is the same wall-clock time the next day, 23 or 25 hours across a daylight-saving change); hours, minutes
/// and seconds are exact (§3.3.6: "the duration of a day will vary ... the duration of an hour, minute or second
/// is fixed").
public struct ICalendarDuration: Hashable, Sendable, CustomStringConvertible {
    public var negative: Bool
    public var weeks: Int
    public var days: Int
    /// Hours, minutes and seconds together.
    public var seconds: Int

    public init(negative: Bool = false, weeks: Int = 0, days: Int = 0, seconds: Int = 0) {
        self.negative = negative
        self.weeks = weeks
        self.days = days
        self.seconds = seconds
    }

    /// Reads the text; lenient in accepting weeks together with days or times (RFC 5545 allows `P1W` only alone,
    /// RFC 2445's successors and real feeds write `P1W2D`), strict in everything else.
    public init?(parsing text: String) {
        var chars = Array(text.trimmingCharacters(in: .whitespaces).uppercased())
        negative = false
        if let sign = chars.first, sign == "+" || sign == "-" { negative = sign == "-"; chars.removeFirst() }
        guard chars.first == "P", chars.count > 1 else { return nil }
        weeks = 0; days = 0; seconds = 0
        var inTime = false, number = "", sawPart = false
        for character in chars.dropFirst() {
            if character.isASCIIDigit { number.append(character); continue }
            if character == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            guard let value = Int(number) else { return nil }
            number = ""
            sawPart = true
            switch (character, inTime) {
            case ("W", false): weeks += value
            case ("D", false): days += value
            case ("H", true): seconds += value * 3600
            case ("M", true): seconds += value * 60
            case ("S", true): seconds += value
            default: return nil
            }
        }
        guard number.isEmpty, sawPart else { return nil }
    }

    /// Whole days (weeks and days), signed.
    public var nominalDays: Int { (negative ? -1 : 1) * (weeks * 7 + days) }
    /// The exact part, signed.
    public var exactSeconds: Int { (negative ? -1 : 1) * seconds }

    /// `start` plus this duration: days on the wall clock of the start's zone, then the exact seconds on the time
    /// line. On a DATE, the days only (a DATE has no time to add hours to; §3.8.2.5 asks for a days-or-weeks duration).
    public func added(to start: RecurrenceDate) -> RecurrenceDate {
        switch start {
        case .date(let date):
            return .date(date.adding(days: nominalDays + exactSeconds / 86_400))
        case .dateTime(let time, let zone):
            var wall = time
            wall.date = wall.date.adding(days: nominalDays)
            let instant = wall.instant(in: zone).addingTimeInterval(TimeInterval(exactSeconds))
            return .dateTime(LocalDateTime(instant, in: zone), zone)
        }
    }

    public var description: String {
        var text = (negative ? "-" : "") + "P"
        if weeks > 0 { text += "\(weeks)W" }
        if days > 0 { text += "\(days)D" }
        if seconds > 0 {
            text += "T"
            if seconds >= 3600 { text += "\(seconds / 3600)H" }
            if seconds % 3600 >= 60 { text += "\(seconds % 3600 / 60)M" }
            if seconds % 60 > 0 { text += "\(seconds % 60)S" }
        }
        return text == "P" || text == "-P" ? "PT0S" : text
    }
}
