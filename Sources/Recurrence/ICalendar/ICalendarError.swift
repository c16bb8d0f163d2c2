/// Why a body could not be read as an iCalendar feed, or why one component in it could not. Every case that comes
/// from a line names it (1-based, the physical line where the content line starts), so a person can find it.
///
/// The first four are about the body as a whole and always fail the parse: a feed that is empty, is something else
/// (an HTML error page, JSON), stops early or is too big must never be read as "a calendar with no events".
public enum ICalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing but whitespace (or nothing at all).
    case empty
    /// The body is not iCalendar: `reason` says what it looks like instead.
    case notICalendar(reason: String)
    /// The body ends inside a component: no END:VCALENDAR, or an unclosed VEVENT before the end.
    case truncated(reason: String)
    /// More bytes, lines or components than the limits allow.
    case tooLarge(reason: String)
    /// A content line that does not have RFC 5545 §3.1's shape (name, parameters, ':', value).
    case invalidLine(line: Int, reason: String)
    /// BEGIN/END that do not pair up (RFC 5545 §3.4, §3.6).
    case unbalanced(line: Int, reason: String)
    /// A property whose value cannot be read (a bad date, a bad RRULE, a missing DTSTART).
    case invalidProperty(line: Int, name: String, reason: String)
    /// A TZID that is not an IANA name, not a Windows name and has no usable VTIMEZONE block.
    case unknownTimeZone(line: Int, tzid: String, reason: String)
    /// Something RFC 5545 allows that this reader does not implement.
    case unsupported(line: Int, reason: String)

    public var description: String {
        switch self {
        case .empty: "the body is empty: an iCalendar feed starts with BEGIN:VCALENDAR"
        case .notICalendar(let reason): "not iCalendar: \(reason)"
        case .truncated(let reason): "truncated iCalendar: \(reason)"
        case .tooLarge(let reason): "too large: \(reason)"
        case .invalidLine(let line, let reason): "line \(line): \(reason)"
        case .unbalanced(let line, let reason): "line \(line): \(reason)"
        case .invalidProperty(let line, let name, let reason): "line \(line): \(name): \(reason)"
        case .unknownTimeZone(let line, let tzid, let reason): "line \(line): time zone \"\(tzid)\": \(reason)"
        case .unsupported(let line, let reason): "line \(line): not supported: \(reason)"
        }
    }

    /// True for the errors about the body as a whole, which a feed provider must treat as "the feed is broken" (keep
    /// every copy as it is) rather than as the content of the calendar.
    public var isWholeFeed: Bool {
        switch self {
        case .empty, .notICalendar, .truncated, .tooLarge: true
        default: false
        }
    }
}
