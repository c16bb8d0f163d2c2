import Foundation
import Testing
@testable import Recurrence

/// A feed the size issue 29's benchmark names (2,000 events), to show reading and expanding it stays linear and
/// correct: 1,000 single events, 1,000 weekly series of 10 with one override each, all in a Windows zone, with folded
/// descriptions. The timings are printed, not asserted (the machine's load is not the code's).
@Suite("iCalendar at scale")
struct ICalendarScaleTests {
    @Test("2,000 events: every one read, every series expanded with its override")
    func twoThousandEvents() throws {
        var body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//scale//EN\r\n"
        for index in 0..<1000 {
            let day = 1 + index % 28
            let date = "202604" + (day < 10 ? "0" : "") + String(day)
            body += "BEGIN:VEVENT\r\nUID:single-\(index)\r\nDTSTART;TZID=W. Europe Standard Time:\(date)T1000\(index % 6)0\r\nDURATION:PT30M\r\nSUMMARY:Single \(index)\r\nEND:VEVENT\r\n"
            body += "BEGIN:VEVENT\r\nUID:series-\(index)\r\nDTSTART;TZID=W. Europe Standard Time:20260302T0900\(index % 6)0\r\nDTEND;TZID=W. Europe Standard Time:20260302T1000\(index % 6)0\r\n"
                + "RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Series \(index)\r\nDESCRIPTION:\(String(repeating: "A long line that gets folded. ", count: 2))\r\n \(String(repeating: "And goes on. ", count: 5))\r\nEND:VEVENT\r\n"
            body += "BEGIN:VEVENT\r\nUID:series-\(index)\r\nRECURRENCE-ID;TZID=W. Europe Standard Time:20260316T0900\(index % 6)0\r\nDTSTART;TZID=W. Europe Standard Time:20260317T0900\(index % 6)0\r\nDTEND;TZID=W. Europe Standard Time:20260317T1000\(index % 6)0\r\nSUMMARY:Series \(index) (moved)\r\nEND:VEVENT\r\n"
        }
        body += "END:VCALENDAR\r\n"
        let clock = ContinuousClock()
        var calendar: ICalendar?
        let parsing = try clock.measure { calendar = try ICalendar(parsing: body) }
        let parsed = try #require(calendar)
        #expect(parsed.events.count == 3000 && parsed.problems.isEmpty)
        var occurrences: [ICalendarOccurrence] = []
        let expanding = try clock.measure { occurrences = try parsed.occurrences(from: Feeds.from, to: Feeds.to) }
        #expect(occurrences.count == 1000 + 1000 * 9)  // 9 of each series' 10 Mondays fall in March and April
        #expect(Set(occurrences.map(\.id)).count == occurrences.count)
        #expect(occurrences.filter(\.isOverride).count == 1000)
        print("iCalendar scale: \(body.utf8.count) bytes, 3,000 VEVENTs parsed in \(parsing), \(occurrences.count) occurrences expanded in \(expanding)")
    }
}
