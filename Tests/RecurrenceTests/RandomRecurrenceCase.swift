import Foundation
@testable import Recurrence

/// A reproducible pseudo-random generator (SplitMix64): a seed names a case for good, so a divergence found once
/// can be rerun and turned into a unit test.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    /// The seed is hashed first: seeding the Weyl sequence directly would make seed n+1 replay seed n shifted by one.
    init(seed: UInt64) {
        state = seed
        state = next()
    }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One random recurrence set for the dateutil cross-check, in the JSON shape Fixtures/expand.py reads. Rules are
/// valid RFC 5545 (the parser enforces that anyway) and lean towards what makes expansion hard: daylight-saving
/// nights (02:00–03:00 in Europe and the US, midnight in Santiago), month ends, negative positions, BYSETPOS, WKST.
struct RandomRecurrenceCase: Codable {
    var id: String
    var dtstart: String
    /// nil for an all-day series.
    var tzid: String?
    var rrules: [String]
    /// `yyyyMMdd`, `yyyyMMddTHHmmss` (series zone) or `yyyyMMddTHHmmssZ`.
    var rdates: [String]
    var exdates: [String]
    var from: String
    var to: String

    static let zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Europe/London", "America/Los_Angeles", "Pacific/Auckland", "America/Santiago", "UTC"]

    /// The set as the Swift implementation reads it.
    func recurrenceSet() throws -> RecurrenceSet {
        let zone = tzid.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        guard let start = RecurrenceDate(parsing: dtstart, timeZone: zone) else { throw RecurrenceSetError.invalidLine(line: dtstart, reason: "bad DTSTART") }
        return try RecurrenceSet(start: start, lines: rrules.map { "RRULE:" + $0 } + rdates.map { "RDATE:" + $0 } + exdates.map { "EXDATE:" + $0 })
    }

    /// The occurrence starts in [from, to), formatted as expand.py prints them.
    func swiftOccurrences(limit: Int? = nil) throws -> [String] {
        let zone = tzid.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        func instant(_ text: String) -> Date { RecurrenceDate(parsing: text, timeZone: zone)!.instant(allDayZone: zone) }
        return try recurrenceSet().occurrences(from: instant(from), to: instant(to), limit: limit).map(\.start.description)
    }

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        func some(_ range: ClosedRange<Int>, upTo n: Int, signed: Bool = false) -> [Int] {
            (0..<Int.random(in: 1...n, using: &random)).map { _ in
                let value = Int.random(in: range, using: &random)
                return signed && chance(0.35) ? -value : value
            }
        }
        id = "seed-\(seed)"
        let allDay = chance(0.2)
        let zoneName = pick(Self.zones)
        tzid = allDay ? nil : zoneName
        let zone = TimeZone(identifier: allDay ? "UTC" : zoneName)!
        // Start near a daylight-saving change often: March/April and October/November.
        let year = Int.random(in: 2019...2030, using: &random)
        let month = chance(0.5) ? pick([3, 4, 9, 10, 11]) : Int.random(in: 1...12, using: &random)
        let day = chance(0.2) ? CivilDate.daysIn(month: month, year: year) - Int.random(in: 0...2, using: &random) : Int.random(in: 1...28, using: &random)
        var startDate = CivilDate(year: year, month: month, day: day)
        let hour = allDay ? 0 : (chance(0.4) ? pick([0, 1, 2, 3]) : Int.random(in: 0...23, using: &random))
        let start = LocalDateTime(startDate, hour: hour, minute: allDay ? 0 : pick([0, 0, 15, 30]), second: 0)
        dtstart = allDay ? startDate.description : start.description

