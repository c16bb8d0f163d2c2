import Foundation
import Testing
@testable import Recurrence

/// Single behaviours of the VCALENDAR model and its expansion, on feeds written inline.
@Suite("iCalendar events: time zones, ends, overrides, problems")
struct ICalendarEventTests {
    static func feed(_ body: String) -> String { "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n" }

    func occurrences(_ body: String, from: String = "20260301T000000Z", to: String = "20260501T000000Z") throws -> [String] {
        let calendar = try ICalendar(parsing: Self.feed(body))
        return try calendar.occurrences(from: Feeds.instant(from), to: Feeds.instant(to)).map {
            "\($0.id.googleInstanceID) \(Feeds.text($0.start))–\(Feeds.text($0.end)) \($0.event.summary ?? "")"
        }
    }

    @Test("an event without a UID gets one from DTSTART and SUMMARY, the same on every read")
    func synthesizedUID() throws {
        let body = Self.feed("BEGIN:VEVENT\nDTSTART:20260310T100000Z\nSUMMARY:Open day\nEND:VEVENT\n")
        let first = try ICalendar(parsing: body).events, second = try ICalendar(parsing: body).events
        #expect(first.count == 1 && first[0].uidIsSynthesized && first[0].uid.hasPrefix("syncboard-"))
        #expect(first[0].uid == second[0].uid)
        let other = try ICalendar(parsing: body.replacingOccurrences(of: "Open day", with: "Closed day")).events
        #expect(other[0].uid != first[0].uid)
    }

    @Test("an event that cannot be read is a problem with its UID and line; the others are read")
    func problems() throws {
        let calendar = try ICalendar(parsing: Self.feed("""
            BEGIN:VEVENT\r\nUID:bad-date\r\nDTSTART:tomorrow\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:bad-zone\r\nDTSTART;TZID=Somewhere/Else:20260310T100000\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:hourly\r\nDTSTART:20260310T100000Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:bad-rule\r\nDTSTART:20260310T100000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=XX\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:prior\r\nDTSTART:20260310T100000Z\r\nRECURRENCE-ID;RANGE=THISANDPRIOR:20260310T100000Z\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:period\r\nDTSTART:20260310T100000Z\r\nRDATE;VALUE=PERIOD:20260311T100000Z/PT1H\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:no-start\r\nSUMMARY:When?\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:good\r\nDTSTART:20260310T100000Z\r\nEND:VEVENT\r

            """))
        #expect(calendar.events.map(\.uid) == ["good"])
        let byUID = Dictionary(uniqueKeysWithValues: calendar.problems.map { ($0.uid ?? "", $0.error) })
        #expect(byUID["bad-date"] == .invalidProperty(line: 6, name: "DTSTART", reason: "\"tomorrow\" is not a DATE or DATE-TIME such as 20261125T090000"))
        #expect(byUID["bad-zone"] == .unknownTimeZone(line: 10, tzid: "Somewhere/Else", reason: "not an IANA or Windows zone name, and the feed has no VTIMEZONE with this TZID"))
        #expect(byUID["hourly"] == .unsupported(line: 15, reason: "RRULE FREQ=HOURLY: only DAILY, WEEKLY, MONTHLY and YEARLY rules are expanded"))
        #expect(byUID["bad-rule"] == .invalidProperty(line: 20, name: "RRULE", reason: "RRULE part BYDAY=XX is invalid: expected weekdays MO…SU, each optionally after an ordinal ±1…53 (2TU, -1FR)"))
        #expect(byUID["prior"] == .unsupported(line: 25, reason: "RECURRENCE-ID;RANGE=THISANDPRIOR: only THISANDFUTURE is defined"))
        #expect(byUID["period"] == .unsupported(line: 30, reason: "RDATE;VALUE=PERIOD (only DATE and DATE-TIME values are read)"))
        #expect(byUID["no-start"] == .invalidProperty(line: 32, name: "DTSTART", reason: "the VEVENT has no DTSTART"))
        #expect(calendar.problems.allSatisfy { !$0.error.isWholeFeed })
    }

