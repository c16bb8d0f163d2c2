import Foundation
@testable import Recurrence

/// A random iCalendar feed for the feed cross-check: a few events in zones given as IANA names, Windows names with
/// their VTIMEZONE, UTC, floating or DATE values; DTEND, DURATION or no end; daily, weekly and monthly rules with
/// COUNT or UNTIL; EXDATEs; overrides that move, retitle or cancel an occurrence (RECURRENCE-ID written in the
/// series' form or, Google-style, in UTC); cancelled single events. Timed events start between 08:00 and 19:45
/// and last at most 4 hours unless given in whole days, so no occurrence spans a daylight-saving change: there the
/// two implementations differ on purpose (ICalendarDifferencesTests).
struct RandomFeed {
    var name: String
    var text: String

    enum Kind { case zoned(String, TimeZone), utc, floating, date }

    static let windowsBlocks = [
        "W. Europe Standard Time": "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n",
        "Eastern Standard Time": "BEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n",
    ]

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
        func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
        func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }
        let utc = TimeZone(identifier: "UTC")!
        name = "random-\(seed).ics"
        var blocks: Set<String> = []
        var events = ""
        for index in 0..<int(2...6) {
            let uid = "r\(seed)-\(index)@example.com"
            let kind: Kind
            switch int(0...6) {
            case 0: kind = .utc
            case 1: kind = .floating
            case 2: kind = .date
            case 3:
                let windows = pick(Array(Self.windowsBlocks.keys).sorted())
                blocks.insert(windows)
                kind = .zoned(windows, WindowsTimeZones.timeZone(forWindowsName: windows)!)
            default:
                let iana = pick(["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Europe/London"])
                kind = .zoned(iana, TimeZone(identifier: iana)!)
            }
            let day = CivilDate(year: 2026, month: 2, day: 15).adding(days: int(0...70))
            let wall = LocalDateTime(day, hour: int(8...19), minute: pick([0, 15, 30, 45]))
            func value(_ time: LocalDateTime, _ name: String, utcForm: Bool = false) -> String {
                switch kind {
                case .date: return "\(name);VALUE=DATE:\(time.date)"
                case .utc: return "\(name):\(time)Z"
                case .floating: return "\(name):\(time)"
                case .zoned(let tzid, let zone):
                    if utcForm { return "\(name):\(LocalDateTime(time.instant(in: zone), in: utc))Z" }
                    return "\(name);TZID=\(tzid):\(time)"
                }
            }
            var lines = ["UID:\(uid)", "DTSTAMP:20260201T000000Z", value(wall, "DTSTART"), "SUMMARY:Event \(index)"]
            let isDate: Bool = { if case .date = kind { true } else { false } }()
            switch int(0...2) {
            case 0: lines.append(isDate ? value(LocalDateTime(wall.date.adding(days: int(1...3))), "DTEND")
                                        : value(LocalDateTime(wall.date, hour: wall.hour, minute: wall.minute).adding(minutes: 15 * int(1...16)), "DTEND"))
            case 1: lines.append(isDate ? "DURATION:P\(int(1...2))D" : pick(["DURATION:PT\(15 * int(1...16))M", "DURATION:PT1H30M", "DURATION:P1D", "DURATION:PT2H"]))
            default: break
            }
            // UNTIL in the form §3.3.10 ties to DTSTART's: a DATE, floating, or UTC.
            func until(_ last: LocalDateTime) -> String {
                switch kind {
                case .date: last.date.description
                case .floating: last.description
                case .utc: last.description + "Z"
                case .zoned(_, let zone): LocalDateTime(last.instant(in: zone), in: utc).description + "Z"
                }
            }
            var step: Int?  // days between occurrences, when overrides can be placed by construction
            var count = 1
            if chance(0.65) {
                let interval = int(1...3)
                switch int(0...3) {
                case 0:
                    count = int(2...12)
                    step = interval
                    lines.append("RRULE:FREQ=DAILY;INTERVAL=\(interval);COUNT=\(count)")
                case 1:
                    count = int(2...8)
                    step = 7 * interval
                    // UNTIL at the last occurrence, in the form §3.3.10 ties to DTSTART's.
                    lines.append("RRULE:FREQ=WEEKLY;INTERVAL=\(interval);UNTIL=\(until(LocalDateTime(wall.date.adding(days: (count - 1) * 7 * interval), hour: wall.hour, minute: wall.minute)))")
                // Rules DTSTART may not match end by UNTIL: with COUNT, RFC 5545 counts DTSTART and dateutil (under
                // recurring-ical-events) does not (DateutilDifferencesTests, ICalendarDifferencesTests).
                case 2:
                    lines.append("RRULE:FREQ=WEEKLY;BYDAY=\(pick(["MO,WE", "TU,TH,SA", "FR", "SU,MO"]));UNTIL=\(until(LocalDateTime(wall.date.adding(days: int(7...40)), hour: 23, minute: 0)))")
                default:
                    lines.append("RRULE:FREQ=MONTHLY;BYDAY=\(pick(["2TU", "-1FR", "1MO"]));UNTIL=\(until(LocalDateTime(wall.date.adding(days: int(30...100)), hour: 23, minute: 0)))")
                }
            }
            var overrides: [[String]] = []
            if let step, count > 2 {
                func occurrence(_ k: Int) -> LocalDateTime { LocalDateTime(wall.date.adding(days: k * step), hour: wall.hour, minute: wall.minute) }
                var used: Set<Int> = []
                if chance(0.5) { let k = int(1...(count - 1)); used.insert(k); lines.append(value(occurrence(k), "EXDATE")) }
                for _ in 0..<int(0...2) {
                    let k = int(1...(count - 1))
                    guard used.insert(k).inserted else { continue }
                    let original = occurrence(k)
                    var moved = original
                    moved.date = moved.date.adding(days: int(-1...1))
                    if !isDate { moved.hour = int(8...19) }
                    var override = ["UID:\(uid)", "DTSTAMP:20260201T000000Z", value(original, "RECURRENCE-ID", utcForm: chance(0.3)),
                                    value(moved, "DTSTART"), "SUMMARY:Event \(index) (moved)", "SEQUENCE:1"]
                    if chance(0.25) { override.append("STATUS:CANCELLED") }
                    overrides.append(override)
                }
            } else if chance(0.15) {
                lines.append("STATUS:CANCELLED")
            }
            for block in [lines] + overrides { events += "BEGIN:VEVENT\r\n" + block.joined(separator: "\r\n") + "\r\nEND:VEVENT\r\n" }
        }
        text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//syncboard//random \(seed)//EN\r\n"
            + blocks.sorted().map { Self.windowsBlocks[$0]! }.joined() + events + "END:VCALENDAR\r\n"
    }
}

extension LocalDateTime {
    func adding(minutes: Int) -> LocalDateTime { LocalDateTime(naiveSeconds: naiveSeconds + minutes * 60) }
}
