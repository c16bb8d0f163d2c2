import Foundation

/// The writes Google refuses, checked before anything is stored. Sources: the Events resource reference (field
/// notes on `start`, `end`, `start.timeZone`, `reminders.overrides`, `eventType`) and "Handle API errors" (the
/// envelope and `timeRangeEmpty`). Where Google documents the rule but not the reason string, the reason is the
/// generic `invalid`/`required` its other validation errors use (docs/google-emulator.md lists these).
extension EmulatorState {
    static func validate(_ event: JSONValue, previous: JSONValue?) throws(EventFailure) {
        guard let start = event["start"], start["dateTime"] != nil || start["date"] != nil else { throw .required("Missing start time.") }
        guard let end = event["end"], end["dateTime"] != nil || end["date"] != nil else { throw .required("Missing end time.") }
        if let text = start["dateTime"]?.string, parseTime(text) == nil { throw .invalid("Invalid start time.") }
        if let text = end["dateTime"]?.string, parseTime(text) == nil { throw .invalid("Invalid end time.") }
        if let text = start["date"]?.string, Series.civilDate(text) == nil { throw .invalid("Invalid start time.") }
        if let text = end["date"]?.string, Series.civilDate(text) == nil { throw .invalid("Invalid end time.") }
        // Events resource, `start.date`/`end.date`: an all-day event has dates at both ends, a timed one date-times.
        if (start["date"] != nil) != (end["date"] != nil) {
            throw .invalid("Start and end times must either both be date or both be dateTime.")
        }
        let utc = TimeZone(identifier: "UTC")!
        if let from = instant(start, zone: utc), let to = instant(end, zone: utc) {
            // `end` is exclusive: an all-day event ends at least a day after it starts; a timed one may last no time.
            if to < from || (start["date"] != nil && to == from) { throw .refused(reason: "timeRangeEmpty", message: "The specified time range is empty.") }
        }
        if let lines = event["recurrence"]?.array, !lines.isEmpty {
            // Events resource, `start.timeZone`: "For recurring events this field is required and specifies the
            // time zone in which the recurrence is expanded."
            if start["dateTime"] != nil, start["timeZone"]?.string == nil { throw .required("Missing time zone definition for start time.") }
            if let name = start["timeZone"]?.string, TimeZone(identifier: name) == nil { throw .invalid("Invalid time zone definition for start time.") }
            let text = lines.compactMap(\.string)
            guard text.count == lines.count, Series(event, calendarZone: utc) != nil else { throw .invalid("Invalid recurrence rule.") }
        }
        try validateReminders(event["reminders"])
        // Events resource, `eventType`: set when the event is created; it "cannot be modified after the event is created".
        if let previous, (event["eventType"]?.string ?? "default") != (previous["eventType"]?.string ?? "default") {
            throw .invalid("The event type cannot be changed.")
        }
    }

    /// Events resource, `reminders.overrides`: "The maximum number of override reminders is 5", `minutes` "between
    /// 0 and 40320 (4 weeks in minutes)"; overrides with `useDefault` true are refused with Google's own reason.
    static func validateReminders(_ reminders: JSONValue?) throws(EventFailure) {
        guard let reminders else { return }
        let overrides = reminders["overrides"]?.array ?? []
        if reminders["useDefault"] == true, !overrides.isEmpty {
            throw .refused(reason: "cannotUseDefaultRemindersAndSpecifyOverride", message: "Cannot specify both default reminders and overrides at the same time.")
        }
        if overrides.count > 5 { throw .invalid("Too many reminders: at most 5 overrides are allowed.") }
        for override in overrides {
            guard case .number(let minutes)? = override["minutes"], minutes == minutes.rounded(), (0...40_320).contains(minutes) else {
                throw .invalid("Invalid reminder minutes: must be from 0 to 40320.")
            }
        }
    }
}
