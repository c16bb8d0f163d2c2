import Foundation
import Recurrence

/// A recurring event (its `recurrence` lines, start and end) as Google expands it into instances: the shared
/// `Recurrence` target computes the occurrences (RFC 5545, in the series' `start.timeZone`, across daylight-saving
/// changes); this shapes them as the Calendar API shows instances ("Recurring events" guide; Events resource
/// `recurringEventId`, `originalStartTime`).
struct Series {
    let resource: JSONValue
    let set: RecurrenceSet
    let allDay: Bool
    /// The zone the rule is expanded in (start.timeZone, else the calendar's).
    let zone: TimeZone
    /// Timed series: seconds from start to end. All-day series: the number of days.
    let duration: TimeInterval
    let days: Int

    /// How far past today an open-ended series is expanded when no timeMax bounds it.
    static let horizon: TimeInterval = 2 * 365 * 86_400

    var id: String { resource["id"]?.string ?? "" }

    /// nil when the event is not recurring or its times or rules cannot be read.
    init?(_ resource: JSONValue, calendarZone: TimeZone) {
        guard let lines = resource["recurrence"]?.array?.compactMap(\.string), !lines.isEmpty else { return nil }
        self.resource = resource
        let start: RecurrenceDate
        if let text = resource["start"]?["date"]?.string, let date = Self.civilDate(text),
           let endText = resource["end"]?["date"]?.string, let end = Self.civilDate(endText) {
            allDay = true
            zone = calendarZone
            start = .date(date)
            days = max(end.dayNumber - date.dayNumber, 1)
            duration = Double(days) * 86_400
        } else if let startInstant = EmulatorState.parseTime(resource["start"]?["dateTime"]?.string),
                  let endInstant = EmulatorState.parseTime(resource["end"]?["dateTime"]?.string) {
            allDay = false
            zone = resource["start"]?["timeZone"]?.string.flatMap(TimeZone.init(identifier:)) ?? calendarZone
            start = RecurrenceDate(startInstant, in: zone)
            duration = endInstant.timeIntervalSince(startInstant)
            days = 0
        } else {
            return nil
        }
        guard let set = try? RecurrenceSet(start: start, lines: lines, allDayTimeZone: calendarZone) else { return nil }
        self.set = set
    }

    /// Occurrences whose time overlaps [from, to) (an occurrence that began before `from` and is still running counts).
    func occurrences(overlapping from: Date, _ to: Date) -> [Occurrence] {
        // Daylight-saving changes can stretch an all-day occurrence by an hour.
        let reach = duration + (allDay ? 3600 : 0)
        let earliest = from == .distantPast ? from : from.addingTimeInterval(-reach)
        let found = (try? set.occurrences(from: earliest, to: to)) ?? []
        return found.filter { end(of: $0) > from || (duration == 0 && $0.instant >= from) }
    }

    /// Every occurrence up to the horizon (incremental sync reports a changed series whole).
    func allOccurrences(now: Date = Date()) -> [Occurrence] {
        (try? set.occurrences(from: .distantPast, to: now.addingTimeInterval(Self.horizon))) ?? []
    }

    /// Whether the series has an occurrence with this original start.
    func contains(_ start: OccurrenceStart) -> Bool {
        let instant: Date = switch start {
        case .timed(let instant): instant
        case .allDay(let date): LocalDateTime(date).instant(in: set.allDayTimeZone)
        }
        return ((try? set.occurrences(from: instant, to: instant.addingTimeInterval(1))) ?? []).contains { $0.start == start }
    }

    func end(of occurrence: Occurrence) -> Date {
        if allDay, case .allDay(let date) = occurrence.start {
            return LocalDateTime(date.adding(days: days)).instant(in: set.allDayTimeZone)
        }
        return occurrence.instant.addingTimeInterval(duration)
    }

    func instanceID(_ start: OccurrenceStart) -> String { OccurrenceID(seriesID: id, originalStart: start).googleInstanceID }

    /// `originalStartTime` (and an unmodified instance's `start`): a date, or the time on the series' clock with its zone.
    func startValue(_ start: OccurrenceStart) -> JSONValue {
        switch start {
        case .allDay(let date): return ["date": .string(Self.dashed(date))]
        case .timed(let instant):
            var value: JSONValue = ["dateTime": .string(EmulatorState.formatTime(instant, zone: zone))]
            if let name = resource["start"]?["timeZone"] { value["timeZone"] = name }
            return value
        }
    }

    /// An unmodified instance: the series' fields without `recurrence`, at the occurrence's time.
    func instance(_ occurrence: Occurrence) -> JSONValue {
        var instance = resource
        instance["recurrence"] = nil
        let id = instanceID(occurrence.start)
        instance["id"] = .string(id)
        instance["recurringEventId"] = .string(self.id)
        instance["originalStartTime"] = startValue(occurrence.start)
        instance["start"] = startValue(occurrence.start)
        if allDay, case .allDay(let date) = occurrence.start {
            instance["end"] = ["date": .string(Self.dashed(date.adding(days: days)))]
        } else {
            var end: JSONValue = ["dateTime": .string(EmulatorState.formatTime(end(of: occurrence), zone: zone))]
            if let name = resource["end"]?["timeZone"] { end["timeZone"] = name }
            instance["end"] = end
        }
        if let link = resource["htmlLink"]?.string, let suffix = id.split(separator: "_").last { instance["htmlLink"] = .string(link + "_" + suffix) }
        return instance
    }

    /// What Google guarantees of a cancelled instance: its id, `recurringEventId` and `originalStartTime`
    /// (Events resource, `status`: "Cancelled exceptions are only guaranteed to have values for the id,
    /// recurringEventId and originalStartTime fields populated").
    static func cancelledInstance(id: String, seriesID: String, originalStartTime: JSONValue?, etag: JSONValue?, updated: JSONValue?,
                                  eventType: JSONValue?) -> JSONValue {
        var value: JSONValue = ["kind": "calendar#event", "id": .string(id), "status": "cancelled", "recurringEventId": .string(seriesID)]
        value["originalStartTime"] = originalStartTime
        value["etag"] = etag
        value["updated"] = updated
        value["eventType"] = eventType
        return value
    }

    static func civilDate(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        let date = CivilDate(year: parts[0], month: parts[1], day: parts[2])
        return date.isValid ? date : nil
    }

    static func dashed(_ date: CivilDate) -> String {
        let text = date.description
        return "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))"
    }
}

extension OccurrenceStart {
    /// Reads an `originalStartTime` value back.
    init?(_ value: JSONValue?) {
        if let text = value?["date"]?.string, let date = Series.civilDate(text) { self = .allDay(date); return }
        if let instant = EmulatorState.parseTime(value?["dateTime"]?.string) { self = .timed(instant); return }
        return nil
    }
}
