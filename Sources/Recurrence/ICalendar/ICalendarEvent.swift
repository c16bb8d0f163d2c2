import Foundation

/// One VEVENT (RFC 5545 §3.6.1) as a feed gives it: a single event, a recurring series (RRULE/RDATE), or an
/// override of one occurrence of a series (RECURRENCE-ID).
public struct ICalendarEvent: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        case tentative, confirmed, cancelled
        case other(String)
    }

    public enum Transparency: String, Hashable, Sendable {
        case opaque = "OPAQUE", transparent = "TRANSPARENT"
    }

    public enum Classification: Hashable, Sendable {
        case `public`, `private`, confidential
        case other(String)
    }

    /// How the event's end was given (§3.6.1): DTEND, DURATION, or neither.
    public enum End: Hashable, Sendable {
        case dtend(RecurrenceDate)
        case duration(ICalendarDuration)
        /// No DTEND and no DURATION: "a DATE start lasts one day, a DATE-TIME start has no duration" (§3.6.1).
        case none
    }

    /// RECURRENCE-ID;RANGE=THISANDFUTURE (§3.8.4.4): the override applies to this occurrence and every later one.
    public enum RecurrenceRange: Hashable, Sendable {
        case thisInstance, thisAndFuture
    }

    public var uid: String
    /// True when the feed gave no UID and one was made from DTSTART and SUMMARY (stable while those do not change).
    public var uidIsSynthesized: Bool
    public var summary: String?
    public var description: String?
    public var location: String?
    public var start: RecurrenceDate
    /// DTSTART had neither TZID nor 'Z' (§3.3.5 form #1): it was placed in the parse options' floating zone.
    public var isFloating: Bool
    public var end: End
    public var status: Status?
    public var transparency: Transparency?
    public var classification: Classification?
    public var sequence: Int
    public var lastModified: Date?
    public var timestamp: Date?
    public var rules: [RecurrenceRule]
    public var additions: [RecurrenceDate]
    public var exclusions: [RecurrenceDate]
    public var recurrenceID: RecurrenceDate?
    public var recurrenceRange: RecurrenceRange
    /// Every property as read, X- properties (X-MICROSOFT-CDO-BUSYSTATUS, X-APPLE-…) included.
    public var properties: [ContentLine]
    /// Names of the components inside the event (VALARM), which are not modelled.
    public var subcomponents: [String]
    /// The line of BEGIN:VEVENT.
    public var line: Int

    public init(uid: String, start: RecurrenceDate, end: End = .none, summary: String? = nil, line: Int = 0) {
        self.uid = uid
        uidIsSynthesized = false
        self.summary = summary
        self.start = start
        isFloating = false
        self.end = end
        sequence = 0
        rules = []
        additions = []
        exclusions = []
        recurrenceRange = .thisInstance
        properties = []
        subcomponents = []
        self.line = line
    }

    public var isAllDay: Bool { start.isAllDay }
    /// A series: it has rules or RDATEs, and is not itself an override.
    public var isRecurring: Bool { recurrenceID == nil && !(rules.isEmpty && additions.isEmpty) }
    public var isCancelled: Bool { status == .cancelled }

    /// The series' recurrence set, for a recurring event; all-day days sit at midnight in `allDayTimeZone`.
    public func recurrenceSet(allDayTimeZone: TimeZone) -> RecurrenceSet {
        RecurrenceSet(start: start, rules: rules, additions: additions, exclusions: exclusions, allDayTimeZone: allDayTimeZone)
    }

    /// The end of an occurrence starting at `occurrenceStart` (DTSTART itself for a single event). RFC 5545
    /// §3.8.5.3: with DTEND every occurrence lasts "the same exact duration" as DTSTART–DTEND (days for an all-day
    /// event); with DURATION the duration is added to each start (nominal days, exact hours). Without either, a
    /// DATE lasts one day and a DATE-TIME ends when it starts (§3.6.1). An end before its start counts as no length.
    public func end(forOccurrenceStartingAt occurrenceStart: RecurrenceDate, allDayTimeZone: TimeZone) -> RecurrenceDate {
        switch (end, occurrenceStart) {
        case (.none, .date(let date)):
            return .date(date.adding(days: 1))
        case (.none, .dateTime):
            return occurrenceStart
        case (.duration(let duration), _):
            let result = duration.added(to: occurrenceStart)
            return result.instant(allDayZone: allDayTimeZone) < occurrenceStart.instant(allDayZone: allDayTimeZone) ? occurrenceStart : result
        case (.dtend(let dtend), .date(let date)):
            let days = dtend.wallClock.date.dayNumber - start.wallClock.date.dayNumber
            // A DATE event must end after it starts (§3.6.1); publishers that write DTEND = DTSTART mean one day.
            return .date(date.adding(days: max(1, days)))
        case (.dtend(let dtend), .dateTime(let time, let zone)):
            let seconds = dtend.instant(allDayZone: allDayTimeZone).timeIntervalSince(start.instant(allDayZone: allDayTimeZone))
            let instant = time.instant(in: zone).addingTimeInterval(max(0, seconds))
            return .dateTime(LocalDateTime(instant, in: zone), zone)
        }
    }

    /// The identity of the occurrence this event overrides (for an override), or of the event itself.
    public var originalStart: OccurrenceStart {
        Self.occurrenceStart(recurrenceID ?? start, allDay: start.isAllDay)
    }

    static func occurrenceStart(_ value: RecurrenceDate, allDay: Bool) -> OccurrenceStart {
        switch value {
        case .date(let date): .allDay(date)
        case .dateTime(let time, let zone): allDay ? .allDay(time.date) : .timed(time.instant(in: zone))
        }
    }
}
