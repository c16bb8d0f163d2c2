import Foundation

/// A parsed VCALENDAR (RFC 5545 §3.4): its events and what could not be read. Build one with
/// `ICalendar(parsing:options:)`; expand it with `occurrences(from:to:)`.
///
/// Whole-body problems (empty, not iCalendar, truncated, too large, BEGIN/END that do not pair, a line that is not a
/// content line) throw: such a feed must never be read as a calendar with fewer events. A problem inside one event
/// (a bad date, an unknown TZID, an RRULE we refuse) leaves that event out and is listed in `problems`, with its
/// UID when it has one, so a sync can keep that event's copies as they are rather than delete them.
public struct ICalendar: Sendable {
    public struct Options: Sendable {
        public var limits: ICalendarLimits
        /// Where floating times (no TZID, no 'Z') are placed, and all-day dates' midnights: the reader's zone,
        /// which §3.3.5 leaves to the reader. UTC by default.
        public var floatingTimeZone: TimeZone

        public init(limits: ICalendarLimits = ICalendarLimits(), floatingTimeZone: TimeZone = TimeZone(identifier: "UTC")!) {
            self.limits = limits
            self.floatingTimeZone = floatingTimeZone
        }
    }

    /// One VEVENT left out, and why.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public var uid: String?
        public var recurrenceID: String?
        public var error: ICalendarError
        public var description: String { (uid.map { "UID \($0): " } ?? "") + error.description }
    }

    public var productID: String?
    public var method: String?
    /// X-WR-CALNAME (Google, Apple, Outlook all write it).
    public var name: String?
    public var events: [ICalendarEvent]
    public var problems: [Problem]
    /// The zones the feed's TZIDs resolved to.
    public var timeZones: [String: TimeZone]
    public var options: Options

    public init(data: Data, options: Options = Options()) throws(ICalendarError) {
        try self.init(components: ICalendarComponent.tree(ContentLineReader.read(data, limits: options.limits), limits: options.limits), options: options)
    }

    public init(parsing text: String, options: Options = Options()) throws(ICalendarError) {
        try self.init(components: ICalendarComponent.tree(ContentLineReader.read(Array(text.utf8), limits: options.limits), limits: options.limits), options: options)
    }

    /// Reads VCALENDAR components (several in one body are read as one calendar; other top-level names are refused).
    public init(components: [ICalendarComponent], options: Options = Options()) throws(ICalendarError) {
        self.options = options
        events = []
        problems = []
        timeZones = [:]
        for calendar in components where calendar.name != "VCALENDAR" {
            throw .unbalanced(line: calendar.beginLine, reason: "top-level BEGIN:\(calendar.name) is not VCALENDAR")
        }
        let all = components.flatMap(\.components)
        productID = components.lazy.compactMap { $0.first("PRODID")?.value }.first
        method = components.lazy.compactMap { $0.first("METHOD")?.value }.first
        name = components.lazy.compactMap { $0.first("X-WR-CALNAME").map { ICalendarText.unescape($0.value) } }.first

        var blocks: [String: ICalendarVTimeZone] = [:]
        var broken: [String: ICalendarError] = [:]
        for component in all where component.name == "VTIMEZONE" {
            // A broken VTIMEZONE matters only to the events that use it: they report it when their TZID fails.
            do {
                let block = try ICalendarVTimeZone(component)
                blocks[block.tzid] = block
            } catch {
                if let tzid = component.first("TZID")?.value.trimmingCharacters(in: .whitespaces) { broken[tzid] = error }
            }
        }
        let eventComponents = all.filter { $0.name == "VEVENT" }
        var resolver = ICalendarTimeZoneResolver(vtimezones: blocks, years: Self.years(of: eventComponents))
        resolver.brokenBlocks = broken
        for component in eventComponents {
            do {
                events.append(try ICalendarEventReader(component: component, options: options).read(resolver: &resolver))
            } catch {
                problems.append(Problem(uid: component.first("UID")?.value, recurrenceID: component.first("RECURRENCE-ID")?.value, error: error))
            }
        }
        for tzid in Set(all.filter { $0.name == "VEVENT" }.flatMap { $0.properties.compactMap { $0.parameter("TZID") } }) {
            if let zone = try? resolver.timeZone(for: tzid, line: 0) { timeZones[tzid] = zone }
        }
    }

    /// The years the events start in (at most 12, the latest), with the next year for series that run on: the range
    /// VTIMEZONE rules are compared with IANA zones over.
    static func years(of events: [ICalendarComponent]) -> ClosedRange<Int> {
        let years = events.compactMap { $0.first("DTSTART").flatMap { Int($0.value.trimmingCharacters(in: .whitespaces).prefix(4)) } }
            .filter { (1900...2200).contains($0) }
        guard let low = years.min(), let high = years.max() else {
            let now = Calendar(identifier: .gregorian).component(.year, from: Date())
            return now...(now + 1)
        }
        return max(low, high - 11)...(high + 1)
    }
}
