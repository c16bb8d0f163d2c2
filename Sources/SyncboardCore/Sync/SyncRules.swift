import Foundation

/// A job's filters and transformers with CalendarSync's semantics: filters and transformers run in CalendarSync's
/// fixed order whatever order the job lists them in; a name CalendarSync does not know is skipped. The built-in
/// engine's calendar-aware rules (busy/free, event types, visibility, colour, invitations) come after CalendarSync's.
public struct SyncRules: Sendable {
    public static let transformerOrder = ["KeepAttendees", "KeepLocation", "KeepReminders", "KeepDescription", "KeepMeetingLink",
                                          "KeepTitle", "PrefixTitle", "ReplaceTitle", "KeepTransparency", "SetVisibility", "SetColor"]
    public static let filterOrder = ["TimeFrame", "TimeFilter", "DeclinedEvents", "AllDayEvents", "RegexTitle",
                                     "FreeEvents", "EventTypes", "InvitedDestination"]

    let transformers: [ConfiguredStep]
    let filters: [ConfiguredStep]
    let titleExclusion: NSRegularExpression?
    /// The destination's own addresses (its account's e-mail, its calendar id), lower-cased, for InvitedDestination.
    let destinationAddresses: Set<String>
    /// The zone whose hours TimeFrame and TimeFilter name (the job's): each event, each occurrence of a series
    /// included, is judged by its own hours there, so a series at 09:00 stays at 9 across a daylight-saving change.
    let timeZone: TimeZone

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case invalidRegex(String)
        public var description: String {
            switch self { case .invalidRegex(let pattern): "the RegexTitle pattern \(pattern) is not a valid regular expression" }
        }
    }

    /// - Parameter destinationAddresses: the destination account's e-mail address and calendar id; without them
    ///   InvitedDestination keeps every event.
    /// - Parameter timeZone: the zone of TimeFrame's and TimeFilter's hours (the job's time zone).
    public init(transformers: [ConfiguredStep], filters: [ConfiguredStep], destinationAddresses: [String] = [],
                timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws(Problem) {
        self.timeZone = timeZone
        self.destinationAddresses = Set(destinationAddresses.map { $0.lowercased() }.filter { !$0.isEmpty })
        func ordered(_ steps: [ConfiguredStep], _ order: [String]) -> [ConfiguredStep] {
            order.flatMap { name in steps.filter { $0.name.lowercased() == name.lowercased() } }
        }
        self.transformers = ordered(transformers, Self.transformerOrder)
        self.filters = ordered(filters, Self.filterOrder)
        if let pattern = self.filters.first(where: { $0.name == "RegexTitle" }).flatMap({ Self.string($0, "ExcludeRegexp") }), !pattern.isEmpty {
            do { titleExclusion = try NSRegularExpression(pattern: pattern) } catch { throw .invalidRegex(pattern) }
        } else {
            titleExclusion = nil
        }
    }

    /// Google's event types a source listing must include: ordinary events, focus time and out of office (what
    /// CalendarSync reads), and every type when the EventTypes filter decides which are skipped.
    public var sourceEventTypes: [String] {
        filters.contains { $0.name == "EventTypes" } ? ["default", "focusTime", "outOfOffice", "workingLocation", "birthday", "fromGmail"]
            : ["default", "focusTime", "outOfOffice"]
    }

    /// Whether every filter keeps the event (hours are the event's own in the rules' time zone).
    public func keeps(_ event: SyncEvent) -> Bool {
        var local = Calendar(identifier: .gregorian)
        local.timeZone = timeZone
        let startHour = local.component(.hour, from: event.start), endHour = local.component(.hour, from: event.end)
        for filter in filters {
            switch filter.name {
            case "TimeFrame":
                if event.allDay { continue }
                let from = Self.int(filter, "HourStart"), to = Self.int(filter, "HourEnd")
                let startsInside = startHour >= from && startHour <= to, endsInside = endHour >= from && endHour <= to
                if !startsInside && !endsInside { return false }
            case "TimeFilter":
                if event.allDay { continue }
                if startHour >= Self.int(filter, "HourStart") && endHour <= Self.int(filter, "HourEnd") { return false }
            case "DeclinedEvents":
                if !event.accepted { return false }
            case "AllDayEvents":
                if event.allDay { return false }
            case "RegexTitle":
                if let titleExclusion,
                   titleExclusion.firstMatch(in: event.title, range: NSRange(event.title.startIndex..., in: event.title)) != nil { return false }
            case "FreeEvents":
                if event.transparent == true { return false }
            case "EventTypes":
                for type in SyncCatalog.eventTypes where type.googleType == event.eventType && Self.bool(filter, type.parameter) { return false }
            case "InvitedDestination":
                if event.attendees.contains(where: { destinationAddresses.contains($0.email.lowercased()) }) { return false }
            default:
                continue
            }
        }
        return true
    }

    /// The copy of `source` the sink should hold: the sync seed, then each transformer in order.
    public func transform(_ source: SyncEvent) -> SyncEvent {
        var copy = source.syncSeed()
        for transformer in transformers {
            switch transformer.name {
            case "KeepAttendees":
                let useEmail = Self.bool(transformer, "UseEmailAsDisplayName")
                copy.attendees = source.attendees.map { attendee in
                    SyncEvent.Attendee(email: attendee.email.replacingOccurrences(of: "@", with: "_") + "@localhost",
                                       displayName: useEmail ? attendee.email : attendee.displayName)
                }
            case "KeepLocation": copy.location = source.location
            case "KeepReminders": copy.reminders = source.reminders
            case "KeepDescription": copy.description = Self.cleanDescription(source.description)
            case "KeepMeetingLink":
                if !source.meetingLink.isEmpty {
                    copy.description = "original meeting link: \(source.meetingLink)\n\n############\n" + copy.description
                }
            case "KeepTitle": copy.title = source.title
            case "PrefixTitle": copy.title = (Self.string(transformer, "Prefix") ?? "") + copy.title
            case "ReplaceTitle": copy.title = Self.string(transformer, "NewTitle") ?? "[CalendarSync Event]"
            case "KeepTransparency": copy.transparent = source.transparent ?? false
            case "SetVisibility": copy.visibility = Self.string(transformer, "Visibility") ?? "default"
            case "SetColor": copy.colorID = String(Self.int(transformer, "ColorId"))
            default: continue
            }
        }
        return copy
    }

    /// CalendarSync's KeepDescription: line breaks "\r\n" removed, trimmed, at most 4,000 characters ("..." ending).
    /// (It also runs an HTML sanitiser; plain-text descriptions come out the same, HTML may differ.)
    static func cleanDescription(_ text: String) -> String {
        let trimmed = text.replacingOccurrences(of: "\r\n", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count > 4000 ? String(trimmed.prefix(3997)) + "..." : trimmed
    }

    static func int(_ step: ConfiguredStep, _ name: String) -> Int {
        if case .int(let value)? = step.parameters[name] { return value }
        return 0
    }

    static func bool(_ step: ConfiguredStep, _ name: String) -> Bool {
        if case .bool(let value)? = step.parameters[name] { return value }
        return false
    }

    static func string(_ step: ConfiguredStep, _ name: String) -> String? {
        if case .string(let value)? = step.parameters[name] { return value }
        return nil
    }
}
