/// Expands one recurrence rule from its DTSTART into wall-clock times, period by period (a year, month, week or
/// day, stepped by INTERVAL from the period holding DTSTART), as RFC 5545 §3.3.10 describes: the BYxxx parts
/// pick days within each period, BYHOUR/BYMINUTE/BYSECOND expand each day into times, BYSETPOS picks among the
/// period's times, and times before DTSTART are dropped. Every RFC "expand" and "limit" amounts to keeping the
/// days of the period that satisfy every BYxxx part, which is how this is written.
struct RuleExpansion {
    let rule: RecurrenceRule
    let start: LocalDateTime
    private let byMonth: [Int]
    private let byMonthDay: [Int]
    private let byDay: [WeekdayNum]
    private let times: [(hour: Int, minute: Int, second: Int)]
    private let weeks: WeekNumbering

    init(rule: RecurrenceRule, start: LocalDateTime) throws(RecurrenceSetError) {
        // Sub-daily rules step through wall-clock hours that daylight-saving changes remove or repeat, where
        // implementations disagree; calendars (Google's included) do not offer them, so they are refused, not guessed.
        guard rule.frequency >= .daily else { throw .unsupportedFrequency(rule.frequency) }
        self.rule = rule
        self.start = start
        var byMonth = rule.byMonth
        var byMonthDay = rule.byMonthDay
        var byDay = rule.byDay
        // With no day-level part, the day comes from DTSTART (RFC 5545: "information, not contained in the rule,
        // necessary to determine the various recurrence instance start time and dates are derived from DTSTART").
        if rule.byWeekNo.isEmpty && rule.byYearDay.isEmpty && byMonthDay.isEmpty && byDay.isEmpty {
            switch rule.frequency {
            case .yearly:
                if byMonth.isEmpty { byMonth = [start.date.month] }
                byMonthDay = [start.date.day]
            case .monthly: byMonthDay = [start.date.day]
            case .weekly: byDay = [WeekdayNum(start.date.weekday)]
            default: break
            }
        }
        self.byMonth = byMonth
        self.byMonthDay = byMonthDay
        self.byDay = byDay
        let hours = rule.byHour.isEmpty ? [start.hour] : Array(Set(rule.byHour)).sorted()
        let minutes = rule.byMinute.isEmpty ? [start.minute] : Array(Set(rule.byMinute)).sorted()
        let seconds = rule.bySecond.isEmpty ? [start.second] : Array(Set(rule.bySecond)).sorted()
        times = hours.flatMap { h in minutes.flatMap { m in seconds.map { s in (h, m, s) } } }
        weeks = WeekNumbering(weekStart: rule.weekStart)
    }

    /// The rule's times from DTSTART on, in order, stopping at the first period that starts after `horizon`, at the
    /// first time `isPastUntil` says is beyond UNTIL, after `limit` times (COUNT), or after `inWindowLimit` times
    /// for which `isInWindow` holds.
    func times(through horizon: CivilDate, limit: Int?, inWindowLimit: Int? = nil, isInWindow: (LocalDateTime) -> Bool = { _ in true },
               isPastUntil: (LocalDateTime) -> Bool) -> [LocalDateTime] {
        var result: [LocalDateTime] = []
        var inWindow = 0
        if limit == 0 || inWindowLimit == 0 { return result }
        let horizonDay = horizon.dayNumber
        var period = 0
        while true {
            let days = periodDays(period)
            guard let first = days.first, first <= horizonDay else { return result }
            var candidates: [LocalDateTime] = []
            for dayNumber in days {
                let day = CivilDate(dayNumber: dayNumber)
                guard matches(day) else { continue }
                for time in times {
                    let candidate = LocalDateTime(day, hour: time.hour, minute: time.minute, second: time.second)
                    if candidate.isValid { candidates.append(candidate) }
                }
            }
            if !rule.bySetPos.isEmpty { candidates = selectPositions(candidates) }
            for candidate in candidates where candidate >= start {
                if isPastUntil(candidate) { return result }
                result.append(candidate)
                if let limit, result.count >= limit { return result }
                if let inWindowLimit, isInWindow(candidate) {
                    inWindow += 1
                    if inWindow >= inWindowLimit { return result }
                }
            }
            period += 1
        }
    }

    /// The day numbers of the `index`th period after the one holding DTSTART.
    private func periodDays(_ index: Int) -> [Int] {
        let step = index * rule.interval
        switch rule.frequency {
        case .yearly:
            let year = start.date.year + step
            let january1 = CivilDate(year: year, month: 1, day: 1).dayNumber
            return Array(january1..<(january1 + CivilDate.daysIn(year: year)))
        case .monthly:
            let months = start.date.year * 12 + start.date.month - 1 + step
            let year = months / 12, month = months % 12 + 1
            let first = CivilDate(year: year, month: month, day: 1).dayNumber
            return Array(first..<(first + CivilDate.daysIn(month: month, year: year)))
        case .weekly:
            let startDay = start.date.dayNumber
            let weekFirst = startDay - (start.date.weekday.rawValue - rule.weekStart.rawValue + 7) % 7 + 7 * step
            return Array(weekFirst..<(weekFirst + 7))
        default:
            return [start.date.dayNumber + step]
        }
    }

    private func matches(_ day: CivilDate) -> Bool {
        if !byMonth.isEmpty && !byMonth.contains(day.month) { return false }
        if !rule.byWeekNo.isEmpty && !weeks.matches(day, rule.byWeekNo) { return false }
        if !rule.byYearDay.isEmpty {
            let length = CivilDate.daysIn(year: day.year), ordinal = day.dayOfYear
            if !rule.byYearDay.contains(where: { $0 > 0 ? $0 == ordinal : length + $0 + 1 == ordinal }) { return false }
        }
        if !byMonthDay.isEmpty {
            let length = CivilDate.daysIn(month: day.month, year: day.year)
            if !byMonthDay.contains(where: { $0 > 0 ? $0 == day.day : length + $0 + 1 == day.day }) { return false }
        }
        if !byDay.isEmpty && !byDay.contains(where: { matches(day, $0) }) { return false }
        return true
    }

    /// An ordinal weekday counts within the month for MONTHLY (and YEARLY with BYMONTH), else within the year.
    private func matches(_ day: CivilDate, _ entry: WeekdayNum) -> Bool {
        guard day.weekday == entry.weekday else { return false }
        guard let ordinal = entry.ordinal else { return true }
        let first: Int, last: Int
        if rule.frequency == .monthly || (rule.frequency == .yearly && !rule.byMonth.isEmpty) {
            first = CivilDate(year: day.year, month: day.month, day: 1).dayNumber
            last = first + CivilDate.daysIn(month: day.month, year: day.year) - 1
        } else {
            first = CivilDate(year: day.year, month: 1, day: 1).dayNumber
            last = first + CivilDate.daysIn(year: day.year) - 1
        }
        let n = day.dayNumber
        return ordinal > 0 ? (n - first) / 7 + 1 == ordinal : -((last - n) / 7 + 1) == ordinal
    }

    /// BYSETPOS: the 1-based (or from-the-end negative) positions among the period's sorted times.
    private func selectPositions(_ candidates: [LocalDateTime]) -> [LocalDateTime] {
        var picked: Set<Int> = []
        for position in rule.bySetPos {
            let index = position > 0 ? position - 1 : candidates.count + position
            if candidates.indices.contains(index) { picked.insert(index) }
        }
        return picked.sorted().map { candidates[$0] }
    }
}
