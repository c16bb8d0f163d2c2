/// Why a recurrence set could not be read or expanded. The parse errors of a single rule stay in
/// `RecurrenceRuleError`; this wraps them when they come from a property line so the line can be named too.
public enum RecurrenceSetError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedFrequency(RecurrenceRule.Frequency)
    /// BYHOUR, BYMINUTE or BYSECOND on a series of DATE values, which have no time to set.
    case timePartsOnAllDaySeries(rule: String)
    case invalidRule(line: String, RecurrenceRuleError)
    case invalidLine(line: String, reason: String)
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unsupportedFrequency(let frequency):
            "FREQ=\(frequency.rawValue) is not expanded: only DAILY, WEEKLY, MONTHLY and YEARLY rules are (RFC 5545 defines the sub-daily ones, calendars do not offer them)"
        case .timePartsOnAllDaySeries(let rule): "RRULE \(rule) sets a time (BYHOUR, BYMINUTE or BYSECOND) on an all-day series"
        case .invalidRule(let line, let error): "\(line): \(error)"
        case .invalidLine(let line, let reason): "\(line): \(reason)"
        case .unknownTimeZone(let identifier): "unknown time zone \(identifier)"
        }
    }
}
