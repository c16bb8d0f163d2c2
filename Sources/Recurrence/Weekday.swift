/// A day of the week as RFC 5545 spells it (`MO` … `SU`). Raw values count from Monday, as ISO 8601 and
/// python-dateutil do, so week arithmetic needs no remapping.
public enum Weekday: Int, CaseIterable, Hashable, Comparable, Sendable, CustomStringConvertible {
    case monday = 0, tuesday, wednesday, thursday, friday, saturday, sunday

    /// 1970-01-01 (day 0) was a Thursday.
    public init(dayNumber: Int) {
        self = Weekday(rawValue: ((dayNumber % 7) + 7 + 3) % 7)!
    }

    public init?(code: some StringProtocol) {
        guard let day = Self.allCases.first(where: { $0.code == code.uppercased() }) else { return nil }
        self = day
    }

    public var code: String { ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][rawValue] }
    public var description: String { code }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One BYDAY entry: a weekday, optionally with an ordinal (`2TU` the second Tuesday, `-1FR` the last Friday) that
/// counts within the month or year the rule's frequency names (RFC 5545 §3.3.10, "weekdaynum").
public struct WeekdayNum: Hashable, Sendable, CustomStringConvertible {
    public var weekday: Weekday
    /// nil for every such weekday; otherwise ±1…53.
    public var ordinal: Int?

    public init(_ weekday: Weekday, _ ordinal: Int? = nil) {
        self.weekday = weekday
        self.ordinal = ordinal
    }

    public var description: String { (ordinal.map(String.init) ?? "") + weekday.code }
}
