import Testing
@testable import Recurrence

@Suite("RecurrenceRule: parsing and printing RRULE values")
struct RecurrenceRuleTests {
    @Test("every part is read, and printed back in a fixed order")
    func allParts() throws {
        let rule = try RecurrenceRule(parsing: "FREQ=YEARLY;INTERVAL=2;BYMONTH=1,3;BYYEARDAY=1,-1;BYDAY=MO,-1FR,+2TU;BYHOUR=8,9;BYMINUTE=30;BYSECOND=0;BYSETPOS=1,-1;WKST=SU;COUNT=10")
        #expect(rule.frequency == .yearly && rule.interval == 2 && rule.count == 10 && rule.until == nil)
        #expect(rule.byMonth == [1, 3] && rule.byYearDay == [1, -1])
        #expect(rule.byDay == [WeekdayNum(.monday), WeekdayNum(.friday, -1), WeekdayNum(.tuesday, 2)])
        #expect(rule.byHour == [8, 9] && rule.byMinute == [30] && rule.bySecond == [0] && rule.bySetPos == [1, -1] && rule.weekStart == .sunday)
        #expect(rule.description == "FREQ=YEARLY;COUNT=10;INTERVAL=2;BYMONTH=1,3;BYYEARDAY=1,-1;BYDAY=MO,-1FR,2TU;BYHOUR=8,9;BYMINUTE=30;BYSECOND=0;BYSETPOS=1,-1;WKST=SU")
        #expect(try RecurrenceRule(parsing: rule.description) == rule)
        let weekly = try RecurrenceRule(parsing: "FREQ=YEARLY;BYWEEKNO=20,-1;BYDAY=MO")
        #expect(weekly.byWeekNo == [20, -1] && weekly.description == "FREQ=YEARLY;BYWEEKNO=20,-1;BYDAY=MO")
    }

    @Test("the brief's example; a leading RRULE: and lower case are accepted; defaults are not printed")
    func example() throws {
        let rule = try RecurrenceRule(parsing: "rrule:freq=weekly;interval=2;byday=mo,we;until=20270101T000000Z;wkst=MO")
        #expect(rule.frequency == .weekly && rule.interval == 2 && rule.byDay.map(\.weekday) == [.monday, .wednesday])
        #expect(rule.until == .utc(LocalDateTime(year: 2027, month: 1, day: 1)))
        #expect(rule.description == "FREQ=WEEKLY;UNTIL=20270101T000000Z;INTERVAL=2;BYDAY=MO,WE")
        #expect(try RecurrenceRule(parsing: "FREQ=DAILY;INTERVAL=1").description == "FREQ=DAILY")
    }

    @Test("UNTIL keeps its form: DATE, UTC DATE-TIME or floating DATE-TIME")
    func untilForms() throws {
        #expect(try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=19971224").until == .date(CivilDate(year: 1997, month: 12, day: 24)))
        #expect(try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=19971224T000000Z").until == .utc(LocalDateTime(year: 1997, month: 12, day: 24)))
        #expect(try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=19971224T090000").until == .floating(LocalDateTime(year: 1997, month: 12, day: 24, hour: 9)))
        for text in ["FREQ=DAILY;UNTIL=19971224", "FREQ=DAILY;UNTIL=19971224T000000Z", "FREQ=DAILY;UNTIL=19971224T090000"] {
            #expect(try RecurrenceRule(parsing: text).description == text)
        }
    }

    @Test("all seven frequencies parse (RFC 5545 defines SECONDLY…YEARLY); the expander refuses the sub-daily ones")
    func frequencies() throws {
        for frequency in RecurrenceRule.Frequency.allCases {
            #expect(try RecurrenceRule(parsing: "FREQ=\(frequency.rawValue)").frequency == frequency)
        }
    }