        let frequency = pick([RecurrenceRule.Frequency.daily, .weekly, .weekly, .monthly, .monthly, .yearly, .yearly])
        var rule = RecurrenceRule(frequency: frequency)
        rule.interval = chance(0.55) ? 1 : Int.random(in: 2...4, using: &random)
        // Up to three day-level parts, chosen among those RFC 5545 allows for the frequency: more than that almost
        // always intersects to nothing.
        var allowed = ["BYMONTH", "BYDAY"]
        if frequency != .weekly { allowed.append("BYMONTHDAY") }
        if frequency == .yearly { allowed += ["BYWEEKNO", "BYYEARDAY"] }
        for part in allowed.shuffled(using: &random).prefix(pick([0, 1, 1, 1, 2, 2, 3])) {
            switch part {
            case "BYMONTH": rule.byMonth = some(1...12, upTo: 3)
            // ±52 and ±53 are left out of the negatives: see DateutilDifferencesTests for what dateutil does there.
            case "BYWEEKNO": rule.byWeekNo = some(1...53, upTo: 2).map { chance(0.3) ? -min($0, 51) : $0 }
            case "BYYEARDAY": rule.byYearDay = some(1...366, upTo: 3, signed: true)
            case "BYMONTHDAY": rule.byMonthDay = some(1...(chance(0.7) ? 28 : 31), upTo: 3, signed: true)
            default: break
            }
        }
        if allowed.contains("BYDAY") && rule.byDay.isEmpty && (rule.byMonth.isEmpty || chance(0.5)) && chance(0.5) {
            let ordinals = (frequency == .monthly || (frequency == .yearly && rule.byWeekNo.isEmpty)) && chance(0.5)
            let maxOrdinal = frequency == .yearly && rule.byMonth.isEmpty ? 53 : 5
            rule.byDay = (0..<Int.random(in: 1...3, using: &random)).map { _ in
                WeekdayNum(pick(Weekday.allCases), ordinals ? (chance(0.35) ? -1 : 1) * Int.random(in: 1...(chance(0.8) ? min(4, maxOrdinal) : maxOrdinal), using: &random) : nil)
            }
        }
        if !allDay && chance(0.15) { rule.byHour = some(0...23, upTo: 2) }
        if !allDay && chance(0.1) { rule.byMinute = some(0...59, upTo: 2) }
        let hasBy = !(rule.byMonth.isEmpty && rule.byWeekNo.isEmpty && rule.byYearDay.isEmpty && rule.byMonthDay.isEmpty && rule.byDay.isEmpty && rule.byHour.isEmpty && rule.byMinute.isEmpty)
        // Small positions: a position past the period's candidates never matches, and a rule that never matches
        // sends dateutil to year 9999 (expand.py gives up on it, and the case is skipped).
        let candidatesPerPeriod = frequency == .daily && rule.byHour.count + rule.byMinute.count <= 1 ? 1 : 2
        if hasBy && chance(0.2) { rule.bySetPos = some(1...candidatesPerPeriod, upTo: 2, signed: true) }
        if chance(0.25) { rule.weekStart = pick(Weekday.allCases) }
        let ending = Double.random(in: 0..<1, using: &random)
        if ending < 0.4 {
            rule.end = .count(Int.random(in: 1...30, using: &random))
        } else if ending < 0.7 {
            let untilDay = startDate.adding(days: Int.random(in: 0...900, using: &random))
            if allDay {
                rule.end = .until(.date(untilDay))
            } else {
                let local = LocalDateTime(untilDay, hour: Int.random(in: 0...23, using: &random), minute: pick([0, 30]), second: 0)
                rule.end = .until(.utc(LocalDateTime(local.instant(in: zone), in: TimeZone(identifier: "UTC")!)))
            }
        }
        rrules = [rule.description]
        if frequency == .weekly && !rule.bySetPos.isEmpty {
            // dateutil cuts the first week at DTSTART before BYSETPOS picks (DateutilDifferencesTests): start on WKST.
            startDate = startDate.adding(days: -((startDate.weekday.rawValue - rule.weekStart.rawValue + 7) % 7))
            dtstart = allDay ? startDate.description : LocalDateTime(startDate, hour: start.hour, minute: start.minute, second: 0).description
        }
        if chance(0.1) { rrules.append("FREQ=WEEKLY;BYDAY=\(pick(Weekday.allCases).code);COUNT=\(Int.random(in: 1...5, using: &random))") }

        func text(_ time: LocalDateTime) -> String {
            if allDay { return time.date.description }
            return chance(0.3) ? LocalDateTime(time.instant(in: zone), in: TimeZone(identifier: "UTC")!).description + "Z" : time.description
        }
        rdates = chance(0.2) ? (0..<Int.random(in: 1...2, using: &random)).map { _ in
            text(LocalDateTime(startDate.adding(days: Int.random(in: 0...120, using: &random)), hour: allDay ? 0 : Int.random(in: 0...23, using: &random), minute: 0, second: 0))
        } : []
        exdates = []
        // Mostly from around DTSTART (where COUNT and BYSETPOS bite), sometimes from later in the series.
        let windowStart = startDate.adding(days: chance(0.7) ? -Int.random(in: 0...20, using: &random) : Int.random(in: 0...400, using: &random))
        let windowEnd = windowStart.adding(days: Int.random(in: 20...1200, using: &random))
        from = allDay ? windowStart.description : LocalDateTime(windowStart).description + "Z"
        to = allDay ? windowEnd.description : LocalDateTime(windowEnd).description + "Z"
        // EXDATEs that hit: one or two of this implementation's own occurrences (the reference must agree they
        // exist for the lists to match), or DTSTART itself.
        if chance(0.35), let occurrences = try? recurrenceSet().occurrences(from: .distantPast, to: LocalDateTime(windowEnd).instant(in: zone)), !occurrences.isEmpty {
            let targets = occurrences.count > 1 && chance(0.8) ? Array(occurrences.dropFirst()) : occurrences
            exdates = (0..<Int.random(in: 1...2, using: &random)).map { _ in text(pick(targets).wallClock) }
        }
    }
}
