import Foundation
import Testing
@testable import Recurrence

/// The examples of RFC 5545 §3.8.5.3, with DTSTART;TZID=America/New_York as the RFC writes them. Wall-clock times
/// stay at 09:00 across the October 1997 change from EDT to EST.
@Suite("RFC 5545 §3.8.5.3 examples")
struct RFC5545ExamplesTests {
    typealias E = Expand

    @Test("Daily for 10 occurrences")
    func dailyCount() throws {
        #expect(try E.wallClock("19970902T090000", ["RRULE:FREQ=DAILY;COUNT=10"]) == E.days("199709", Array(2...11)))
    }

    @Test("Daily until December 24, 1997: 113 occurrences, 13:00Z in EDT and 14:00Z in EST")
    func dailyUntil() throws {
        let times = try E.wallClock("19970902T090000", ["RRULE:FREQ=DAILY;UNTIL=19971224T000000Z"])
        #expect(times.count == 113 && times.first == "19970902T090000" && times.last == "19971223T090000")
        let instants = try E.utcTimes("19970902T090000", ["RRULE:FREQ=DAILY;UNTIL=19971224T000000Z"], zone: E.newYork)
        #expect(instants[0] == "19970902T130000Z" && instants.last == "19971223T140000Z")
        #expect(instants.contains("19971025T130000Z") && instants.contains("19971026T140000Z"))
    }

    @Test("Every 10 days, 5 occurrences")
    func everyTenDays() throws {
        #expect(try E.wallClock("19970902T090000", ["RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5"]) == E.days("199709", [2, 12, 22]) + E.days("199710", [2, 12]))
    }

    @Test("Every day in January, for 3 years (yearly and daily forms)")
    func januaryDays() throws {
        let expected = ["1998", "1999", "2000"].flatMap { E.days($0 + "01", Array(1...31)) }
        #expect(try E.wallClock("19980101T090000", ["RRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA"]) == expected)
        #expect(try E.wallClock("19980101T090000", ["RRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1"]) == expected)
    }

    @Test("Weekly for 10 occurrences")
    func weekly() throws {
        #expect(try E.wallClock("19970902T090000", ["RRULE:FREQ=WEEKLY;COUNT=10"]) == E.days("199709", [2, 9, 16, 23, 30]) + E.days("199710", [7, 14, 21, 28]) + E.days("199711", [4]))
    }

    @Test("Every other week on Monday, Wednesday, and Friday until December 24, 1997, starting on Monday, September 1, 1997")
    func everyOtherWeekMWF() throws {
        let expected = E.days("199709", [1, 3, 5, 15, 17, 19, 29]) + E.days("199710", [1, 3, 13, 15, 17, 27, 29, 31])
            + E.days("199711", [10, 12, 14, 24, 26, 28]) + E.days("199712", [8, 10, 12, 22])
        #expect(try E.wallClock("19970901T090000", ["RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR"]) == expected)
    }

    @Test("WKST changes the result: every other week on Tuesday and Sunday")
    func weekStart() throws {
        #expect(try E.wallClock("19970805T090000", ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"]) == E.days("199708", [5, 10, 19, 24]))
        #expect(try E.wallClock("19970805T090000", ["RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"]) == E.days("199708", [5, 17, 19, 31]))
    }

