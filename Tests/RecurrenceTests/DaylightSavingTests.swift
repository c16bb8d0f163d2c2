import Foundation
import Testing
@testable import Recurrence

/// Rules run on the wall clock; the time zone only places each wall-clock time on the time line.
@Suite("Daylight-saving changes")
struct DaylightSavingTests {
    typealias E = Expand

    @Test("a weekly 09:00 Europe/Berlin meeting is 08:00Z in winter and 07:00Z in summer")
    func berlinWeekly() throws {
        let times = try E.utcTimes("20260316T090000", ["RRULE:FREQ=WEEKLY;COUNT=4"], zone: E.berlin, before: "20270101T000000")
        // Clocks go forward on Sunday 29 March 2026.
        #expect(times == ["20260316T080000Z", "20260323T080000Z", "20260330T070000Z", "20260406T070000Z"])
        let autumn = try E.utcTimes("20261019T090000", ["RRULE:FREQ=WEEKLY;COUNT=3"], zone: E.berlin, before: "20270101T000000")
        // And back on Sunday 25 October 2026.
        #expect(autumn == ["20261019T070000Z", "20261026T080000Z", "20261102T080000Z"])
    }

    @Test("America/New_York: a daily 09:00 across both 2026 changes (8 March, 1 November)")
    func newYorkDaily() throws {
        let spring = try E.utcTimes("20260307T090000", ["RRULE:FREQ=DAILY;COUNT=3"], zone: E.newYork, before: "20270101T000000")
        #expect(spring == ["20260307T140000Z", "20260308T130000Z", "20260309T130000Z"])
        let autumn = try E.utcTimes("20261031T090000", ["RRULE:FREQ=DAILY;COUNT=3"], zone: E.newYork, before: "20270101T000000")
        #expect(autumn == ["20261031T130000Z", "20261101T140000Z", "20261102T140000Z"])
    }

    @Test("a time in the spring-forward gap uses the offset before the gap (RFC 5545 §3.3.5): 02:30 is 03:30 after the change")
    func gap() throws {
        let berlin = try E.utcTimes("20260328T023000", ["RRULE:FREQ=DAILY;COUNT=3"], zone: E.berlin, before: "20270101T000000")
        #expect(berlin == ["20260328T013000Z", "20260329T013000Z", "20260330T003000Z"])
        let newYork = try E.utcTimes("20260307T023000", ["RRULE:FREQ=DAILY;COUNT=3"], zone: E.newYork, before: "20270101T000000")
        #expect(newYork == ["20260307T073000Z", "20260308T073000Z", "20260309T063000Z"])
        // The wall clock keeps the rule's time; the instant is what 02:30 with the old offset names.
        let wall = try E.wallClock("20260328T023000", ["RRULE:FREQ=DAILY;COUNT=3"], zone: E.berlin, before: "20270101T000000")
        #expect(wall == ["20260328T023000", "20260329T023000", "20260330T023000"])
    }

    @Test("an ambiguous time in the fall-back overlap is its first occurrence (RFC 5545 §3.3.5)")
    func overlap() throws {
        let berlin = try E.utcTimes("20261024T023000", ["RRULE:FREQ=DAILY;COUNT=3"], zone: E.berlin, before: "20270101T000000")
        // 02:30 on 25 October happens at 00:30Z (CEST) and again at 01:30Z (CET): the first.
        #expect(berlin == ["20261024T003000Z", "20261025T003000Z", "20261026T013000Z"])
        let newYork = try E.utcTimes("20261031T013000", ["RRULE:FREQ=DAILY;COUNT=3"], zone: E.newYork, before: "20270101T000000")
        #expect(newYork == ["20261031T053000Z", "20261101T053000Z", "20261102T063000Z"])
    }

    @Test("LocalDateTime.instant(in:) round-trips ordinary times in many zones")
    func roundTrip() {
        for identifier in ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo", "UTC"] {
            let zone = TimeZone(identifier: identifier)!
            var instant = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01
            for _ in 0..<400 {
                instant.addTimeInterval(86_400 + 3_607)
                let local = LocalDateTime(instant, in: zone)
                let back = local.instant(in: zone)
                // Equal, except for the second reading of an overlap, which maps to the first.
                #expect(back == instant || back < instant, "\(identifier) \(local)")
            }
        }
    }

    @Test("UNTIL in UTC bounds by the instant, so the last 09:00 EST occurrence before 14:00Z is kept")
    func untilAcrossChange() throws {
        let times = try E.utcTimes("20261030T090000", ["RRULE:FREQ=DAILY;UNTIL=20261102T140000Z"], zone: E.newYork, before: "20270101T000000")
        #expect(times == ["20261030T130000Z", "20261031T130000Z", "20261101T140000Z", "20261102T140000Z"])
    }
}
