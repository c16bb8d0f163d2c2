import Foundation
import Testing
@testable import Recurrence

/// The fixture feeds, one per publisher style, read and expanded over March and April 2026.
@Suite("iCalendar feeds in the styles of Outlook, Google, Apple and a school/sports publisher")
struct ICalendarFeedTests {
    func occurrences(_ name: String, floating: TimeZone = Expand.utc) throws -> [ICalendarOccurrence] {
        try Feeds.calendar(name, floating: floating).occurrences(from: Feeds.from, to: Feeds.to)
    }

    @Test("Outlook: Windows TZIDs, tzone://Microsoft/Custom from its VTIMEZONE, an exception, EXDATE, X-MICROSOFT properties")
    func outlook() throws {
        let calendar = try Feeds.calendar("outlook.ics")
        #expect(calendar.problems.isEmpty)
        #expect(calendar.timeZones["W. Europe Standard Time"]?.identifier == "Europe/Berlin")
        #expect(calendar.timeZones["India Standard Time"]?.identifier == "Asia/Calcutta")
        // Outlook's custom zone has the US rules (second Sunday of March, first of November, -05:00/-04:00): of the
        // zones with those rules today, New York has had them longest.
        #expect(calendar.timeZones[WindowsTimeZones.microsoftCustom]?.identifier == "America/New_York")

        let all = try calendar.occurrences(from: Feeds.from, to: Feeds.to)
        let sync = all.filter { $0.event.summary?.hasPrefix("Weekly team sync") == true }
        // 09:00 Berlin is 08:00Z until 29 March and 07:00Z after; 14 April is excluded; 17 March moved to 14:00.
        #expect(sync.map { Feeds.text($0.start) } == ["20260303T080000Z", "20260310T080000Z", "20260317T130000Z", "20260324T080000Z",
                                                     "20260331T070000Z", "20260407T070000Z", "20260421T070000Z", "20260428T070000Z"])
        let moved = try #require(sync.first { $0.isOverride })
        #expect(moved.id.originalStart == .timed(Feeds.instant("20260317T080000Z")))
        #expect(moved.event.location == "Room 2.10" && moved.event.sequence == 1)
        #expect(Feeds.text(moved.end) == "20260317T133000Z")
        // The Exchange UID was folded across two lines; the occurrence id joins it back.
        #expect(sync[0].id.seriesID == "040000008200E00074C5B7101A82E00800000000B0C2C9B1E4A1DC01000000000000000010000000F0D3B1E1A5C3E44A9B5F6C2D1E0A9B8C")
        #expect(sync[0].event.description == "Agenda: status, blockers; next steps\n\nJoin: https://teams.example.com/l/meetup-join/19%3ameeting")
        #expect(sync[0].event.properties.first { $0.name == "X-MICROSOFT-CDO-BUSYSTATUS" }?.value == "BUSY")
        #expect(sync[0].event.classification == .public && sync[0].event.transparency == .opaque && sync[0].event.status == .confirmed)
        // The start keeps its zone: shown on Berlin's wall clock it is 09:00.
        #expect(sync[5].start == .dateTime(Expand.local("20260407T090000"), Expand.berlin))

        let newYork = try #require(all.first { $0.event.summary == "Call with the New York office" })
        #expect(Feeds.text(newYork.start) == "20260310T140000Z")  // 10:00 EDT, two days after the change
        #expect(newYork.event.classification == .private)
        let holiday = try #require(all.first { $0.event.summary == "Public holiday" })
        #expect(holiday.isAllDay && holiday.start == .date(CivilDate(year: 2026, month: 4, day: 6)) && holiday.end == .date(CivilDate(year: 2026, month: 4, day: 7)))
        #expect(holiday.event.transparency == .transparent)
        #expect(all.first { $0.event.summary == "Bangalore design review" }.map { Feeds.text($0.start) } == "20260325T110000Z")
    }

    @Test("Google: UTC DTSTAMP, RRULE with UNTIL, moved and cancelled RECURRENCE-ID overrides, a yearly all-day series")
    func google() throws {
        let calendar = try Feeds.calendar("google.ics")
        #expect(calendar.name == "Family" && calendar.problems.isEmpty)
        let all = try calendar.occurrences(from: Feeds.from, to: Feeds.to)
        let piano = all.filter { $0.id.seriesID == "5v1k2b7j3l9m0n4p6q8r1s2t3u@google.com" }
        // UNTIL=20260415T035959Z ends the series after Monday 13 April; 18 March is cancelled; 11 March is late;
        // 8 April moved to Friday 10 April and keeps the identity of 8 April.
        #expect(piano.map { $0.id.originalStart.description } == [
            "20260302T150000Z", "20260304T150000Z", "20260309T140000Z", "20260311T140000Z", "20260316T140000Z", "20260323T140000Z",
            "20260325T140000Z", "20260330T140000Z", "20260401T140000Z", "20260406T140000Z", "20260408T140000Z", "20260413T140000Z"])
        #expect(!piano.contains { $0.id.originalStart == .timed(Feeds.instant("20260318T140000Z")) })
        let friday = try #require(piano.first { $0.id.googleInstanceID == "5v1k2b7j3l9m0n4p6q8r1s2t3u@google.com_20260408T140000Z" })
        #expect(Feeds.text(friday.start) == "20260410T130000Z" && friday.isOverride && friday.event.summary == "Piano lesson (Friday this week)")
        #expect(piano.first?.event.timestamp == Feeds.instant("20260301T000000Z"))
        #expect(piano.first?.event.lastModified == Feeds.instant("20260225T150000Z"))

        let birthday = all.filter { $0.id.seriesID == "birthday-grandma@google.com" }
        #expect(birthday.map(\.id.googleInstanceID) == ["birthday-grandma@google.com_20260322"])
        let pta = all.filter { $0.id.seriesID == "pta-meeting@google.com" }.map { Feeds.text($0.start) }
        #expect(pta == ["20260312T230000Z", "20260409T230000Z"])  // second Thursdays, 19:00 New York
        #expect(all.first { $0.event.summary == "Dentist" }?.event.location == "123 Main St, Springfield")
    }

    @Test("Apple: LF line ends, floating times in the reader's zone, VALARM blocks, X-APPLE properties with quoted parameters")
    func apple() throws {
        let calendar = try Feeds.calendar("apple.ics", floating: Expand.berlin)
        #expect(calendar.problems.isEmpty)
        let all = try calendar.occurrences(from: Feeds.from, to: Feeds.to)
        // Floating 07:30 is 07:30 in whichever zone the reader uses: here Berlin, 06:30Z. COUNT=5 with 18 March excluded.
        let runs = all.filter { $0.event.summary == "Morning run" }
        #expect(runs.map { Feeds.text($0.start) } == ["20260316T063000Z", "20260317T063000Z", "20260319T063000Z", "20260320T063000Z"])
        #expect(runs.allSatisfy { $0.event.isFloating })
        #expect(try occurrences("apple.ics").filter { $0.event.summary == "Morning run" }.first.map { Feeds.text($0.start) } == "20260316T073000Z")

        let dinner = try #require(all.first { $0.event.summary == "Dinner with Sam" })
        #expect(dinner.event.subcomponents == ["VALARM"])
        #expect(dinner.event.location == "The Anchor\nBankside, London")
        let structured = try #require(dinner.event.properties.first { $0.name == "X-APPLE-STRUCTURED-LOCATION" })
        #expect(structured.parameter("X-ADDRESS") == "34 Park St, London SE1 9EF" && structured.parameter("X-TITLE") == "The Anchor: Bankside")
        #expect(structured.value == "geo:51.507,-0.094")

        let classes = all.filter { $0.id.seriesID == "6F7A8B9C-0D1E-4F2A-9B3C-4D5E6F7A8B9C" }
        #expect(classes.map { Feeds.text($0.start) } == ["20260327T090000Z", "20260403T080000Z", "20260410T083000Z", "20260417T080000Z", "20260424T080000Z"])
        let easter = try #require(all.first { $0.event.summary == "Easter weekend away" })
        #expect(easter.start == .date(CivilDate(year: 2026, month: 4, day: 2)) && easter.end == .date(CivilDate(year: 2026, month: 4, day: 4)))
        #expect(easter.event.sequence == 2)
    }

    @Test("school/sports publisher: DATE values, DURATION instead of DTEND, no DTEND, a long folded DESCRIPTION")
    func school() throws {
        let all = try occurrences("school.ics")
        func event(_ summary: String) throws -> ICalendarOccurrence { try #require(all.first { $0.event.summary == summary }) }
        // §3.6.1: a DATE start without an end lasts one day (even written without VALUE=DATE) ...
        #expect(try event("Sports day").end == .date(CivilDate(year: 2026, month: 3, day: 21)))
        // ... a DATE-TIME start without an end has no length.
        let kit = try event("Kit collection opens")
        #expect(kit.startInstant == kit.endInstant && Feeds.text(kit.start) == "20260321T090000Z")
        #expect(Feeds.text(try event("Riverside U11 v Rovers U11 (home)").end) == "20260314T164500Z")
        // P1D is a nominal day: noon to noon across the change to summer time, 23 hours.
        let tournament = try event("Weekend tournament (overnight)")
        #expect(Feeds.text(tournament.end) == "20260329T110000Z")
        #expect(tournament.endInstant.timeIntervalSince(tournament.startInstant) == 23 * 3600)
        // Training at 17:00 London with PT1H30M, across the change: 17:00Z, then 16:00Z.
        #expect(all.filter { $0.event.summary == "Training" }.map { Feeds.text($0.start) } ==
                ["20260317T170000Z", "20260324T170000Z", "20260331T160000Z", "20260407T160000Z", "20260414T160000Z", "20260421T160000Z"])
        let term = try event("Summer term week 1")
        #expect(term.end == .date(CivilDate(year: 2026, month: 4, day: 18)))
        #expect(term.event.description == """
            First week of the summer term. Bring: PE kit, water bottle; signed consent form.
            After-school clubs start in week 2. Please check the newsletter for the full list of clubs, times and rooms, and remember that the school gates open at 08:30.

            Questions? office@riverside-school.example
            """)
        // The cancelled match is not an occurrence; half term (P1W from a DATE) lies after the window.
        #expect(!all.contains { $0.event.summary?.contains("Albion") == true })
        let later = try Feeds.calendar("school.ics").occurrences(from: Feeds.instant("20260501T000000Z"), to: Feeds.instant("20260701T000000Z"))
        #expect(later.map { "\(Feeds.text($0.start))–\(Feeds.text($0.end))" } == ["20260525–20260601"])
    }

    @Test("a club calendar: events that began before the window, an override in another zone, EXDATE and RDATE lists, BYMONTHDAY=-1")
    func mixed() throws {
        let all = try occurrences("mixed.ics")
        // Both started before 1 March and run into it, so they are in the window.
        #expect(all.prefix(2).map(\.id.googleInstanceID) == ["winter-camp@club.example_20260227", "night-hike@club.example_20260228T200000Z"])
        let board = all.filter { $0.id.seriesID == "board@club.example" }
        // Every other week on Tuesday and Thursday at 19:00 Paris, without 5 and 19 March, with Saturday 28 March.
        #expect(board.map { Feeds.text($0.start) } == ["20260303T180000Z", "20260317T190000Z", "20260328T090000Z", "20260331T170000Z",
                                                      "20260402T170000Z", "20260414T170000Z", "20260416T170000Z", "20260428T170000Z", "20260430T170000Z"])
        // RECURRENCE-ID in UTC names the 19:00 Paris occurrence of a TZID series; the override is in New York time.
        let remote = try #require(board.first { $0.isOverride })
        #expect(remote.id.originalStart == .timed(Feeds.instant("20260317T180000Z")))
        #expect(remote.start == .dateTime(Expand.local("20260317T150000"), Expand.newYork))
        #expect(all.filter { $0.id.seriesID == "month-end@club.example" }.map { Feeds.text($0.start) } == ["20260331T163000Z", "20260430T163000Z"])
    }
}
