/// The transformers (what is copied) and filters (what is skipped) of the pinned CalendarSync version (v0.11.0),
/// with their parameters and the fixed order CalendarSync applies them in. One schema drives the job form, the
/// server's validation, the generated sync.yaml and `GET /api/v1/catalog`.
public struct SyncCatalog: Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case transformer, filter }

    public struct Parameter: Sendable, Codable, Hashable {
        public enum ValueType: String, Sendable, Codable, CaseIterable { case int, bool, string }

        public var name: String
        public var type: ValueType
        public var defaultValue: ParameterValue
        public var minimum: Int?
        public var maximum: Int?
        public var maxLength: Int?
        public var label: String
        public var help: String
        /// The only values a string parameter takes (the form shows a choice).
        public var choices: [String]? = nil
    }

    public struct Entry: Sendable, Codable, Hashable {
        public var name: String
        public var kind: Kind
        /// Position in CalendarSync's fixed application order (0 first).
        public var order: Int
        public var label: String
        public var help: String
        public var parameters: [Parameter]
        /// Only Syncboard's built-in engine applies it: CalendarSync does not know it, so a job using it runs on
        /// the built-in engine (see `SyncJobSpec.builtinOnlyFields`).
        public var builtinOnly: Bool = false
    }

    /// The CalendarSync release this catalogue describes.
    public var calendarSyncVersion: String
    public var transformers: [Entry]
    public var filters: [Entry]

    public static let pinned = SyncCatalog(
        calendarSyncVersion: "v0.11.0",
        transformers: [
            Entry(name: "KeepAttendees", kind: .transformer, order: 0, label: "Keep attendees",
                  help: "Copies the attendee list. Each address a@b.c becomes a_b.c@localhost, so nobody receives an invitation.",
                  parameters: [Parameter(name: "UseEmailAsDisplayName", type: .bool, defaultValue: .bool(false),
                                         label: "Show e-mail addresses as names",
                                         help: "Use each attendee's original e-mail address as their display name.")]),
            Entry(name: "KeepLocation", kind: .transformer, order: 1, label: "Keep location", help: "Copies the location.", parameters: []),
            Entry(name: "KeepReminders", kind: .transformer, order: 2, label: "Keep reminders", help: "Copies pop-up reminders.", parameters: []),
            Entry(name: "KeepDescription", kind: .transformer, order: 3, label: "Keep description", help: "Copies the description.", parameters: []),
            Entry(name: "KeepMeetingLink", kind: .transformer, order: 4, label: "Keep meeting link",
                  help: "Puts the video-call link at the top of the description.", parameters: []),
            Entry(name: "KeepTitle", kind: .transformer, order: 5, label: "Keep title",
                  help: "Copies the title. Without it, copies are titled “CalendarSync Event”.", parameters: []),
            Entry(name: "PrefixTitle", kind: .transformer, order: 6, label: "Prefix the title",
                  help: "Puts text before the title (after Keep title, if chosen).",
                  parameters: [Parameter(name: "Prefix", type: .string, defaultValue: .string(""), maxLength: 100,
                                         label: "Prefix", help: "For example “[Work] ”.")]),
            Entry(name: "ReplaceTitle", kind: .transformer, order: 7, label: "Replace the title",
                  help: "Replaces the title with a fixed text, e.g. to hide what a meeting is about.",
                  parameters: [Parameter(name: "NewTitle", type: .string, defaultValue: .string("[CalendarSync Event]"), maxLength: 200,
                                         label: "New title", help: "The title every copy gets.")]),
        ] + builtinTransformers,
        filters: [
            Entry(name: "TimeFrame", kind: .filter, order: 0, label: "Only within hours",
                  help: "Keeps an event only if its start or end hour lies within the range (hours in the job's time zone, each occurrence by its own; CalendarSync reads them in UTC). All-day events are kept.",
                  parameters: hourRange),
            Entry(name: "TimeFilter", kind: .filter, order: 1, label: "Skip within hours",
                  help: "Skips an event that starts and ends within the range (hours in the job's time zone, each occurrence by its own; CalendarSync reads them in UTC). All-day events are kept.",
                  parameters: hourRange),
            Entry(name: "DeclinedEvents", kind: .filter, order: 2, label: "Skip declined events",
                  help: "Skips events the calendar's owner has declined.", parameters: []),
            Entry(name: "AllDayEvents", kind: .filter, order: 3, label: "Skip all-day events", help: "Skips all-day events.", parameters: []),
            Entry(name: "RegexTitle", kind: .filter, order: 4, label: "Skip by title",
                  help: "Skips events whose title matches a regular expression (Go RE2 syntax, e.g. ^(Lunch|Focus)).",
                  parameters: [Parameter(name: "ExcludeRegexp", type: .string, defaultValue: .string(""), maxLength: 500,
                                         label: "Pattern", help: "RE2: no look-around, no back-references.")]),
        ] + builtinFilters)

    /// Calendar-aware rules of the built-in engine, applied after CalendarSync's own.
    private static let builtinTransformers = [
        Entry(name: "KeepTransparency", kind: .transformer, order: 8, label: "Keep busy/free",
              help: "Copies whether the event shows you as busy or free. Without it every copy shows you as busy, as CalendarSync's copies do.",
              parameters: [], builtinOnly: true),
        Entry(name: "SetVisibility", kind: .transformer, order: 9, label: "Visibility of copies",
              help: "Private copies show only “busy” to people who can see the destination calendar but not its event details.",
              parameters: [Parameter(name: "Visibility", type: .string, defaultValue: .string("private"), maxLength: 20, label: "Visibility",
                                     help: "default: as the destination calendar shares its events; private: details hidden.",
                                     choices: ["default", "private"])],
              builtinOnly: true),
        Entry(name: "SetColor", kind: .transformer, order: 10, label: "Colour of copies",
              help: "Gives every copy one of Google Calendar's event colours.",
              parameters: [Parameter(name: "ColorId", type: .int, defaultValue: .int(8), minimum: 1, maximum: 11, label: "Colour (1 to 11)",
                                     help: "Google's colorId: 1 lavender, 2 sage, 3 grape, 4 flamingo, 5 banana, 6 tangerine, 7 peacock, 8 graphite, 9 blueberry, 10 basil, 11 tomato.")],
              builtinOnly: true),
    ]

    private static let builtinFilters = [
        Entry(name: "FreeEvents", kind: .filter, order: 5, label: "Skip free events",
              help: "Skips events marked as free (Google's “show as available”), which do not block your time.",
              parameters: [], builtinOnly: true),
        Entry(name: "EventTypes", kind: .filter, order: 6, label: "Skip by event type",
              help: "Skips Google's special events of the chosen types; ordinary events are kept. With this rule every type is read (without it, working locations, birthdays and events from Gmail are never copied, as with CalendarSync).",
              parameters: eventTypes.map { name, _, label, skipped in
                  Parameter(name: name, type: .bool, defaultValue: .bool(skipped), label: label, help: "")
              },
              builtinOnly: true),
        Entry(name: "InvitedDestination", kind: .filter, order: 7, label: "Skip invitations the destination already has",
              help: "Skips an event when the destination calendar's account is among its attendees: the invitation is already in that calendar, and a copy would duplicate it.",
              parameters: [], builtinOnly: true),
    ]

    /// EventTypes' parameters: (parameter, Google's eventType, label, skipped by default).
    public static let eventTypes: [(parameter: String, googleType: String, label: String, skipped: Bool)] = [
        ("OutOfOffice", "outOfOffice", "Out of office", true),
        ("FocusTime", "focusTime", "Focus time", true),
        ("WorkingLocation", "workingLocation", "Working location", true),
        ("Birthday", "birthday", "Birthdays", true),
        ("FromGmail", "fromGmail", "Events from Gmail", false),
    ]

    private static let hourRange = [
        Parameter(name: "HourStart", type: .int, defaultValue: .int(8), minimum: 0, maximum: 23, label: "From hour (UTC)", help: "0 to 23"),
        Parameter(name: "HourEnd", type: .int, defaultValue: .int(18), minimum: 0, maximum: 23, label: "To hour (UTC)", help: "0 to 23"),
    ]

    public func entries(_ kind: Kind) -> [Entry] { kind == .transformer ? transformers : filters }

    public func entry(_ kind: Kind, named name: String) -> Entry? { entries(kind).first { $0.name == name } }

    /// Checks the chosen steps of one kind and returns them complete (defaults filled) in CalendarSync's order,
    /// with every problem named by its field (`transformers.PrefixTitle.Prefix`).
    public func validate(_ steps: [ConfiguredStep], kind: Kind) -> (steps: [ConfiguredStep], errors: [FieldError]) {
        let group = kind == .transformer ? "transformers" : "filters"
        var errors: [FieldError] = []
        var seen = Set<String>()
        var accepted: [(Int, ConfiguredStep)] = []
        for step in steps {
            guard let entry = entry(kind, named: step.name) else {
                errors.append(FieldError(field: "\(group).\(step.name)", message: "there is no \(kind.rawValue) called “\(step.name)”"))
                continue
            }
            guard seen.insert(step.name).inserted else {
                errors.append(FieldError(field: "\(group).\(step.name)", message: "chosen twice"))
                continue
            }
            var complete = ConfiguredStep(name: step.name)
            for unknown in step.parameters.keys.sorted() where !entry.parameters.contains(where: { $0.name == unknown }) {
                errors.append(FieldError(field: "\(group).\(step.name).\(unknown)", message: "\(step.name) has no parameter “\(unknown)”"))
            }
            for parameter in entry.parameters {
                let field = "\(group).\(step.name).\(parameter.name)"
                let value = step.parameters[parameter.name] ?? parameter.defaultValue
                if let problem = Self.check(value, against: parameter) {
                    errors.append(FieldError(field: field, message: problem))
                } else {
                    complete.parameters[parameter.name] = value
                }
            }
            if step.name == "TimeFrame" || step.name == "TimeFilter",
               case .int(let start)? = complete.parameters["HourStart"], case .int(let end)? = complete.parameters["HourEnd"], start > end {
                errors.append(FieldError(field: "\(group).\(step.name).HourEnd",
                                         message: "must not be before the start hour (\(start)); ranges do not wrap past midnight"))
            }
            for parameter in entry.parameters {
                if let choices = parameter.choices, case .string(let value)? = complete.parameters[parameter.name], !choices.contains(value) {
                    errors.append(FieldError(field: "\(group).\(step.name).\(parameter.name)",
                                             message: "must be one of: \(choices.joined(separator: ", "))"))
                }
            }
            if step.name == "EventTypes", !complete.parameters.values.contains(.bool(true)) {
                errors.append(FieldError(field: "\(group).EventTypes", message: "choose at least one event type to skip"))
            }
            if step.name == "RegexTitle", case .string(let pattern)? = complete.parameters["ExcludeRegexp"] {
                if let problem = RE2Syntax.problem(in: pattern) {
                    errors.append(FieldError(field: "\(group).RegexTitle.ExcludeRegexp", message: problem))
                }
            }
            accepted.append((entry.order, complete))
        }
        return (accepted.sorted { $0.0 < $1.0 }.map(\.1), errors)
    }

    static func check(_ value: ParameterValue, against parameter: Parameter) -> String? {
        switch (parameter.type, value) {
        case (.int, .int(let number)):
            if let minimum = parameter.minimum, number < minimum { return "must be at least \(minimum)" }
            if let maximum = parameter.maximum, number > maximum { return "must be at most \(maximum)" }
            return nil
        case (.bool, .bool):
            return nil
        case (.string, .string(let text)):
            if let maxLength = parameter.maxLength, text.count > maxLength { return "must be at most \(maxLength) characters" }
            return nil
        default:
            return "must be \(parameter.type == .int ? "a whole number" : parameter.type == .bool ? "true or false" : "text")"
        }
    }
}
