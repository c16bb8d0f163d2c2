import Foundation

/// Reads one VEVENT component into an `ICalendarEvent`, resolving its TZIDs.
struct ICalendarEventReader {
    let component: ICalendarComponent
    let options: ICalendar.Options

    func read(resolver: inout ICalendarTimeZoneResolver) throws(ICalendarError) -> ICalendarEvent {
        guard let startLine = component.first("DTSTART") else {
            // §3.6.1: DTSTART is REQUIRED when the calendar has no METHOD, which is every published feed.
            throw .invalidProperty(line: component.beginLine, name: "DTSTART", reason: "the VEVENT has no DTSTART")
        }
        let (start, floating) = try dates(startLine, resolver: &resolver).first!
        let uidText = component.first("UID")?.value.trimmingCharacters(in: .whitespaces)
        let summary = component.first("SUMMARY").map { ICalendarText.unescape($0.value) }
        var event = ICalendarEvent(uid: uidText ?? "", start: start, summary: summary, line: component.beginLine)
        if uidText?.isEmpty ?? true {
            // §3.8.4.7 makes UID required; some publishers leave it out. An id from what identifies the event to a
            // reader keeps the copy stable while the event is unchanged.
            event.uid = "syncboard-" + Self.fnv1a(startLine.value + "\u{1F}" + (summary ?? ""))
            event.uidIsSynthesized = true
        }
        event.isFloating = floating
        event.description = component.first("DESCRIPTION").map { ICalendarText.unescape($0.value) }
        event.location = component.first("LOCATION").map { ICalendarText.unescape($0.value) }
        event.properties = component.properties
        event.subcomponents = component.components.map(\.name)

        let endLine = component.first("DTEND")
        let durationLine = component.first("DURATION")
        if let endLine {
            // §3.6.1: DTEND and DURATION MUST NOT both occur; if a feed has both, DTEND is the explicit one.
            event.end = .dtend(try dates(endLine, resolver: &resolver).first!.0)
        } else if let durationLine {
            guard let duration = ICalendarDuration(parsing: durationLine.value) else {
                throw .invalidProperty(line: durationLine.line, name: "DURATION", reason: "\"\(durationLine.value)\" is not a duration such as PT1H or P1D")
            }
            event.end = .duration(duration)
        }

        if let line = component.first("STATUS") {
            switch line.value.trimmingCharacters(in: .whitespaces).uppercased() {
            case "CANCELLED": event.status = .cancelled
            case "CONFIRMED": event.status = .confirmed
            case "TENTATIVE": event.status = .tentative
            case let other: event.status = .other(other)
            }
        }
        if let line = component.first("TRANSP") {
            event.transparency = ICalendarEvent.Transparency(rawValue: line.value.trimmingCharacters(in: .whitespaces).uppercased())
        }
        if let line = component.first("CLASS") {
            switch line.value.trimmingCharacters(in: .whitespaces).uppercased() {
            case "PUBLIC": event.classification = .public
            case "PRIVATE": event.classification = .private
            case "CONFIDENTIAL": event.classification = .confidential
            case let other: event.classification = .other(other)
            }
        }
        if let line = component.first("SEQUENCE") {
            guard let sequence = Int(line.value.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidProperty(line: line.line, name: "SEQUENCE", reason: "\"\(line.value)\" is not an integer")
            }
            event.sequence = sequence
        }
        event.lastModified = try component.first("LAST-MODIFIED").map { line throws(ICalendarError) in try utcInstant(line) }
        event.timestamp = try component.first("DTSTAMP").map { line throws(ICalendarError) in try utcInstant(line) }

        for line in component.all("RRULE") {
            let rule: RecurrenceRule
            do { rule = try RecurrenceRule(parsing: line.value) } catch {
                throw .invalidProperty(line: line.line, name: "RRULE", reason: error.description)
            }
            guard rule.frequency >= .daily else {
                throw .unsupported(line: line.line, reason: "RRULE FREQ=\(rule.frequency.rawValue): only DAILY, WEEKLY, MONTHLY and YEARLY rules are expanded")
            }
            // Caught here rather than when expanding, so one such event is a problem and not a failed expansion.
            if start.isAllDay && !(rule.byHour.isEmpty && rule.byMinute.isEmpty && rule.bySecond.isEmpty) {
                throw .invalidProperty(line: line.line, name: "RRULE", reason: RecurrenceSetError.timePartsOnAllDaySeries(rule: rule.description).description)
            }
            event.rules.append(rule)
        }
        if let line = component.first("EXRULE") {
            throw .unsupported(line: line.line, reason: "EXRULE (deprecated by RFC 5545, Appendix A.3)")
        }
        for line in component.all("RDATE") { event.additions += try dates(line, resolver: &resolver).map(\.0) }
        for line in component.all("EXDATE") { event.exclusions += try dates(line, resolver: &resolver).map(\.0) }

        if let line = component.first("RECURRENCE-ID") {
            event.recurrenceID = try dates(line, resolver: &resolver).first!.0
            switch line.parameter("RANGE")?.uppercased() {
            case nil: break
            case "THISANDFUTURE": event.recurrenceRange = .thisAndFuture
            case let other?:
                // RFC 5545 §3.2.13 removed THISANDPRIOR ("MUST NOT be generated") and defines no other value.
                throw .unsupported(line: line.line, reason: "RECURRENCE-ID;RANGE=\(other): only THISANDFUTURE is defined")
            }
        }
        return event
    }

