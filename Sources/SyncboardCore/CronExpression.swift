import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week) with Vixie cron's rules: `*`, lists,
/// ranges, steps, month and weekday names, 0 and 7 for Sunday, and "either day field matches" when both day
/// fields are restricted. Also the macros @hourly, @daily, @weekly, @monthly and @yearly.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public var description: String { source }

    static let macros = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                         "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(_ text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        source = trimmed
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(message: "a cron expression has five fields (minute hour day-of-month month day-of-week); this has \(fields.count)")
        }
        minutes = try Self.parse(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.parse(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try Self.parse(fields[2], name: "day of month", range: 1...31, names: [])
        months = try Self.parse(fields[3], name: "month", range: 1...12, names: Self.monthNames, namesStartAt: 1)
        let weekdays = try Self.parse(fields[4], name: "day of week", range: 0...7, names: Self.dayNames)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        daysOfMonthRestricted = !fields[2].hasPrefix("*")
        daysOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    private static func parse(_ field: String, name: String, range: ClosedRange<Int>, names: [String], namesStartAt: Int = 0) throws(ParseError) -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw ParseError(message: "the \(name) field has an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { throw ParseError(message: "“\(part)” in the \(name) field has more than one /") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw ParseError(message: "the step “\(pieces[1])” in the \(name) field must be a positive number")
                }
                step = parsed
            }
            let lower: Int, upper: Int
            if pieces[0] == "*" {
                (lower, upper) = (range.lowerBound, range.upperBound)
            } else if let dash = pieces[0].firstIndex(of: "-") {
                lower = try value(String(pieces[0][..<dash]), name: name, range: range, names: names, namesStartAt: namesStartAt)
                upper = try value(String(pieces[0][pieces[0].index(after: dash)...]), name: name, range: range, names: names, namesStartAt: namesStartAt)
                guard lower <= upper else { throw ParseError(message: "the range “\(pieces[0])” in the \(name) field runs backwards") }
            } else {
                lower = try value(pieces[0], name: name, range: range, names: names, namesStartAt: namesStartAt)
                upper = pieces.count == 2 ? range.upperBound : lower  // "5/15" means 5-max/15, as in Vixie cron
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    private static func value(_ text: String, name: String, range: ClosedRange<Int>, names: [String], namesStartAt: Int) throws(ParseError) -> Int {
        if let index = names.firstIndex(of: text.uppercased()) { return index + namesStartAt }
        guard let number = Int(text) else { throw ParseError(message: "“\(text)” is not a valid \(name)") }
        guard range.contains(number) else {
            throw ParseError(message: "\(number) is out of range for the \(name) field (\(range.lowerBound)–\(range.upperBound))")
        }
        return number
    }

    func matchesDay(day: Int, month: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let domMatch = daysOfMonth.contains(day), dowMatch = daysOfWeek.contains(weekday)
        if daysOfMonthRestricted && daysOfWeekRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }

    /// The first firing strictly after `date`, on the wall clock of `timeZone`, or nil if none in five years.
    ///
    /// Daylight saving: a wall time skipped by a spring-forward change fires once, at the first instant after the
    /// gap (as Vixie cron does); a wall time that occurs twice at a fall-back change fires once, at its first
    /// occurrence.
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let sortedHours = hours.sorted(), sortedMinutes = minutes.sorted()
        var day = calendar.startOfDay(for: date)
        for _ in 0..<(366 * 5 + 2) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if matchesDay(day: parts.day!, month: parts.month!, weekday: parts.weekday! - 1) {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        let wall = DateComponents(year: parts.year, month: parts.month, day: parts.day, hour: hour, minute: minute)
                        guard let instant = Self.instant(for: wall, calendar: calendar), instant > date else { continue }
                        return instant
                    }
                }
            }
            guard let nextDay = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = calendar.startOfDay(for: nextDay)
        }
        return nil
    }

    /// The instant of a wall-clock time: its first occurrence when it occurs twice, the end of the gap when it
    /// does not occur at all.
    static func instant(for wall: DateComponents, calendar: Calendar) -> Date? {
        guard let midnight = calendar.date(from: DateComponents(year: wall.year, month: wall.month, day: wall.day)) else { return nil }
        let found = calendar.nextDate(after: midnight.addingTimeInterval(-1),
                                      matching: DateComponents(hour: wall.hour, minute: wall.minute, second: 0),
                                      matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward)
        return found.flatMap { calendar.isDate($0, inSameDayAs: midnight) ? $0 : nil }
    }

    /// Whether the expression fires at all (e.g. `0 0 30 2 *` never does).
    public var everFires: Bool {
        next(after: Date(timeIntervalSince1970: 1_767_225_600), in: TimeZone(identifier: "UTC")!) != nil
    }

    /// Common shapes in words; anything else as the expression itself.
    public var words: String {
        let fields = (Self.macros[source.lowercased()] ?? source).split(whereSeparator: \.isWhitespace).map(String.init)
        func time() -> String? {
            guard hours.count == 1, minutes.count == 1 else { return nil }
            return String(format: "%02d:%02d", hours.first!, minutes.first!)
        }
        if fields[2] == "*", fields[3] == "*" {
            if fields[4] == "*" {
                if let time = time() { return "Daily at \(time)" }
                if fields[1] == "*", minutes.count == 1 { return "Hourly at :\(String(format: "%02d", minutes.first!))" }
                if fields[1] == "*", fields[0].hasPrefix("*/") { return "Every \(fields[0].dropFirst(2)) minutes" }
            } else if let time = time() {
                let days = daysOfWeek.sorted()
                if days == [1, 2, 3, 4, 5] { return "Weekdays at \(time)" }
                if days == [0, 6] { return "Weekends at \(time)" }
                let names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
                return "\(days.map { names[$0] }.joined(separator: ", ")) at \(time)"
            }
        }
        return "Cron: \(source)"
    }
}
