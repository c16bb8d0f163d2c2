import Foundation

/// CalendarSync's sync window: `sync.start` and `sync.end`, each a month boundary with a month offset.
public struct SyncWindow: Sendable, Hashable, Codable {
    public enum Identifier: String, Sendable, Codable, CaseIterable {
        case monthStart = "MonthStart"
        case monthEnd = "MonthEnd"
    }

    public struct Bound: Sendable, Hashable, Codable {
        public var identifier: Identifier
        public var offset: Int

        public init(_ identifier: Identifier, offset: Int) {
            self.identifier = identifier
            self.offset = offset
        }
    }

    public var start: Bound
    public var end: Bound

    public init(start: Bound, end: Bound) {
        self.start = start
        self.end = end
    }

    /// One month back to one month ahead: CalendarSync's example and Syncboard's default.
    public static let `default` = SyncWindow(start: Bound(.monthStart, offset: -1), end: Bound(.monthEnd, offset: 1))

    public static let offsetRange = -24...24

    /// The instant a bound stands for, as CalendarSync computes it (models.TimeFromConfig): MonthStart is the first
    /// of the current month at 00:00, MonthEnd the last day of the month at 00:00 (not its end), then the offset is
    /// added in months with Go's AddDate overflow (31 January + 1 month is 3 March, not 28 February).
    public static func date(of bound: Bound, now: Date, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.dateComponents([.year, .month], from: now)
        var components = DateComponents(year: today.year, month: today.month, day: 1, hour: 0, minute: 0, second: 0)
        if bound.identifier == .monthEnd {
            // firstOfMonth.AddDate(0, 1, -1): the last day of this month.
            let first = calendar.date(from: components)!
            let last = calendar.date(byAdding: DateComponents(month: 1, day: -1), to: first)!
            components = calendar.dateComponents([.year, .month, .day], from: last)
            components.hour = 0; components.minute = 0; components.second = 0
        }
        // Go's AddDate(0, offset, 0): same day number in the target month, overflowing into the next one.
        components.month = (components.month ?? 1) + bound.offset
        return calendar.date(from: components)!
    }

    public func interval(now: Date, timeZone: TimeZone) -> (start: Date, end: Date) {
        (Self.date(of: start, now: now, timeZone: timeZone), Self.date(of: end, now: now, timeZone: timeZone))
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !Self.offsetRange.contains(start.offset) {
            errors.append(FieldError(field: "window.start.offset", message: "must be between \(Self.offsetRange.lowerBound) and \(Self.offsetRange.upperBound) months"))
        }
        if !Self.offsetRange.contains(end.offset) {
            errors.append(FieldError(field: "window.end.offset", message: "must be between \(Self.offsetRange.lowerBound) and \(Self.offsetRange.upperBound) months"))
        }
        if errors.isEmpty {
            let reference = Date(timeIntervalSince1970: 1_767_225_600)  // any fixed day: the order does not depend on it
            let (from, to) = interval(now: reference, timeZone: TimeZone(identifier: "UTC")!)
            if from >= to { errors.append(FieldError(field: "window.end", message: "the window must end after it starts")) }
        }
        return errors
    }

    /// In words: "from the start of last month to the end of next month".
    public var description: String {
        func words(_ bound: Bound) -> String {
            let edge = bound.identifier == .monthStart ? "the start of" : "the end of"
            switch bound.offset {
            case 0: return "\(edge) this month"
            case -1: return "\(edge) last month"
            case 1: return "\(edge) next month"
            case let n where n < 0: return "\(edge) the month \(-n) months ago"
            default: return "\(edge) the month \(bound.offset) months ahead"
            }
        }
        return "from \(words(start)) to \(words(end))"
    }
}
