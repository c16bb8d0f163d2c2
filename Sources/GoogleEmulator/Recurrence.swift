import Foundation

/// The part of RFC 5545 recurrence the emulator expands for `singleEvents=true`: RRULE with FREQ=DAILY, WEEKLY,
/// MONTHLY or YEARLY, INTERVAL, COUNT, UNTIL and (weekly) BYDAY, plus EXDATE. Other rule parts are not supported
/// (documented in docs/google-emulator.md); an event using them is returned unexpanded.
struct Recurrence: Sendable, Equatable {
    enum Frequency: String, Sendable { case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY" }

    var frequency: Frequency
    var interval = 1
    var count: Int?
    var until: Date?
    /// Weekdays as Calendar numbers (1 = Sunday … 7 = Saturday).
    var byDay: [Int] = []
    var exceptions: Set<Date> = []

    static let weekdays = ["SU": 1, "MO": 2, "TU": 3, "WE": 4, "TH": 5, "FR": 6, "SA": 7]

    /// Parses an event's `recurrence` lines; nil when there is no RRULE or it uses parts the emulator cannot expand.
    static func parse(_ lines: [String], timeZone: TimeZone) -> Recurrence? {
        var rule: Recurrence?
        var exceptions: Set<Date> = []
        for line in lines {
            if line.hasPrefix("RRULE:") {
                var parts: [String: String] = [:]
                for part in line.dropFirst(6).split(separator: ";") {
                    let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else { return nil }
                    parts[pair[0]] = pair[1]
                }
                guard let frequency = parts["FREQ"].flatMap(Frequency.init(rawValue:)) else { return nil }
                var parsed = Recurrence(frequency: frequency)
                for (key, value) in parts {
                    switch key {
                    case "FREQ", "WKST": break
                    case "INTERVAL": guard let n = Int(value), n > 0 else { return nil }; parsed.interval = n
                    case "COUNT": guard let n = Int(value), n > 0 else { return nil }; parsed.count = n
                    case "UNTIL": guard let date = Self.date(value, timeZone: timeZone) else { return nil }; parsed.until = date
                    case "BYDAY" where frequency == .weekly:
                        let days = value.split(separator: ",").compactMap { weekdays[String($0)] }
                        guard days.count == value.split(separator: ",").count else { return nil }
                        parsed.byDay = days.sorted()
                    default: return nil
                    }
                }
                rule = parsed
            } else if line.hasPrefix("EXDATE") {
                // EXDATE;TZID=Europe/Berlin:20261125T090000,20261202T090000 or EXDATE;VALUE=DATE:20261125 or EXDATE:…Z
                guard let colon = line.firstIndex(of: ":") else { continue }
                var zone = timeZone
                if let tzid = line[..<colon].components(separatedBy: "TZID=").dropFirst().first, let named = TimeZone(identifier: tzid) { zone = named }
                for value in line[line.index(after: colon)...].split(separator: ",") {
                    if let date = Self.date(String(value), timeZone: zone) { exceptions.insert(date) }
                }
            }
        }
        rule?.exceptions = exceptions
        return rule
    }

    /// 20261125T090000Z (UTC), 20261125T090000 (local in `timeZone`) or 20261125 (midnight in `timeZone`).
    static func date(_ text: String, timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = text.hasSuffix("Z") ? TimeZone(identifier: "UTC")! : timeZone
        let digits = text.filter(\.isNumber)
        func number(_ from: Int, _ length: Int) -> Int? {
            guard digits.count >= from + length else { return nil }
            let start = digits.index(digits.startIndex, offsetBy: from)
            return Int(digits[start..<digits.index(start, offsetBy: length)])
        }
        guard let year = number(0, 4), let month = number(4, 2), let day = number(6, 2) else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: number(8, 2) ?? 0, minute: number(10, 2) ?? 0, second: number(12, 2) ?? 0)
        return calendar.date(from: components)
    }

    /// The start of every occurrence from `start` (the first) that begins before `end`, honouring COUNT and UNTIL
    /// (counted from the first occurrence, as RFC 5545 does) and leaving out EXDATEs.
    func occurrences(from start: Date, before end: Date, timeZone: TimeZone, limit: Int = 5000) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var result: [Date] = []
        var produced = 0
        let time = calendar.dateComponents([.hour, .minute, .second], from: start)
        let startDay = calendar.dateComponents([.year, .month, .day, .weekday], from: start)

        func accept(_ candidate: Date) -> Bool {  // false: stop
            if let until, candidate > until { return false }
            if let count, produced >= count { return false }
            if candidate >= end || result.count >= limit { return false }
            produced += 1
            if !exceptions.contains(candidate) { result.append(candidate) }
            return true
        }

        var period = 0
        while period < 100_000 {
            defer { period += 1 }
            switch frequency {
            case .daily:
                guard let day = calendar.date(byAdding: .day, value: period * interval, to: start), accept(day) else { return result }
            case .weekly:
                guard let weekStart = calendar.date(byAdding: .weekOfYear, value: period * interval, to: start) else { return result }
                let first = startDay.weekday!
                let days = (byDay.isEmpty ? [first] : byDay).sorted { ($0 - first + 7) % 7 < ($1 - first + 7) % 7 }
                for weekday in days {
                    let offset = (weekday - first + 7) % 7
                    // Days before the first occurrence's weekday belong to the following week of the first period.
                    guard var day = calendar.date(byAdding: .day, value: offset, to: weekStart) else { continue }
                    day = calendar.date(bySettingHour: time.hour ?? 0, minute: time.minute ?? 0, second: time.second ?? 0, of: day) ?? day
                    if day < start { continue }
                    if !accept(day) { return result }
                }
            case .monthly, .yearly:
                let component: Calendar.Component = frequency == .monthly ? .month : .year
                guard let shifted = calendar.date(byAdding: component, value: period * interval, to: start) else { return result }
                // A month without the day (the 31st, 29 February) has no occurrence, as in RFC 5545.
                if calendar.component(.day, from: shifted) != startDay.day { continue }
                if !accept(shifted) { return result }
            }
        }
        return result
    }
}
