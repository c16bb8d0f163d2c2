import Foundation

/// A series' recurrence set (RFC 5545 §3.8.5): DTSTART, its RRULEs, RDATEs and EXDATEs. The set is DTSTART, plus
/// every time a rule generates, plus the RDATEs, minus the EXDATEs, with duplicates counted once. Rules are expanded
/// on the series' wall clock and only then placed in its time zone, so a 09:00 Europe/Berlin meeting stays at
/// 09:00 (08:00Z in winter, 07:00Z in summer).
public struct RecurrenceSet: Hashable, Sendable {
    public var start: RecurrenceDate
    public var rules: [RecurrenceRule]
    public var additions: [RecurrenceDate]
    public var exclusions: [RecurrenceDate]
    /// Where an all-day series' days sit on the time line, for the window: midnight here. Timed series use their own zone.
    public var allDayTimeZone: TimeZone

    public init(start: RecurrenceDate, rules: [RecurrenceRule] = [], additions: [RecurrenceDate] = [],
                exclusions: [RecurrenceDate] = [], allDayTimeZone: TimeZone = TimeZone(identifier: "UTC")!) {
        self.start = start
        self.rules = rules
        self.additions = additions
        self.exclusions = exclusions
        self.allDayTimeZone = allDayTimeZone
    }

    /// The zone rules are placed in: DTSTART's own, or the all-day zone.
    public var timeZone: TimeZone {
        if case .dateTime(_, let zone) = start { zone } else { allDayTimeZone }
    }

    /// The occurrences whose start lies in [from, to), in order; with `limit`, only the first `limit` of them, and
    /// each rule stops as soon as it has produced enough, so an open-ended window over an endless rule stays cheap.
    ///
    /// DTSTART is always the first occurrence, even when the rules would not generate it: RFC 5545 §3.8.5 says
    /// DTSTART "defines the first instance in the recurrence set" and §3.3.10 that it "always counts as the first
    /// occurrence" of COUNT (while calling a set whose DTSTART does not match its rule "undefined"). python-dateutil's
    /// `rrulestr(..., compatible=True)` also adds DTSTART to the set, but its rule still yields COUNT further times,
    /// one more than the RFC in that case (the cross-check accounts for it). EXDATEs remove occurrences after
    /// the set is computed, so an excluded occurrence still used up its place in COUNT.
    public func occurrences(from: Date, to: Date, limit: Int? = nil) throws(RecurrenceSetError) -> [Occurrence] {
        guard from < to, limit.map({ $0 > 0 }) ?? true else { return [] }
        let zone = timeZone
        let allDay = start.isAllDay
        let startTime = start.wallClock
        // A period that starts after this day cannot hold a time before `to`; one day of slack covers any offset.
        let horizon = LocalDateTime(to, in: zone).date.adding(days: 1)
        // Enough from each rule to fill `limit` after EXDATEs: one more per EXDATE, unless a DATE excludes a whole
        // day of a timed series (any number of times), where no early stop is safe.
        let excludesDays = !allDay && exclusions.contains(where: \.isAllDay)
        let perRule = excludesDays ? nil : limit.map { $0 + exclusions.count }
        var times: [LocalDateTime] = [startTime]
        for rule in rules {
            if allDay && !(rule.byHour.isEmpty && rule.byMinute.isEmpty && rule.bySecond.isEmpty) {
                throw .timePartsOnAllDaySeries(rule: rule.description)
            }
            let expansion = try RuleExpansion(rule: rule, start: startTime)
            var generated = expansion.times(through: horizon, limit: rule.count, inWindowLimit: perRule, isInWindow: { $0.instant(in: zone) >= from }) {
                isPast(rule.until, $0, zone: zone)
            }
            if let count = rule.count, generated.first != startTime {
                generated = Array(generated.prefix(count - 1))
            }
            times += generated
        }
        var found: [OccurrenceStart: Occurrence] = [:]
        func add(_ time: LocalDateTime) {
            let occurrence = occurrence(time, zone: zone, allDay: allDay)
            found[occurrence.start] = occurrence
        }
        times.forEach(add)
        for addition in additions { add(wallClock(addition, zone: zone, allDay: allDay)) }
        for exclusion in exclusions {
            switch (exclusion, allDay) {
            case (.date(let date), _):
                // A DATE excludes that day; on a timed series (a mismatch RFC 5545 forbids) it excludes that day's times.
                found = found.filter { $0.value.wallClock.date != date }
            case (.dateTime(let time, _), true):
                found[.allDay(time.date)] = nil
            case (.dateTime, false):
                found[.timed(exclusion.instant(allDayZone: zone))] = nil
            }
        }
        let sorted = found.values.filter { $0.instant >= from && $0.instant < to }.sorted { $0.instant < $1.instant }
        return limit.map { Array(sorted.prefix($0)) } ?? sorted
    }

    private func occurrence(_ time: LocalDateTime, zone: TimeZone, allDay: Bool) -> Occurrence {
        let instant = time.instant(in: zone)
        return Occurrence(start: allDay ? .allDay(time.date) : .timed(instant), wallClock: allDay ? LocalDateTime(time.date) : time, instant: instant)
    }

    /// An RDATE on the series' wall clock: a DATE on a timed series takes DTSTART's time of day.
    private func wallClock(_ value: RecurrenceDate, zone: TimeZone, allDay: Bool) -> LocalDateTime {
        switch value {
        case .date(let date): return allDay ? LocalDateTime(date) : LocalDateTime(date, hour: start.wallClock.hour, minute: start.wallClock.minute, second: start.wallClock.second)
        case .dateTime(let time, let valueZone):
            return allDay ? LocalDateTime(time.date) : LocalDateTime(time.instant(in: valueZone), in: zone)
        }
    }

    /// UNTIL is inclusive. A DATE bounds by the day on the wall clock, UTC by the instant, floating by the wall clock.
    private func isPast(_ until: RecurrenceRule.Until?, _ time: LocalDateTime, zone: TimeZone) -> Bool {
        switch until {
        case nil: false
        case .date(let date): time.date > date
        case .utc(let limit): time.instant(in: zone) > limit.instant(in: .utc)
        case .floating(let limit): time > limit
        }
    }
}
