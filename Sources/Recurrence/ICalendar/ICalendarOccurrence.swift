import Foundation

/// One occurrence of a feed's event in a window: a single event, one instance of a series, or an override that
/// replaced an instance. `id` is the series' UID and the occurrence's original start, which stay the same when the
/// occurrence is moved (RECURRENCE-ID), so a copy index keyed by it follows the occurrence.
public struct ICalendarOccurrence: Hashable, Sendable {
    public var id: OccurrenceID
    /// The VEVENT whose content this occurrence has: the series' master, or the override.
    public var event: ICalendarEvent
    public var start: RecurrenceDate
    public var end: RecurrenceDate
    /// `start` and `end` on the time line; all-day dates at midnight in the calendar's floating zone.
    public var startInstant: Date
    public var endInstant: Date
    /// The content comes from a RECURRENCE-ID override (of this occurrence, or THISANDFUTURE of an earlier one).
    public var isOverride: Bool

    public var isAllDay: Bool { start.isAllDay }
}
