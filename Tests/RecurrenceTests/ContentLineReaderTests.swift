import Foundation
import Testing
@testable import Recurrence

@Suite("iCalendar content lines (RFC 5545 §3.1)")
struct ContentLineReaderTests {
    func read(_ text: String) throws(ICalendarError) -> [ContentLine] { try ContentLineReader.read(Array(text.utf8)) }

    @Test("CRLF and LF line ends, folds with a space or a tab, blank lines skipped")
    func unfolding() throws {
        let lines = try read("BEGIN:VCALENDAR\r\nSUMMARY:Long\r\n  text\r\n\tagain\nDESCRIPTION:a\n b\n\r\nEND:VCALENDAR")
        #expect(lines.map(\.name) == ["BEGIN", "SUMMARY", "DESCRIPTION", "END"])
        // The line break and exactly one space or tab go; a second space stays.
        #expect(lines[1].value == "Long textagain")
        #expect(lines[2].value == "ab")
        #expect(lines.map(\.line) == [1, 2, 5, 8])
    }

    @Test("a UTF-8 character split across a fold is joined before decoding (folding is on octets)")
    func foldInsideCharacter() throws {
        var bytes = Array("BEGIN:VCALENDAR\r\nSUMMARY:Caf".utf8) + [0xC3] + Array("\r\n ".utf8) + [0xA9] + Array("\r\nEND:VCALENDAR\r\n".utf8)
        bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)  // and a byte order mark is ignored
        let lines = try ContentLineReader.read(bytes)
        #expect(lines[1].value == "Café")
    }

    @Test("parameters: quoted values with ':' ';' ',', lists, RFC 6868 carets, case-insensitive names")
    func parameters() throws {
        let lines = try read("""
            BEGIN:VCALENDAR
            x-apple-structured-location;VALUE=URI;X-ADDRESS="1 Main St, Town; Area";X-TITLE="Office: Main":geo:51.5,-0.1
            ATTENDEE;MEMBER="mailto:a@example.com","mailto:b@example.com";CN=Jo ^'JJ^' Smith^nJr:mailto:jo@example.com
            DTSTART;TZID="tzone://Microsoft/Custom":20260310T100000
            DTEND;TZID=tzone://Microsoft/Custom:20260310T110000
            END:VCALENDAR
            """)
        #expect(lines[1].name == "X-APPLE-STRUCTURED-LOCATION")
        #expect(lines[1].parameter("x-address") == "1 Main St, Town; Area")
        #expect(lines[1].parameter("X-TITLE") == "Office: Main")
        #expect(lines[1].value == "geo:51.5,-0.1")
        #expect(lines[2].parameters.first { $0.name == "MEMBER" }?.values == ["mailto:a@example.com", "mailto:b@example.com"])
        #expect(lines[2].parameter("CN") == "Jo \"JJ\" Smith\nJr")
        #expect(lines[3].parameter("TZID") == "tzone://Microsoft/Custom")
        // Unquoted, as some writers send it: '://' does not end the parameters.
        #expect(lines[4].parameter("TZID") == "tzone://Microsoft/Custom")
        #expect(lines[4].value == "20260310T110000")
    }

    @Test("TEXT escapes: \\n \\N \\, \\; \\\\ and, leniently, any other escaped character")
    func textEscapes() {
        #expect(ICalendarText.unescape(#"a\, b\; c\\d\ne\Nf\:g"#) == "a, b; c\\d\ne\nf:g")
        #expect(ICalendarText.unescape(#"trailing\"#) == "trailing\\")
        #expect(ICalendarText.list(#"one,two\,three,four"#) == ["one", "two,three", "four"])
    }

    @Test("a line that is not a content line is an error naming the line and the reason")
    func badLines() {
        #expect(throws: ICalendarError.invalidLine(line: 3, reason: "\"no colon here\": a property name is letters, digits and '-', then ';' or ':'")) {
            _ = try read("BEGIN:VCALENDAR\nVERSION:2.0\nno colon here\nEND:VCALENDAR")
        }
        #expect(throws: ICalendarError.invalidLine(line: 4, reason: "\"SUMMARY\" has no ':' before a value")) {
            _ = try read("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\r\nSUMMARY\r\nEND:VCALENDAR")
        }
        #expect(throws: ICalendarError.invalidLine(line: 2, reason: "parameter CN of ATTENDEE opens a quote it never closes")) {
            _ = try read("BEGIN:VCALENDAR\nATTENDEE;CN=\"Jo:mailto:jo@example.com\nEND:VCALENDAR")
        }
        #expect(throws: ICalendarError.invalidLine(line: 2, reason: "a parameter of DTSTART is not NAME=VALUE")) {
            _ = try read("BEGIN:VCALENDAR\nDTSTART;TZID:20260101T000000\nEND:VCALENDAR")
        }
        #expect(throws: ICalendarError.invalidLine(line: 2, reason: "\":VALUE\" does not start with a property name")) {
            _ = try read("BEGIN:VCALENDAR\n:VALUE\nEND:VCALENDAR")
        }
    }

    @Test("limits: bytes, line length, nesting depth and component count")
    func limits() {
        let body = Array("BEGIN:VCALENDAR\nSUMMARY:\(String(repeating: "x", count: 100))\nEND:VCALENDAR\n".utf8)
        #expect(throws: ICalendarError.tooLarge(reason: "\(body.count) bytes, over the limit of 50")) {
            _ = try ContentLineReader.read(body, limits: ICalendarLimits(maxBytes: 50))
        }
        #expect(throws: ICalendarError.tooLarge(reason: "the content line starting at line 2 is over 64 bytes")) {
            _ = try ContentLineReader.read(body, limits: ICalendarLimits(maxLineBytes: 64))
        }
        #expect(throws: ICalendarError.tooLarge(reason: "more than 2 lines")) {
            _ = try ContentLineReader.read(body, limits: ICalendarLimits(maxLines: 2))
        }
        let nested = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VALARM\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n"
        #expect(throws: ICalendarError.tooLarge(reason: "components nested deeper than 2 at line 3")) {
            _ = try ICalendarComponent.tree(try ContentLineReader.read(Array(nested.utf8)), limits: ICalendarLimits(maxDepth: 2))
        }
        #expect(throws: ICalendarError.tooLarge(reason: "more than 2 components")) {
            _ = try ICalendarComponent.tree(try ContentLineReader.read(Array(nested.utf8)), limits: ICalendarLimits(maxComponents: 2))
        }
    }

    @Test("BEGIN/END nest into components; text after END:VCALENDAR is ignored")
    func nesting() throws {
        let tree = try ICalendarComponent.tree(try read("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nBEGIN:VALARM\nACTION:NONE\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n\nX-TRAILER:junk\n"))
        #expect(tree.count == 1)
        #expect(tree[0].components.map(\.name) == ["VEVENT"])
        #expect(tree[0].components[0].components.map(\.name) == ["VALARM"])
        #expect(tree[0].components[0].first("UID")?.value == "1")
        #expect(tree[0].components[0].components[0].first("ACTION")?.value == "NONE")
        #expect(tree[0].components[0].endLine == 7)
    }
}
