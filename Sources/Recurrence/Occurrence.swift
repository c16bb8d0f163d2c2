import Foundation

/// The original start of one occurrence: the identity it keeps even when the occurrence itself is moved (RFC 5545's
/// RECURRENCE-ID, Google's `originalStartTime`). All-day occurrences are identified by their date, timed ones by
/// their instant, so an identity never depends on the zone it is displayed in.
public enum OccurrenceStart: Hashable, Comparable, Sendable, CustomStringConvertible {
    case allDay(CivilDate)
    case timed(Date)

    public var description: String {
        switch self {
        case .allDay(let date): date.description
        case .timed(let instant): LocalDateTime(instant, in: .utc).description + "Z"
        }
    }
}

/// One occurrence of a recurrence set, as the expansion produces it.
public struct Occurrence: Hashable, Sendable {
    public var start: OccurrenceStart
    /// The start on the series' wall clock (midnight for all-day occurrences).
    public var wallClock: LocalDateTime
    /// The start on the time line (for all-day occurrences, midnight in the set's all-day zone).
    public var instant: Date

    public init(start: OccurrenceStart, wallClock: LocalDateTime, instant: Date) {
        self.start = start
        self.wallClock = wallClock
        self.instant = instant
    }
}
