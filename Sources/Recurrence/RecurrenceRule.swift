/// One RFC 5545 recurrence rule (the value of an RRULE property, §3.3.10), parsed into its parts and printed back in
/// a fixed order. Parsing checks the constraints the RFC states as MUST/MUST NOT, so a rule that reaches the
/// expander always has a defined meaning.
public struct RecurrenceRule: Hashable, Sendable, CustomStringConvertible {
    public enum Frequency: String, CaseIterable, Comparable, Sendable {
        case secondly = "SECONDLY", minutely = "MINUTELY", hourly = "HOURLY", daily = "DAILY"
        case weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY"

        public static func < (lhs: Frequency, rhs: Frequency) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// UNTIL keeps the form it was written in: RFC 5545 ties it to DTSTART's value type (a DATE for all-day series,
    /// UTC for a zoned DTSTART, floating for a floating one), and the expander compares accordingly.
    public enum Until: Hashable, Sendable, CustomStringConvertible {
        case date(CivilDate)
        case utc(LocalDateTime)
        case floating(LocalDateTime)

        public var description: String {
            switch self {
            case .date(let date): date.description
            case .utc(let time): time.description + "Z"
            case .floating(let time): time.description
            }
        }
    }

    /// COUNT and UNTIL are mutually exclusive (RFC 5545: they "MUST NOT occur in the same 'recur'").
    public enum End: Hashable, Sendable {
        case count(Int)
        case until(Until)
    }

    public var frequency: Frequency
    public var interval: Int = 1
    public var end: End?
    public var bySecond: [Int] = []
    public var byMinute: [Int] = []
    public var byHour: [Int] = []
    public var byDay: [WeekdayNum] = []
    public var byMonthDay: [Int] = []
    public var byYearDay: [Int] = []
    public var byWeekNo: [Int] = []
    public var byMonth: [Int] = []
    public var bySetPos: [Int] = []
    public var weekStart: Weekday = .monday

    public init(frequency: Frequency) {
        self.frequency = frequency
    }

    public var count: Int? {
        if case .count(let count) = end { count } else { nil }
    }

    public var until: Until? {
        if case .until(let until) = end { until } else { nil }
    }

    /// The rule in the order Google and most libraries write it; INTERVAL=1 and WKST=MO are the defaults and left out.
    public var description: String {
        var parts = ["FREQ=\(frequency.rawValue)"]
        switch end {
        case .count(let count): parts.append("COUNT=\(count)")
        case .until(let until): parts.append("UNTIL=\(until)")
        case nil: break
        }
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        func list(_ name: String, _ values: [some CustomStringConvertible]) {
            if !values.isEmpty { parts.append(name + "=" + values.map(\.description).joined(separator: ",")) }
        }
        list("BYMONTH", byMonth)
        list("BYWEEKNO", byWeekNo)
        list("BYYEARDAY", byYearDay)
        list("BYMONTHDAY", byMonthDay)
        list("BYDAY", byDay)
        list("BYHOUR", byHour)
        list("BYMINUTE", byMinute)
        list("BYSECOND", bySecond)
        list("BYSETPOS", bySetPos)
        if weekStart != .monday { parts.append("WKST=\(weekStart.code)") }
        return parts.joined(separator: ";")
    }
}
