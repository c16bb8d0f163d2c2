import Foundation

/// Feeds written for these tests in the styles real publishers use (what each one's exports look like, trimmed to
/// what the assertions need). The window the provider tests list is June 2026 – January 2027.
enum StyledFeeds {
    /// Lines joined with CRLF, as RFC 5545 §3.1 writes them (the school feed below uses bare LF, as many do).
    static func crlf(_ lines: String) -> String { lines.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n") }

    /// Outlook / Exchange "publish calendar": Windows zone names as TZID with the VTIMEZONE Exchange writes, a weekly
    /// series with an EXDATE and an UNTIL in UTC, an all-day event marked free, X-MICROSOFT properties.
    static let outlook = crlf("""
    BEGIN:VCALENDAR
    METHOD:PUBLISH
    PRODID:Microsoft Exchange Server 2010
    VERSION:2.0
    X-WR-CALNAME:Calendar
    BEGIN:VTIMEZONE
    TZID:W. Europe Standard Time
    BEGIN:STANDARD
    DTSTART:16010101T030000
    TZOFFSETFROM:+0200
    TZOFFSETTO:+0100
    RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
    END:STANDARD
    BEGIN:DAYLIGHT
    DTSTART:16010101T020000
    TZOFFSETFROM:+0100
    TZOFFSETTO:+0200
    RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
    END:DAYLIGHT
    END:VTIMEZONE
    BEGIN:VEVENT
    DESCRIPTION:\\n
    RRULE:FREQ=WEEKLY;UNTIL=20261222T090000Z;INTERVAL=1;BYDAY=TU;WKST=MO
    EXDATE;TZID=W. Europe Standard Time:20261208T100000
    UID:040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6B7
    SUMMARY:Team sync
    DTSTART;TZID=W. Europe Standard Time:20261201T100000
    DTEND;TZID=W. Europe Standard Time:20261201T103000
    CLASS:PUBLIC
    PRIORITY:5
    DTSTAMP:20261120T120000Z
    TRANSP:OPAQUE
    STATUS:CONFIRMED
    SEQUENCE:0
    LOCATION:Room 4
    X-MICROSOFT-CDO-APPT-SEQUENCE:0
    X-MICROSOFT-CDO-BUSYSTATUS:BUSY
    X-MICROSOFT-CDO-IMPORTANCE:1
    END:VEVENT
    BEGIN:VEVENT
    UID:040000008200E00074C5B7101A82E00800000000FFFF0000
    SUMMARY:Offsite
    DTSTART;VALUE=DATE:20261214
    DTEND;VALUE=DATE:20261216
    CLASS:PRIVATE
    TRANSP:TRANSPARENT
    X-MICROSOFT-CDO-ALLDAYEVENT:TRUE
    X-MICROSOFT-CDO-BUSYSTATUS:FREE
    END:VEVENT
    END:VCALENDAR
    """)

    /// Google Calendar's "secret address in iCal format": named IANA zones, a daily series with an EXDATE and a
    /// RECURRENCE-ID override that moves one occurrence, TEXT escapes, a folded line, an all-day event whose UID has
    /// an underscore.
    static let google = crlf("""
    BEGIN:VCALENDAR
    PRODID:-//Google Inc//Google Calendar 70.9054//EN
    VERSION:2.0
    CALSCALE:GREGORIAN
    METHOD:PUBLISH
    X-WR-CALNAME:Ada Lovelace
    X-WR-TIMEZONE:Europe/Berlin
    BEGIN:VEVENT
    DTSTART;TZID=Europe/Berlin:20261202T090000
    DTEND;TZID=Europe/Berlin:20261202T091500
    RRULE:FREQ=DAILY;COUNT=5
    EXDATE;TZID=Europe/Berlin:20261204T090000
    DTSTAMP:20261125T101010Z
    UID:7kukuqrfedlm2f9t5tdq6i2ake@google.com
    CREATED:20261120T080000Z
    DESCRIPTION:Daily standup\\, five days. Agenda:\\nblockers\\; then plans and a
      long line that Google folds at seventy-five octets
    LAST-MODIFIED:20261121T080000Z
    LOCATION:
    SEQUENCE:0
    STATUS:CONFIRMED
    SUMMARY:Standup
    TRANSP:OPAQUE
    END:VEVENT
    BEGIN:VEVENT
    DTSTART;TZID=Europe/Berlin:20261203T113000
    DTEND;TZID=Europe/Berlin:20261203T120000
    DTSTAMP:20261125T101010Z
    UID:7kukuqrfedlm2f9t5tdq6i2ake@google.com
    RECURRENCE-ID;TZID=Europe/Berlin:20261203T090000
    CREATED:20261120T080000Z
    LAST-MODIFIED:20261122T080000Z
    SEQUENCE:1
    STATUS:CONFIRMED
    SUMMARY:Standup (moved)
    TRANSP:OPAQUE
    END:VEVENT
    BEGIN:VEVENT
    DTSTART;VALUE=DATE:20261224
    DTEND;VALUE=DATE:20261225
    DTSTAMP:20261125T101010Z
    UID:holiday_2026_12_24@google.com
    SUMMARY:Christmas Eve
    TRANSP:TRANSPARENT
    END:VEVENT
    END:VCALENDAR
    """)

    /// Apple Calendar (iCloud public calendar): a VTIMEZONE for America/New_York, DURATION instead of DTEND, a
    /// VALARM, X-APPLE properties, a multi-day all-day event.
    static let apple = crlf("""
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//Apple Inc.//macOS 15.1//EN
    CALSCALE:GREGORIAN
    X-WR-CALNAME:Home
    BEGIN:VTIMEZONE
    TZID:America/New_York
    BEGIN:DAYLIGHT
    TZOFFSETFROM:-0500
    RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
    DTSTART:20070311T020000
    TZNAME:EDT
    TZOFFSETTO:-0400
    END:DAYLIGHT
    BEGIN:STANDARD
    TZOFFSETFROM:-0400
    RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
    DTSTART:20071104T020000
    TZNAME:EST
    TZOFFSETTO:-0500
    END:STANDARD
    END:VTIMEZONE
    BEGIN:VEVENT
    CREATED:20261101T120000Z
    UID:5F0C1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B
    DTSTART;TZID=America/New_York:20261205T180000
    DURATION:PT2H30M
    SUMMARY:Dinner at Luigi's
    LOCATION:Luigi's\\nMain St 1
    X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC
    DTSTAMP:20261101T120000Z
    SEQUENCE:0
    BEGIN:VALARM
    X-WR-ALARMUID:0A1B2C3D
    UID:0A1B2C3D
    TRIGGER:-PT30M
    ACTION:DISPLAY
    DESCRIPTION:Reminder
    END:VALARM
    END:VEVENT
    BEGIN:VEVENT
    CREATED:20261101T120000Z
    UID:9E8D7C6B-5A49-4382-9170-6F5E4D3C2B1A
    DTSTART;VALUE=DATE:20261226
    DTEND;VALUE=DATE:20261229
    SUMMARY:Trip to the coast
    DTSTAMP:20261101T120000Z
    END:VEVENT
    END:VCALENDAR
    """)

    /// A sports club's / school's timetable export: bare LF line endings, floating times (no TZID, no Z: the
    /// reader's zone, §3.3.5), DURATION instead of DTEND, a DATE without DTEND (one day, §3.6.1), a DATE-TIME
    /// without DTEND (no length, §3.6.1), an event without a UID.
    static let school = """
    BEGIN:VCALENDAR
    VERSION:2.0
    PRODID:-//Riverside School//Timetable 3.2//EN
    X-WR-CALNAME:Year 7 fixtures
    BEGIN:VEVENT
    UID:match-101@riverside.example
    DTSTAMP:20260501T000000Z
    SUMMARY:Home game vs. Rovers
    DTSTART:20260613T153000
    DURATION:PT1H45M
    LOCATION:North field
    END:VEVENT
    BEGIN:VEVENT
    DTSTAMP:20260501T000000Z
    SUMMARY:Sports day
    DTSTART;VALUE=DATE:20260619
    END:VEVENT
    BEGIN:VEVENT
    UID:term-end@riverside.example
    DTSTAMP:20260501T000000Z
    SUMMARY:Term ends
    DTSTART:20260717T120000
    END:VEVENT
    END:VCALENDAR

    """
}