    @Test("TZIDs: IANA names, libical's path form, Windows names, a one-offset VTIMEZONE, and rules that match no zone")
    func timeZones() throws {
        let calendar = try ICalendar(parsing: Self.feed("""
            BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0545\r\nTZOFFSETTO:+0545\r\nEND:STANDARD\r\nEND:VTIMEZONE\r
            BEGIN:VTIMEZONE\r\nTZID:Nowhere\r
            BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0223\r\nTZOFFSETTO:+0123\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r
            BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0123\r\nTZOFFSETTO:+0223\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r
            BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20260310T100000\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Tokyo Standard Time:20260310T100000\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:c\r\nDTSTART;TZID=Customized Time Zone:20260310T100000\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:d\r\nDTSTART;TZID=Nowhere:20260310T100000\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:e\r\nDTSTART;TZID=Europe/Berlin:20260310T100000Z\r\nEND:VEVENT\r

            """))
        let starts = Dictionary(uniqueKeysWithValues: calendar.events.map { ($0.uid, Feeds.text($0.start)) })
        #expect(starts["a"] == "20260310T090000Z")
        #expect(starts["b"] == "20260310T010000Z")
        #expect(starts["c"] == "20260310T041500Z")  // +05:45, a fixed offset
        // §3.3.5: a UTC value's TZID is ignored.
        #expect(starts["e"] == "20260310T100000Z")
        #expect(calendar.problems.map(\.uid) == ["d"])
        #expect(calendar.problems.first?.error == .unknownTimeZone(line: 41, tzid: "Nowhere", reason: "its VTIMEZONE rules match no IANA zone in 2026–2027"))
    }