    @Test("Monthly on the first Friday for 10 occurrences")
    func firstFriday() throws {
        #expect(try E.wallClock("19970905T090000", ["RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR"]) == [
            "19970905T090000", "19971003T090000", "19971107T090000", "19971205T090000", "19980102T090000",
            "19980206T090000", "19980306T090000", "19980403T090000", "19980501T090000", "19980605T090000",
        ])
    }

    @Test("Every other month on the first and last Sunday of the month for 10 occurrences")
    func firstAndLastSunday() throws {
        #expect(try E.wallClock("19970907T090000", ["RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU"]) ==
            E.days("199709", [7, 28]) + E.days("199711", [2, 30]) + E.days("199801", [4, 25]) + E.days("199803", [1, 29]) + E.days("199805", [3, 31]))
    }

    @Test("Monthly on the second-to-last Monday of the month for 6 months")
    func secondToLastMonday() throws {
        #expect(try E.wallClock("19970922T090000", ["RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=-2MO"]) ==
            ["19970922T090000", "19971020T090000", "19971117T090000", "19971222T090000", "19980119T090000", "19980216T090000"])
    }

    @Test("Monthly on the third-to-the-last day of the month")
    func thirdToLastDay() throws {
        #expect(try E.wallClock("19970928T090000", ["RRULE:FREQ=MONTHLY;BYMONTHDAY=-3"], limit: 6) ==
            ["19970928T090000", "19971029T090000", "19971128T090000", "19971229T090000", "19980129T090000", "19980226T090000"])
    }

    @Test("Monthly on the first and last day of the month for 10 occurrences")
    func firstAndLastDay() throws {
        #expect(try E.wallClock("19970930T090000", ["RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1"]) ==
            E.days("199709", [30]) + E.days("199710", [1, 31]) + E.days("199711", [1, 30]) + E.days("199712", [1, 31]) + E.days("199801", [1, 31]) + E.days("199802", [1]))
    }

    @Test("Every 18 months on the 10th thru 15th of the month for 10 occurrences")
    func eighteenMonths() throws {
        #expect(try E.wallClock("19970910T090000", ["RRULE:FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15"]) ==
            E.days("199709", Array(10...15)) + E.days("199903", Array(10...13)))
    }

    @Test("Every Tuesday, every other month")
    func tuesdaysEveryOtherMonth() throws {
        #expect(try E.wallClock("19970902T090000", ["RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=TU"], limit: 13) ==
            E.days("199709", [2, 9, 16, 23, 30]) + E.days("199711", [4, 11, 18, 25]) + E.days("199801", [6, 13, 20, 27]))
    }

    @Test("Yearly in June and July for 10 occurrences")
    func juneAndJuly() throws {
        #expect(try E.wallClock("19970610T090000", ["RRULE:FREQ=YEARLY;COUNT=10;BYMONTH=6,7"]) ==
            (1997...2001).flatMap { E.days("\($0)06", [10]) + E.days("\($0)07", [10]) })
    }

    @Test("Every third year on the 1st, 100th, and 200th day for 10 occurrences")
    func yearDays() throws {
        #expect(try E.wallClock("19970101T090000", ["RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200"]) == [
            "19970101T090000", "19970410T090000", "19970719T090000", "20000101T090000", "20000409T090000",
            "20000718T090000", "20030101T090000", "20030410T090000", "20030719T090000", "20060101T090000",
        ])
    }

    @Test("Every 20th Monday of the year, and Monday of week number 20")
    func twentiethMondayAndWeekTwenty() throws {
        #expect(try E.wallClock("19970519T090000", ["RRULE:FREQ=YEARLY;BYDAY=20MO"], limit: 3) == ["19970519T090000", "19980518T090000", "19990517T090000"])
        #expect(try E.wallClock("19970512T090000", ["RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"], limit: 3) == ["19970512T090000", "19980511T090000", "19990517T090000"])
    }

    @Test("Every Thursday in March")
    func thursdaysInMarch() throws {
        #expect(try E.wallClock("19970313T090000", ["RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=TH"], limit: 11) ==
            E.days("199703", [13, 20, 27]) + E.days("199803", [5, 12, 19, 26]) + E.days("199903", [4, 11, 18, 25]))
    }

    @Test("Every Friday the 13th, DTSTART excluded by EXDATE")
    func fridayThe13th() throws {
        #expect(try E.wallClock("19970902T090000", ["EXDATE;TZID=America/New_York:19970902T090000", "RRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"], limit: 5) ==
            ["19980213T090000", "19980313T090000", "19981113T090000", "19990813T090000", "20001013T090000"])
    }

    @Test("The first Saturday that follows the first Sunday of the month")
    func saturdayAfterFirstSunday() throws {
        #expect(try E.wallClock("19970913T090000", ["RRULE:FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13"], limit: 6) ==
            ["19970913T090000", "19971011T090000", "19971108T090000", "19971213T090000", "19980110T090000", "19980207T090000"])
    }

    @Test("U.S. Presidential Election day: every 4 years, the first Tuesday after a Monday in November")
    func electionDay() throws {
        #expect(try E.wallClock("19961105T090000", ["RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8"], limit: 3) ==
            ["19961105T090000", "20001107T090000", "20041102T090000"])
    }

    @Test("BYSETPOS: the third instance of Tuesday, Wednesday or Thursday for the next 3 months; the second-to-last weekday")
    func setPositions() throws {
        #expect(try E.wallClock("19970904T090000", ["RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3"]) == ["19970904T090000", "19971007T090000", "19971106T090000"])
        #expect(try E.wallClock("19970929T090000", ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2"], limit: 7) ==
            ["19970929T090000", "19971030T090000", "19971127T090000", "19971230T090000", "19980129T090000", "19980226T090000", "19980330T090000"])
    }

    @Test("The last work day of the month (BYSETPOS=-1)")
    func lastWorkDay() throws {
        #expect(try E.wallClock("19970930T090000", ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"], limit: 5) ==
            ["19970930T090000", "19971031T090000", "19971128T090000", "19971231T090000", "19980130T090000"])
    }

    @Test("Invalid dates are skipped: the 15th and 30th of each month for 5 occurrences passes over 30 February")
    func invalidDatesSkipped() throws {
        #expect(try E.wallClock("20070115T090000", ["RRULE:FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5"]) ==
            ["20070115T090000", "20070130T090000", "20070215T090000", "20070315T090000", "20070330T090000"])
        // Monthly on the 31st skips 30-day months; yearly on 29 February waits for leap years.
        #expect(try E.wallClock("20260131T090000", ["RRULE:FREQ=MONTHLY;COUNT=4"], before: "20300101T000000") == ["20260131T090000", "20260331T090000", "20260531T090000", "20260731T090000"])
        #expect(try E.wallClock("20240229T090000", ["RRULE:FREQ=YEARLY;COUNT=3"], before: "20400101T000000") == ["20240229T090000", "20280229T090000", "20320229T090000"])
    }

    @Test("Sub-daily frequencies (every 3 hours, every 15 minutes) are refused with a clear error")
    func subDailyRefused() {
        #expect(throws: RecurrenceSetError.unsupportedFrequency(.hourly)) { try E.wallClock("19970902T090000", ["RRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z"]) }
        #expect(throws: RecurrenceSetError.unsupportedFrequency(.minutely)) { try E.wallClock("19970902T090000", ["RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=6"]) }
    }

    @Test("BYHOUR and BYMINUTE expand a day into several times")
    func timesOfDay() throws {
        #expect(try E.wallClock("19970902T090000", ["RRULE:FREQ=DAILY;COUNT=5;BYHOUR=9,17;BYMINUTE=0,30"]) ==
            ["19970902T090000", "19970902T093000", "19970902T170000", "19970902T173000", "19970903T090000"])
    }
}
