extension RecurrenceRule {
    /// Parses an RRULE value such as `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20270101T000000Z`. A leading
    /// `RRULE:` (as in Google's `recurrence` lines) is accepted. Names and weekdays are case-insensitive, as
    /// RFC 5545 §2 says of all its names.
    public init(parsing text: String) throws(RecurrenceRuleError) {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.uppercased().hasPrefix("RRULE:") { body = body.dropFirst(6) }
        var seen: Set<String> = []
        var frequency: Frequency?
        var rule = RecurrenceRule(frequency: .daily)
        var count: Int?
        var until: Until?
        for piece in body.split(separator: ";", omittingEmptySubsequences: true) {
            guard let equals = piece.firstIndex(of: "="), equals != piece.startIndex else { throw .malformedPart(String(piece)) }
            let name = piece[..<equals].uppercased()
            let value = String(piece[piece.index(after: equals)...])
            guard seen.insert(name).inserted else { throw .duplicatePart(name) }
            switch name {
            case "FREQ":
                guard let parsed = Frequency(rawValue: value.uppercased()) else {
                    throw .invalidValue(part: name, value: value, expected: "one of " + Frequency.allCases.map(\.rawValue).joined(separator: ", "))
                }
                frequency = parsed
            case "INTERVAL": rule.interval = try Self.positive(name, value)
            case "COUNT": count = try Self.positive(name, value)
            case "UNTIL": until = try Self.until(value)
            case "BYSECOND": rule.bySecond = try Self.numbers(name, value, 0...60, signed: false)
            case "BYMINUTE": rule.byMinute = try Self.numbers(name, value, 0...59, signed: false)
            case "BYHOUR": rule.byHour = try Self.numbers(name, value, 0...23, signed: false)
            case "BYDAY": rule.byDay = try Self.weekdays(value)
            case "BYMONTHDAY": rule.byMonthDay = try Self.numbers(name, value, 1...31, signed: true)
            case "BYYEARDAY": rule.byYearDay = try Self.numbers(name, value, 1...366, signed: true)
            case "BYWEEKNO": rule.byWeekNo = try Self.numbers(name, value, 1...53, signed: true)
            case "BYMONTH": rule.byMonth = try Self.numbers(name, value, 1...12, signed: false)
            case "BYSETPOS": rule.bySetPos = try Self.numbers(name, value, 1...366, signed: true)
            case "WKST":
                guard let day = Weekday(code: value) else { throw .invalidValue(part: name, value: value, expected: "a weekday MO…SU") }
                rule.weekStart = day
            default: throw .unknownPart(name)
            }
        }
        guard let frequency else { throw .missingFrequency }
        rule.frequency = frequency
        if let count, until != nil { throw .conflict(part: "COUNT", reason: "COUNT=\(count) and UNTIL cannot both be given") }
        if let count { rule.end = .count(count) }
        if let until { rule.end = .until(until) }
        try rule.validate()
        self = rule
    }

    /// The RFC 5545 §3.3.10 constraints between parts.
    func validate() throws(RecurrenceRuleError) {
        if !byWeekNo.isEmpty && frequency != .yearly {
            throw .conflict(part: "BYWEEKNO", reason: "only FREQ=YEARLY may use it")
        }
        if !byYearDay.isEmpty && [.daily, .weekly, .monthly].contains(frequency) {
            throw .conflict(part: "BYYEARDAY", reason: "FREQ=\(frequency.rawValue) may not use it")
        }
        if !byMonthDay.isEmpty && frequency == .weekly {
            throw .conflict(part: "BYMONTHDAY", reason: "FREQ=WEEKLY may not use it")
        }
        if byDay.contains(where: { $0.ordinal != nil }) {
            if frequency != .monthly && frequency != .yearly {
                throw .conflict(part: "BYDAY", reason: "an ordinal weekday (such as 2TU) needs FREQ=MONTHLY or FREQ=YEARLY")
            }
            if frequency == .yearly && !byWeekNo.isEmpty {
                throw .conflict(part: "BYDAY", reason: "an ordinal weekday cannot be combined with BYWEEKNO")
            }
        }
        let others = [bySecond.count, byMinute.count, byHour.count, byDay.count, byMonthDay.count, byYearDay.count, byWeekNo.count, byMonth.count]
        if !bySetPos.isEmpty && others.allSatisfy({ $0 == 0 }) {
            throw .conflict(part: "BYSETPOS", reason: "it selects among the values of another BYxxx part, and there is none")
        }
    }

    static func positive(_ name: String, _ value: String) throws(RecurrenceRuleError) -> Int {
        guard value.allSatisfy(\.isASCIIDigit), let number = Int(value), number > 0 else {
            throw .invalidValue(part: name, value: value, expected: "a positive integer")
        }
        return number
    }

    /// A comma-separated list of integers in `range`, or (when `signed`) in `-range` too; 0 is never allowed there.
    static func numbers(_ name: String, _ value: String, _ range: ClosedRange<Int>, signed: Bool) throws(RecurrenceRuleError) -> [Int] {
        let expected = signed ? "integers from \(range.lowerBound) to \(range.upperBound) or their negatives" : "integers from \(range.lowerBound) to \(range.upperBound)"
        var result: [Int] = []
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let number = integer(item), range.contains(signed ? abs(number) : number), signed || !item.hasPrefix("+") else {
                throw .invalidValue(part: name, value: value, expected: expected)
            }
            result.append(number)
        }
        return result
    }

    static func weekdays(_ value: String) throws(RecurrenceRuleError) -> [WeekdayNum] {
        var result: [WeekdayNum] = []
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            let invalid = RecurrenceRuleError.invalidValue(part: "BYDAY", value: value, expected: "weekdays MO…SU, each optionally after an ordinal ±1…53 (2TU, -1FR)")
            guard item.count >= 2, let day = Weekday(code: item.suffix(2)) else { throw invalid }
            let prefix = item.dropLast(2)
            if prefix.isEmpty {
                result.append(WeekdayNum(day))
            } else {
                guard let ordinal = integer(prefix), (1...53).contains(abs(ordinal)) else { throw invalid }
                result.append(WeekdayNum(day, ordinal))
            }
        }
        return result
    }

    /// `yyyyMMdd`, `yyyyMMdd'T'HHmmss` or the same with `Z`.
    static func until(_ value: String) throws(RecurrenceRuleError) -> Until {
        guard let parsed = RecurrenceDateText.parse(value) else {
            throw .invalidValue(part: "UNTIL", value: value, expected: "a DATE (yyyyMMdd) or DATE-TIME (yyyyMMddTHHmmss, optionally with Z)")
        }
        switch parsed {
        case .date(let date): return .date(date)
        case .dateTime(let time, utc: true): return .utc(time)
        case .dateTime(let time, utc: false): return .floating(time)
        }
    }

    /// `[+|-]digits` with at most four digits (every numeric part fits): nothing Int(_:) might read more loosely.
    static func integer(_ text: Substring) -> Int? {
        var digits = text
        var sign = 1
        if let first = digits.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits) else { return nil }
        return sign * number
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
