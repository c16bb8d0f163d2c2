import Foundation

extension ICalendar {
    /// The occurrences that overlap [from, to), in start order: an occurrence is in the window when it starts before
    /// `to` and ends after `from` (one without length, when it starts in the window).
    ///
    /// A series is expanded with `RecurrenceSet`; an override (same UID, RECURRENCE-ID) replaces the occurrence whose
    /// original start its RECURRENCE-ID names (§3.8.4.4), wherever the override moved it, and an override with
    /// STATUS:CANCELLED removes it. RANGE=THISANDFUTURE applies the override's content and its time shift to every
    /// later occurrence not overridden on its own. A cancelled event or series has no occurrences. When a UID has
    /// several masters, the one with the highest SEQUENCE (then the later in the feed) is used; likewise overrides.
    public func occurrences(from: Date, to: Date) throws(ICalendarError) -> [ICalendarOccurrence] {
        guard from < to else { return [] }
        let zone = options.floatingTimeZone
        var masters: [String: ICalendarEvent] = [:]
        var overrides: [String: [OccurrenceStart: ICalendarEvent]] = [:]
        for event in events {
            if event.recurrenceID != nil {
                if let existing = overrides[event.uid]?[event.originalStart], existing.sequence > event.sequence { continue }
                overrides[event.uid, default: [:]][event.originalStart] = event
            } else {
                if let existing = masters[event.uid], existing.sequence > event.sequence { continue }
                masters[event.uid] = event
            }
        }

        var result: [ICalendarOccurrence] = []
        func add(_ event: ICalendarEvent, uid: String, original: OccurrenceStart, start: RecurrenceDate, isOverride: Bool) {
            let end = event.end(forOccurrenceStartingAt: start, allDayTimeZone: zone)
            let startInstant = start.instant(allDayZone: zone), endInstant = end.instant(allDayZone: zone)
            let inWindow = startInstant < to && (endInstant > from || (endInstant == startInstant && startInstant >= from))
            guard inWindow else { return }
            result.append(ICalendarOccurrence(id: OccurrenceID(seriesID: uid, originalStart: original), event: event, start: start,
                                              end: end, startInstant: startInstant, endInstant: endInstant, isOverride: isOverride))
        }

        for (uid, master) in masters where !master.isCancelled {
            let own = overrides[uid] ?? [:]
            guard master.isRecurring else {
                if own[master.originalStart] == nil {
                    add(master, uid: uid, original: master.originalStart, start: master.start, isOverride: false)
                }
                continue
            }
            // Start early enough that an occurrence that began before `from` and runs into the window is found.
            let reach = Self.longestLength(master, allDayTimeZone: zone)
            let expanded: [Occurrence]
            do {
                expanded = try master.recurrenceSet(allDayTimeZone: zone).occurrences(from: from.addingTimeInterval(-reach), to: to)
            } catch {
                throw .invalidProperty(line: master.line, name: "RRULE", reason: "UID \(uid): \(error.description)")
            }
            // THISANDFUTURE overrides, latest first: an occurrence takes the latest one at or before it.
            let futures = own.values.filter { $0.recurrenceRange == .thisAndFuture }.sorted { $0.originalStart > $1.originalStart }
            for occurrence in expanded where own[occurrence.start] == nil {
                let start: RecurrenceDate = master.isAllDay ? .date(occurrence.wallClock.date) : .dateTime(occurrence.wallClock, master.start.timeZone!)
                if let future = futures.first(where: { $0.originalStart <= occurrence.start }) {
                    if future.isCancelled { continue }
                    add(future, uid: uid, original: occurrence.start, start: Self.shifted(start, by: future, allDayTimeZone: zone), isOverride: true)
                } else {
                    add(master, uid: uid, original: occurrence.start, start: start, isOverride: false)
                }
            }
        }
        // Overrides stand on their own: they replace their occurrence wherever they moved it (into the window or out
        // of it), and an override whose master is not in the feed (a published single instance) is still an event.
        for (uid, own) in overrides {
            if masters[uid]?.isCancelled == true { continue }
            for (original, event) in own where !event.isCancelled {
                add(event, uid: uid, original: original, start: event.start, isOverride: true)
            }
        }
        return result.sorted { ($0.startInstant, $0.id.seriesID) < ($1.startInstant, $1.id.seriesID) }
    }

    /// An upper bound on how long one occurrence of `event` lasts, in seconds.
    static func longestLength(_ event: ICalendarEvent, allDayTimeZone: TimeZone) -> TimeInterval {
        let end = event.end(forOccurrenceStartingAt: event.start, allDayTimeZone: allDayTimeZone)
        let length = end.instant(allDayZone: allDayTimeZone).timeIntervalSince(event.start.instant(allDayZone: allDayTimeZone))
        // Nominal days vary by an hour or two across daylight-saving changes; a day of slack covers that.
        return max(0, length) + 86_400
    }

    /// `start` moved as a THISANDFUTURE override moved its own occurrence: by whole days for all-day series, on
    /// the time line for timed ones, then shown on the override's wall clock.
    static func shifted(_ start: RecurrenceDate, by override: ICalendarEvent, allDayTimeZone: TimeZone) -> RecurrenceDate {
        guard let recurrenceID = override.recurrenceID else { return start }
        switch (start, override.start) {
        case (.date(let date), _):
            return .date(date.adding(days: override.start.wallClock.date.dayNumber - recurrenceID.wallClock.date.dayNumber))
        case (.dateTime(let time, let zone), .dateTime(_, let overrideZone)):
            let shift = override.start.instant(allDayZone: allDayTimeZone).timeIntervalSince(recurrenceID.instant(allDayZone: allDayTimeZone))
            return .dateTime(LocalDateTime(time.instant(in: zone).addingTimeInterval(shift), in: overrideZone), overrideZone)
        case (.dateTime, .date):
            return override.start
        }
    }
}

extension RecurrenceDate {
    /// The zone of a DATE-TIME; nil for a DATE.
    public var timeZone: TimeZone? {
        if case .dateTime(_, let zone) = self { zone } else { nil }
    }
}
