/// Week numbers as BYWEEKNO counts them (RFC 5545 §3.3.10): weeks begin on WKST, and week 1 of a year is the first
/// week with at least four of its days in that year (ISO 8601's rule with a movable week start). A day in early
/// January can belong to the last week of the year before, and a day in late December to week 1 of the next.
struct WeekNumbering {
    let weekStart: Weekday

    /// Day number of the first day of week 1 of `year`.
    func firstWeekStart(_ year: Int) -> Int {
        let january1 = CivilDate(year: year, month: 1, day: 1).dayNumber
        let offset = (Weekday(dayNumber: january1).rawValue - weekStart.rawValue + 7) % 7
        let weekContainingJanuary1 = january1 - offset
        // That week has 7 - offset days in the year; with four or more it is week 1.
        return 7 - offset >= 4 ? weekContainingJanuary1 : weekContainingJanuary1 + 7
    }

    func weeks(in year: Int) -> Int { (firstWeekStart(year + 1) - firstWeekStart(year)) / 7 }

    /// The week-numbering year `day` belongs to, its week number there, and that year's number of weeks.
    func week(of day: CivilDate) -> (number: Int, weeksInYear: Int) {
        let n = day.dayNumber
        var year = day.year
        if n < firstWeekStart(year) {
            year -= 1
        } else if n >= firstWeekStart(year + 1) {
            year += 1
        }
        return ((n - firstWeekStart(year)) / 7 + 1, weeks(in: year))
    }

    /// Whether `day`'s week is one of `numbers` (negative numbers count back from the last week of its year).
    func matches(_ day: CivilDate, _ numbers: [Int]) -> Bool {
        let week = week(of: day)
        return numbers.contains { $0 > 0 ? $0 == week.number : week.weeksInYear + $0 + 1 == week.number }
    }
}
