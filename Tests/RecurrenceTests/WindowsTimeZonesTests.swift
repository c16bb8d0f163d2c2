import Foundation
import Testing
@testable import Recurrence

@Suite("Windows time-zone names → IANA (CLDR windowsZones.xml)")
struct WindowsTimeZonesTests {
    @Test("every IANA name in the table is a zone Foundation knows on this machine")
    func everyNameIsKnown() {
        // The table is CLDR's territory-001 rows: one per Windows zone, 139 at the CLDR revision it was taken from.
        #expect(WindowsTimeZones.windowsToIANA.count == 139)
        for (windows, iana) in WindowsTimeZones.windowsToIANA {
            #expect(TimeZone(identifier: iana) != nil, "\(windows) → \(iana) is not a zone Foundation knows")
        }
    }

    @Test("well-known names map as CLDR says")
    func wellKnown() {
        let expected = [
            "W. Europe Standard Time": "Europe/Berlin",
            "Pacific Standard Time": "America/Los_Angeles",
            // CLDR keeps the older name as canonical; tz has Asia/Kolkata with Asia/Calcutta as its link.
            "India Standard Time": "Asia/Calcutta",
            "Eastern Standard Time": "America/New_York",
            "GMT Standard Time": "Europe/London",
            "Romance Standard Time": "Europe/Paris",
            "Tokyo Standard Time": "Asia/Tokyo",
            "AUS Eastern Standard Time": "Australia/Sydney",
            "UTC": "Etc/UTC",
            "Dateline Standard Time": "Etc/GMT+12",
        ]
        for (windows, iana) in expected {
            #expect(WindowsTimeZones.windowsToIANA[windows] == iana)
        }
        // Asia/Calcutta and Asia/Kolkata are the same zone here, +05:30 without daylight saving.
        let calcutta = WindowsTimeZones.timeZone(forWindowsName: "India Standard Time")
        #expect(calcutta?.secondsFromGMT(for: Date(timeIntervalSince1970: 1_780_000_000)) == 19_800)
    }

    @Test("a lookup ignores case and surrounding spaces; unknown names and tzone://Microsoft/Custom are not in the table")
    func lookup() {
        #expect(WindowsTimeZones.ianaName(forWindowsName: " w. europe standard time ") == "Europe/Berlin")
        #expect(WindowsTimeZones.ianaName(forWindowsName: "Mars Standard Time") == nil)
        #expect(WindowsTimeZones.ianaName(forWindowsName: WindowsTimeZones.microsoftCustom) == nil)
    }

    @Test("the Windows zones agree with their IANA zones' offsets in winter (names say 'Standard Time': a wrong row would show)")
    func offsetsAreSane() {
        // Spot checks across the globe on 15 January 2026, 12:00Z.
        let instant = Expand.local("20260115T120000").instant(in: Expand.utc)
        let offsets = ["Hawaiian Standard Time": -36_000, "Pacific Standard Time": -28_800, "SA Pacific Standard Time": -18_000,
                       "E. South America Standard Time": -10_800, "GMT Standard Time": 0, "W. Europe Standard Time": 3600,
                       "South Africa Standard Time": 7200, "Russian Standard Time": 10_800, "Nepal Standard Time": 20_700,
                       "China Standard Time": 28_800, "Cen. Australia Standard Time": 37_800, "Line Islands Standard Time": 50_400]
        for (windows, offset) in offsets {
            #expect(WindowsTimeZones.timeZone(forWindowsName: windows)?.secondsFromGMT(for: instant) == offset, "\(windows)")
        }
    }
}
