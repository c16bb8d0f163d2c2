import Foundation

/// A DTSTART, RDATE or EXDATE value: a DATE (all-day) or a wall-clock DATE-TIME in a time zone. UTC values use the
/// UTC zone; floating values take the zone of whoever reads them (RFC 5545 §3.3.5 leaves floating times to the
/// reader), so the caller passes one.
public enum RecurrenceDate: Hashable, Sendable, CustomStringConvertible {
    case date(CivilDate)
    case dateTime(LocalDateTime, TimeZone)

    /// A date-time from an instant, read on the wall clock of `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone) {
        self = .dateTime(LocalDateTime(instant, in: timeZone), timeZone)
    }

    /// Reads `20261125`, `20261125T090000` (in `timeZone`) or `20261125T090000Z` (UTC).
    public init?(parsing text: some StringProtocol, timeZone: TimeZone) {
        switch RecurrenceDateText.parse(text) {
        case .date(let date): self = .date(date)
        case .dateTime(let time, let utc): self = .dateTime(time, utc ? .utc : timeZone)
        case nil: return nil
        }
    }

    public var isAllDay: Bool {
        if case .date = self { true } else { false }
    }

    /// The wall-clock reading: midnight for a DATE.
    public var wallClock: LocalDateTime {
        switch self {
        case .date(let date): LocalDateTime(date)
        case .dateTime(let time, _): time
        }
    }

    /// Where the value sits on the time line; a DATE is placed at midnight in `allDayZone`.
    public func instant(allDayZone: TimeZone) -> Date {
        switch self {
        case .date(let date): LocalDateTime(date).instant(in: allDayZone)
        case .dateTime(let time, let zone): time.instant(in: zone)
        }
    }

    public var description: String {
        switch self {
        case .date(let date): date.description
        case .dateTime(let time, let zone): "\(time) \(zone.identifier)"
        }
    }
}

extension TimeZone {
    static let utc = TimeZone(identifier: "UTC")!
}
