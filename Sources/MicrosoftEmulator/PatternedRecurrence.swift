import Foundation
import Recurrence

/// Graph's `patternedRecurrence` (a `recurrencePattern` and a `recurrenceRange`) as an RFC 5545 RRULE, so series are
/// expanded by the `Recurrence` target like Google's. Follows api-reference/v1.0/resources/recurrencepattern.md and
/// recurrencerange.md in microsoftgraph/microsoft-graph-docs-contrib:
///
/// - daily → FREQ=DAILY; weekly → FREQ=WEEKLY;BYDAY=…;WKST=firstDayOfWeek (Graph's default week starts on Sunday);
/// - absoluteMonthly → FREQ=MONTHLY;BYMONTHDAY=dayOfMonth; absoluteYearly → FREQ=YEARLY;BYMONTH=month;BYMONTHDAY=…;
/// - relativeMonthly / relativeYearly → BYDAY=the days;BYSETPOS=index (first 1 … fourth 4, last -1): "if daysOfWeek
///   specifies more than one day, the event falls on the first day that satisfies the pattern", which is what
///   BYSETPOS picks from the month's matching days;
/// - range numbered → COUNT; endDate → UNTIL as a DATE (the end date is inclusive, on the series' wall clock);
///   noEnd → no end. The range's startDate is the first day of the series.
public struct PatternedRecurrence: Sendable, Equatable {
    public enum MappingError: Error, Equatable, CustomStringConvertible {
        case missing(String)
        case invalid(String)
        public var description: String {
            switch self {
            case .missing(let field): "recurrence: \(field) is required"
            case .invalid(let detail): "recurrence: \(detail)"
            }
        }
    }

    public var rule: RecurrenceRule
    /// The range's startDate: the day the series starts.
    public var startDate: CivilDate
    /// The range's recurrenceTimeZone, when given.
    public var timeZone: String?

    static let weekdays: [String: Weekday] = [
        "monday": .monday, "tuesday": .tuesday, "wednesday": .wednesday, "thursday": .thursday,
        "friday": .friday, "saturday": .saturday, "sunday": .sunday,
    ]
    static let indexes: [String: Int] = ["first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1]

    /// Reads `{"pattern": {...}, "range": {...}}`.
    public init(_ value: JSON) throws(MappingError) {
        guard let pattern = value["pattern"]?.object else { throw .missing("pattern") }
        guard let range = value["range"]?.object else { throw .missing("range") }
        guard let type = pattern["type"]?.string else { throw .missing("pattern.type") }
        let interval = pattern["interval"]?.int ?? 1
        guard interval >= 1 else { throw .invalid("pattern.interval must be at least 1") }

        func days() throws(MappingError) -> [Weekday] {
            guard let names = pattern["daysOfWeek"]?.array, !names.isEmpty else { throw .missing("pattern.daysOfWeek") }
            var result: [Weekday] = []
            for name in names {
                guard let day = name.string.flatMap({ Self.weekdays[$0.lowercased()] }) else { throw .invalid("unknown day \(name)") }
                result.append(day)
            }
            return result
        }
        func dayOfMonth() throws(MappingError) -> Int {
            guard let day = pattern["dayOfMonth"]?.int else { throw .missing("pattern.dayOfMonth") }
            guard (1...31).contains(day) else { throw .invalid("pattern.dayOfMonth must be 1-31") }
            return day
        }
        func month() throws(MappingError) -> Int {
            guard let month = pattern["month"]?.int else { throw .missing("pattern.month") }
            guard (1...12).contains(month) else { throw .invalid("pattern.month must be 1-12") }
            return month
        }
        func position() throws(MappingError) -> Int {
            let name = pattern["index"]?.string ?? "first"
            guard let index = Self.indexes[name.lowercased()] else { throw .invalid("unknown index \(name)") }
            return index
        }

        var rule: RecurrenceRule
        switch type {
        case "daily":
            rule = RecurrenceRule(frequency: .daily)
        case "weekly":
            rule = RecurrenceRule(frequency: .weekly)
            rule.byDay = try days().map { WeekdayNum($0) }
            let first = pattern["firstDayOfWeek"]?.string ?? "sunday"
            guard let weekStart = Self.weekdays[first.lowercased()] else { throw .invalid("unknown firstDayOfWeek \(first)") }
            // WKST matters for weekly rules with an interval above 1 and several days (RFC 5545 §3.3.10).
            rule.weekStart = weekStart
        case "absoluteMonthly":
            rule = RecurrenceRule(frequency: .monthly)
            rule.byMonthDay = [try dayOfMonth()]
        case "relativeMonthly":
            rule = RecurrenceRule(frequency: .monthly)
            rule.byDay = try days().map { WeekdayNum($0) }
            rule.bySetPos = [try position()]
        case "absoluteYearly":
            rule = RecurrenceRule(frequency: .yearly)
            rule.byMonth = [try month()]
            rule.byMonthDay = [try dayOfMonth()]
        case "relativeYearly":
            rule = RecurrenceRule(frequency: .yearly)
            rule.byMonth = [try month()]
            rule.byDay = try days().map { WeekdayNum($0) }
            rule.bySetPos = [try position()]
        default:
            throw .invalid("unknown pattern.type \(type)")
        }
        rule.interval = interval

        guard let start = range["startDate"]?.string.flatMap(Self.civilDate) else { throw .missing("range.startDate") }
        switch range["type"]?.string {
        case "noEnd": break
        case "endDate":
            guard let end = range["endDate"]?.string.flatMap(Self.civilDate) else { throw .missing("range.endDate") }
            guard end >= start else { throw .invalid("range.endDate is before range.startDate") }
            rule.end = .until(.date(end))
        case "numbered":
            guard let count = range["numberOfOccurrences"]?.int else { throw .missing("range.numberOfOccurrences") }
            guard count >= 1 else { throw .invalid("range.numberOfOccurrences must be at least 1") }
            rule.end = .count(count)
        case let other:
            throw other == nil ? .missing("range.type") : .invalid("unknown range.type \(other!)")
        }
        self.rule = rule
        self.startDate = start
        self.timeZone = range["recurrenceTimeZone"]?.string
    }

    /// `2026-12-01` → a civil date.
    static func civilDate(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        let date = CivilDate(year: parts[0], month: parts[1], day: parts[2])
        return date.isValid ? date : nil
    }
}

extension PatternedRecurrence {
    /// The first day on or after the range's startDate the pattern falls on: Graph's series starts there even when
    /// startDate itself does not match (RFC 5545 would count a non-matching DTSTART as an occurrence, Graph does not).
    /// The interval counts from this day, so only the day constraints matter here.
    public func firstDay() -> CivilDate? {
        for offset in 0..<(366 * 8) {
            let day = startDate.adding(days: offset)
            if matches(day) { return day }
        }
        return nil
    }

    func matches(_ day: CivilDate) -> Bool {
        if !rule.byMonth.isEmpty && !rule.byMonth.contains(day.month) { return false }
        if !rule.byMonthDay.isEmpty && !rule.byMonthDay.contains(day.day) { return false }
        let weekdays = Set(rule.byDay.map(\.weekday))
        if !weekdays.isEmpty {
            guard weekdays.contains(day.weekday) else { return false }
            if let position = rule.bySetPos.first {
                let month = (1...CivilDate.daysIn(month: day.month, year: day.year))
                    .map { CivilDate(year: day.year, month: day.month, day: $0) }
                    .filter { weekdays.contains($0.weekday) }
                let chosen = position > 0 ? (position <= month.count ? month[position - 1] : nil) : month.last
                return chosen == day
            }
        }
        return true
    }
}
