import Foundation

/// The stable identity of one occurrence: its series and its original start. A copy index keyed by this survives
/// the series being edited, because an occurrence keeps its original start when it is moved.
///
/// Google's format: an instance of recurring event `abc` gets the id `abc_20110603T170000Z` (original start in
/// UTC, basic ISO 8601) or, for an all-day series, `abc_20110603`; its `recurringEventId` is `abc` and its
/// `originalStartTime` the original start. See "Recurring events", Google Calendar API guide,
/// https://developers.google.com/workspace/calendar/api/guides/recurringevents (instances and
/// `originalStartTime`), and the Events resource reference (`recurringEventId`, `originalStartTime`). The guide
/// shows the fields, not the id layout; the layout is what the API returns and what our emulator already issues.
public struct OccurrenceID: Hashable, Sendable, CustomStringConvertible {
    public var seriesID: String
    public var originalStart: OccurrenceStart

    public init(seriesID: String, originalStart: OccurrenceStart) {
        self.seriesID = seriesID
        self.originalStart = originalStart
    }

    /// `<seriesId>_<yyyyMMdd'T'HHmmss'Z'>` for a timed occurrence, `<seriesId>_<yyyyMMdd>` for an all-day one.
    public var googleInstanceID: String { seriesID + "_" + originalStart.description }

    /// Reads a Google instance id back; nil when it has no `_` suffix in either form.
    public init?(googleInstanceID: String) {
        guard let underscore = googleInstanceID.lastIndex(of: "_") else { return nil }
        let series = String(googleInstanceID[..<underscore])
        let suffix = googleInstanceID[googleInstanceID.index(after: underscore)...]
        guard !series.isEmpty else { return nil }
        switch RecurrenceDateText.parse(suffix) {
        case .date(let date): originalStart = .allDay(date)
        case .dateTime(let time, utc: true): originalStart = .timed(time.instant(in: .utc))
        default: return nil
        }
        seriesID = series
    }

    public var description: String { googleInstanceID }
}