    @Test("an event in a zone whose VTIMEZONE cannot be read says what is wrong with the block")
    func brokenVTimeZone() throws {
        let calendar = try ICalendar(parsing: Self.feed("""
            BEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+01\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r
            BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Custom:20260310T100000\r\nEND:VEVENT\r

            """))
        #expect(calendar.problems.map(\.error) == [.unknownTimeZone(line: 14, tzid: "Custom",
            reason: "its VTIMEZONE cannot be read: line 8: TZOFFSETFROM: \"+01\" is not a UTC offset such as +0100")])
    }

    @Test("ends (§3.6.1, §3.8.5.3): DTEND's exact length repeats, DURATION's days are nominal, no end is a day or an instant")
    func ends() throws {
        // 20:00 Saturday to 20:00 Sunday Berlin: 24 hours; the occurrence over the change to summer time keeps 24 hours.
        #expect(try occurrences("BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Europe/Berlin:20260321T200000\r\nDTEND;TZID=Europe/Berlin:20260322T200000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:s\r\nEND:VEVENT\r\n") == [
            "x_20260321T190000Z 20260321T190000Z–20260322T190000Z s", "x_20260328T190000Z 20260328T190000Z–20260329T190000Z s"])
        // With DURATION:P1D the day is a calendar day: 20:00 to 20:00, 23 hours.
        #expect(try occurrences("BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Europe/Berlin:20260328T200000\r\nDURATION:P1D\r\nSUMMARY:s\r\nEND:VEVENT\r\n") == [
            "x_20260328T190000Z 20260328T190000Z–20260329T180000Z s"])
        // A DATE event whose DTEND equals DTSTART (some publishers) lasts one day.
        #expect(try occurrences("BEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20260310\r\nDTEND;VALUE=DATE:20260310\r\nSUMMARY:s\r\nEND:VEVENT\r\n") == [
            "x_20260310 20260310–20260311 s"])
        #expect(ICalendarDuration(parsing: "P1W2DT3H4M5S") == ICalendarDuration(weeks: 1, days: 2, seconds: 3 * 3600 + 4 * 60 + 5))
        #expect(ICalendarDuration(parsing: "-PT15M")?.exactSeconds == -900)
        #expect(ICalendarDuration(parsing: "PT1H30M")?.description == "PT1H30M")
        for bad in ["P", "PT", "1H", "P1H", "PT1D", "P1.5D", ""] { #expect(ICalendarDuration(parsing: bad) == nil, "\(bad)") }
    }

    @Test("the window holds what overlaps it: an occurrence that began before it and ends inside is in")
    func windowOverlap() throws {
        let body = "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260228T220000Z\r\nDTEND:20260301T020000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:s\r\nEND:VEVENT\r\n"
        #expect(try occurrences(body, to: "20260302T000000Z") == ["x_20260228T220000Z 20260228T220000Z–20260301T020000Z s", "x_20260301T220000Z 20260301T220000Z–20260302T020000Z s"])
        // Ending exactly at the window's start is outside it; an instant at the window's start is inside.
        #expect(try occurrences(body, from: "20260301T020000Z", to: "20260301T220000Z") == [])
        #expect(try occurrences("BEGIN:VEVENT\r\nUID:y\r\nDTSTART:20260301T000000Z\r\nSUMMARY:s\r\nEND:VEVENT\r\n", to: "20260302T000000Z") == ["y_20260301T000000Z 20260301T000000Z–20260301T000000Z s"])
    }

    @Test("overrides: RANGE=THISANDFUTURE moves and retitles the rest of the series; an override without its master stands alone")
    func overrides() throws {
        #expect(try occurrences("""
            BEGIN:VEVENT\r\nUID:w\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\nSUMMARY:Weekly\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260316T100000Z\r\nDTSTART:20260316T120000Z\r\nDTEND:20260316T123000Z\r\nSUMMARY:Weekly (later)\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID:20260323T100000Z\r\nDTSTART:20260324T090000Z\r\nDTEND:20260324T100000Z\r\nSUMMARY:Weekly (Tuesday)\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:lonely\r\nRECURRENCE-ID;VALUE=DATE:20260305\r\nDTSTART;VALUE=DATE:20260306\r\nSUMMARY:Moved day\r\nEND:VEVENT\r

            """) == [
            "w_20260302T100000Z 20260302T100000Z–20260302T110000Z Weekly",
            "lonely_20260305 20260306–20260307 Moved day",
            "w_20260309T100000Z 20260309T100000Z–20260309T110000Z Weekly",
            "w_20260316T100000Z 20260316T120000Z–20260316T123000Z Weekly (later)",
            "w_20260323T100000Z 20260324T090000Z–20260324T100000Z Weekly (Tuesday)",
            "w_20260330T100000Z 20260330T120000Z–20260330T123000Z Weekly (later)",
        ])
    }

    @Test("cancellation: a cancelled override removes its occurrence, a cancelled series has none; the highest SEQUENCE wins")
    func cancellationAndSequence() throws {
        #expect(try occurrences("""
            BEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20260302\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Camp\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:c\r\nRECURRENCE-ID;VALUE=DATE:20260303\r\nDTSTART;VALUE=DATE:20260303\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:gone\r\nDTSTART:20260302T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:gone\r\nRECURRENCE-ID:20260303T100000Z\r\nDTSTART:20260303T110000Z\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:v\r\nDTSTART:20260305T100000Z\r\nSEQUENCE:2\r\nSUMMARY:Second\r\nEND:VEVENT\r
            BEGIN:VEVENT\r\nUID:v\r\nDTSTART:20260305T090000Z\r\nSEQUENCE:1\r\nSUMMARY:First\r\nEND:VEVENT\r

            """) == ["c_20260302 20260302–20260303 Camp", "c_20260304 20260304–20260305 Camp", "v_20260305T100000Z 20260305T100000Z–20260305T100000Z Second"])
    }

    @Test("calendar properties and several VCALENDARs in one body")
    func calendarProperties() throws {
        let body = Self.feed("X-WR-CALNAME:Team\\, A\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260301\r\nEND:VEVENT\r\n")
            + Self.feed("BEGIN:VEVENT\r\nUID:2\r\nDTSTART:20260302\r\nEND:VEVENT\r\n")
        let calendar = try ICalendar(parsing: body)
        #expect(calendar.name == "Team, A" && calendar.method == "PUBLISH" && calendar.productID == "-//test//EN")
        #expect(calendar.events.map(\.uid) == ["1", "2"])
    }
}
