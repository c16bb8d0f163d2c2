import Foundation
import Testing
@testable import Recurrence

/// A feed that is truncated, is not iCalendar or is empty must be an error saying which (issue 29, "Safety"):
/// read as an empty calendar it would delete every copy made from it.
@Suite("Malformed feeds are errors, never empty calendars")
struct ICalendarSafetyTests {
    func error(_ name: String) -> ICalendarError? {
        do { _ = try Feeds.calendar(name); return nil } catch let error as ICalendarError { return error } catch { return nil }
    }

    @Test("a truncated feed (no END:VCALENDAR) says where it stopped")
    func truncated() {
        #expect(error("truncated.ics") == .truncated(reason: "the body ends inside BEGIN:VEVENT of line 56, with no END:VCALENDAR for BEGIN:VCALENDAR of line 1"))
        #expect(error("truncated.ics")?.isWholeFeed == true)
        // Cut between two events, it is still truncated: the events so far are not a calendar.
        #expect(throws: ICalendarError.truncated(reason: "the body ends inside BEGIN:VCALENDAR of line 1, with no END:VCALENDAR for BEGIN:VCALENDAR of line 1")) {
            _ = try ICalendar(parsing: "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nDTSTART:20260101\nEND:VEVENT\n")
        }
    }

    @Test("an HTML page, JSON, plain text and an empty body are named as such")
    func notICalendar() {
        #expect(error("html.ics") == .notICalendar(reason: "the body is an HTML page, not BEGIN:VCALENDAR (a login or error page?)"))
        #expect(error("json.ics") == .notICalendar(reason: "the body is JSON, not BEGIN:VCALENDAR"))
        #expect(error("empty.ics") == .empty)
        #expect(throws: ICalendarError.empty) { _ = try ICalendar(parsing: "") }
        #expect(throws: ICalendarError.notICalendar(reason: "the first line is \"Service Unavailable\", not BEGIN:VCALENDAR")) {
            _ = try ICalendar(parsing: "Service Unavailable\r\n")
        }
        #expect(throws: ICalendarError.notICalendar(reason: "the body is HTML or XML, not BEGIN:VCALENDAR (a login or error page?)")) {
            _ = try ICalendar(parsing: "<?xml version=\"1.0\"?><error/>")
        }
        #expect(error("html.ics")?.isWholeFeed == true && error("json.ics")?.isWholeFeed == true && error("empty.ics")?.isWholeFeed == true)
    }

    @Test("a broken line or mismatched END fails the whole feed with its line number")
    func brokenStructure() {
        #expect(error("bad-line.ics") == .invalidLine(line: 6, reason: "\"this line was broken by an editor\": a property name is letters, digits and '-', then ';' or ':'"))
        #expect(error("unbalanced.ics") == .unbalanced(line: 6, reason: "END:VTODO closes BEGIN:VEVENT of line 3"))
        #expect(throws: ICalendarError.unbalanced(line: 3, reason: "END:VEVENT with no BEGIN before it")) {
            _ = try ICalendar(parsing: "BEGIN:VCALENDAR\nEND:VCALENDAR\nEND:VEVENT\n")
        }
        #expect(throws: ICalendarError.unbalanced(line: 3, reason: "BEGIN:VEVENT outside BEGIN:VCALENDAR")) {
            _ = try ICalendar(parsing: "BEGIN:VCALENDAR\nEND:VCALENDAR\nBEGIN:VEVENT\nEND:VEVENT\n")
        }
    }

    @Test("a calendar with no events is read as one (a feed may be empty on purpose); the provider judges 'empty after having events'")
    func emptyCalendarIsNotAnError() throws {
        let calendar = try ICalendar(parsing: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nEND:VCALENDAR\r\n")
        #expect(calendar.events.isEmpty && calendar.problems.isEmpty)
        #expect(calendar.productID == "-//x//y//EN")
    }
}