    /// The values of a DATE / DATE-TIME property (one, or a comma-separated list for RDATE and EXDATE), each with
    /// whether it was floating.
    func dates(_ line: ContentLine, resolver: inout ICalendarTimeZoneResolver) throws(ICalendarError) -> [(RecurrenceDate, Bool)] {
        let type = line.parameter("VALUE")?.uppercased()
        if let type, type != "DATE", type != "DATE-TIME" {
            throw .unsupported(line: line.line, reason: "\(line.name);VALUE=\(type) (only DATE and DATE-TIME values are read)")
        }
        var zone: TimeZone?
        if let tzid = line.parameter("TZID") { zone = try resolver.timeZone(for: tzid, line: line.line) }
        var result: [(RecurrenceDate, Bool)] = []
        for item in line.value.split(separator: ",") {
            let text = item.trimmingCharacters(in: .whitespaces)
            switch RecurrenceDateText.parse(text) {
            case .date(let date)?:
                result.append((.date(date), false))
            case .dateTime(let time, let utc)? where type != "DATE":
                // §3.3.5: a 'Z' value is UTC and a TZID on it is ignored; no TZID and no 'Z' is floating.
                if utc { result.append((.dateTime(time, TimeZone(identifier: "UTC")!), false)) }
                else { result.append((.dateTime(time, zone ?? options.floatingTimeZone), zone == nil)) }
            default:
                let expected = type == "DATE" ? "a DATE such as 20261125" : "a DATE or DATE-TIME such as 20261125T090000"
                throw .invalidProperty(line: line.line, name: line.name, reason: "\"\(text)\" is not \(expected)")
            }
        }
        guard !result.isEmpty else { throw .invalidProperty(line: line.line, name: line.name, reason: "no value") }
        return result
    }

    /// LAST-MODIFIED and DTSTAMP are UTC (§3.8.7.2–3); a floating value is read as UTC too.
    func utcInstant(_ line: ContentLine) throws(ICalendarError) -> Date {
        guard case .dateTime(let time, _)? = RecurrenceDateText.parse(line.value.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidProperty(line: line.line, name: line.name, reason: "\"\(line.value)\" is not a UTC DATE-TIME such as 20261125T090000Z")
        }
        return time.instant(in: TimeZone(identifier: "UTC")!)
    }

    /// 64-bit FNV-1a, hex: a stable hash (Swift's `hashValue` is seeded per process).
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