    @Test("errors name the part and say what was expected", arguments: [
        ("INTERVAL=2", RecurrenceRuleError.missingFrequency),
        ("FREQ=FORTNIGHTLY", .invalidValue(part: "FREQ", value: "FORTNIGHTLY", expected: "one of SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY")),
        ("FREQ=DAILY;FREQ=WEEKLY", .duplicatePart("FREQ")),
        ("FREQ=DAILY;COLOR=RED", .unknownPart("COLOR")),
        ("FREQ=DAILY;COUNT", .malformedPart("COUNT")),
        ("FREQ=DAILY;COUNT=0", .invalidValue(part: "COUNT", value: "0", expected: "a positive integer")),
        ("FREQ=DAILY;INTERVAL=-1", .invalidValue(part: "INTERVAL", value: "-1", expected: "a positive integer")),
        ("FREQ=DAILY;UNTIL=20270230", .invalidValue(part: "UNTIL", value: "20270230", expected: "a DATE (yyyyMMdd) or DATE-TIME (yyyyMMddTHHmmss, optionally with Z)")),
        ("FREQ=MONTHLY;BYMONTHDAY=0", .invalidValue(part: "BYMONTHDAY", value: "0", expected: "integers from 1 to 31 or their negatives")),
        ("FREQ=MONTHLY;BYMONTHDAY=32", .invalidValue(part: "BYMONTHDAY", value: "32", expected: "integers from 1 to 31 or their negatives")),
        ("FREQ=YEARLY;BYMONTH=13", .invalidValue(part: "BYMONTH", value: "13", expected: "integers from 1 to 12")),
        ("FREQ=DAILY;BYHOUR=24", .invalidValue(part: "BYHOUR", value: "24", expected: "integers from 0 to 23")),
        ("FREQ=WEEKLY;BYDAY=MO,XX", .invalidValue(part: "BYDAY", value: "MO,XX", expected: "weekdays MO…SU, each optionally after an ordinal ±1…53 (2TU, -1FR)")),
        ("FREQ=MONTHLY;BYDAY=0MO", .invalidValue(part: "BYDAY", value: "0MO", expected: "weekdays MO…SU, each optionally after an ordinal ±1…53 (2TU, -1FR)")),
        ("FREQ=WEEKLY;WKST=XX", .invalidValue(part: "WKST", value: "XX", expected: "a weekday MO…SU")),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", .conflict(part: "COUNT", reason: "COUNT=3 and UNTIL cannot both be given")),
        ("FREQ=MONTHLY;BYWEEKNO=3", .conflict(part: "BYWEEKNO", reason: "only FREQ=YEARLY may use it")),
        ("FREQ=MONTHLY;BYYEARDAY=3", .conflict(part: "BYYEARDAY", reason: "FREQ=MONTHLY may not use it")),
        ("FREQ=WEEKLY;BYMONTHDAY=3", .conflict(part: "BYMONTHDAY", reason: "FREQ=WEEKLY may not use it")),
        ("FREQ=WEEKLY;BYDAY=2TU", .conflict(part: "BYDAY", reason: "an ordinal weekday (such as 2TU) needs FREQ=MONTHLY or FREQ=YEARLY")),
        ("FREQ=YEARLY;BYWEEKNO=2;BYDAY=1MO", .conflict(part: "BYDAY", reason: "an ordinal weekday cannot be combined with BYWEEKNO")),
        ("FREQ=MONTHLY;BYSETPOS=1", .conflict(part: "BYSETPOS", reason: "it selects among the values of another BYxxx part, and there is none")),
    ])
    func errors(text: String, error: RecurrenceRuleError) {
        #expect(throws: error) { try RecurrenceRule(parsing: text) }
    }

    @Test("error messages read as sentences naming the part")
    func messages() {
        #expect(RecurrenceRuleError.invalidValue(part: "BYMONTH", value: "13", expected: "integers from 1 to 12").description == "RRULE part BYMONTH=13 is invalid: expected integers from 1 to 12")
        #expect(RecurrenceRuleError.conflict(part: "BYWEEKNO", reason: "only FREQ=YEARLY may use it").description == "RRULE part BYWEEKNO is not allowed here: only FREQ=YEARLY may use it")
        #expect(RecurrenceRuleError.missingFrequency.description == "RRULE has no FREQ part")
    }
}
