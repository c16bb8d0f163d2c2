import Foundation

/// Everything that defines a sync job, independent of storage: what the form and the API submit and what a run's
/// CalendarSync configuration is generated from.
public struct SyncJobSpec: Sendable, Hashable, Codable {
    /// What a job keeps in step: one source copied into one or more destinations, or a group of calendars each
    /// copied into all the others.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case copy
        case group
    }

    /// One direction a run syncs: its own index of copies, counts and errors (`legs`).
    public struct Leg: Sendable, Hashable {
        public var source: UUID
        public var destination: UUID
        public init(source: UUID, destination: UUID) {
            self.source = source
            self.destination = destination
        }
    }

    public var name: String
    public var kind: Kind
    /// Syncboard's id of the source calendar (a discovered calendar of a linked account).
    public var sourceCalendarID: UUID?
    public var destinationCalendarID: UUID?
    /// A copy job's further destinations; a group's members after the first two (which are `sourceCalendarID`
    /// and `destinationCalendarID`, so that a group of two is stored like a copy job with its calendars).
    public var moreCalendarIDs: [UUID]
    public var transformers: [ConfiguredStep]
    public var filters: [ConfiguredStep]
    public var window: SyncWindow
    public var cadence: Cadence
    /// The time zone the cadence is evaluated in (IANA name).
    public var timeZone: String
    /// CalendarSync's updateConcurrency: how many events it writes at once.
    public var updateConcurrency: Int
    /// Copies the user deleted in the destination are not made again (built-in engine; off keeps CalendarSync's
    /// behaviour of re-creating them).
    public var deletionsStick: Bool

    public static let nameLimit = 100
    public static let updateConcurrencyRange = 1...10
    /// At most this many calendars take part in one job (a group of 10 is 90 directions).
    public static let calendarLimit = 10

    public init(name: String, kind: Kind = .copy, sourceCalendarID: UUID?, destinationCalendarID: UUID?, moreCalendarIDs: [UUID] = [],
                transformers: [ConfiguredStep] = [],
                filters: [ConfiguredStep] = [], window: SyncWindow = .default, cadence: Cadence = .hourly,
                timeZone: String = "UTC", updateConcurrency: Int = 1, deletionsStick: Bool = false) {
        self.name = name
        self.kind = kind
        self.sourceCalendarID = sourceCalendarID
        self.destinationCalendarID = destinationCalendarID
        self.moreCalendarIDs = moreCalendarIDs
        self.transformers = transformers
        self.filters = filters
        self.window = window
        self.cadence = cadence
        self.timeZone = timeZone
        self.updateConcurrency = updateConcurrency
        self.deletionsStick = deletionsStick
    }

    /// A group built from its members (the first two are stored as source and destination).
    public static func group(name: String, members: [UUID], transformers: [ConfiguredStep] = [], filters: [ConfiguredStep] = [],
                             window: SyncWindow = .default, cadence: Cadence = .hourly, timeZone: String = "UTC",
                             updateConcurrency: Int = 1, deletionsStick: Bool = false) -> SyncJobSpec {
        SyncJobSpec(name: name, kind: .group, sourceCalendarID: members.first, destinationCalendarID: members.dropFirst().first,
                    moreCalendarIDs: Array(members.dropFirst(2)), transformers: transformers, filters: filters, window: window,
                    cadence: cadence, timeZone: timeZone, updateConcurrency: updateConcurrency, deletionsStick: deletionsStick)
    }

    /// A copy job's destinations, in order.
    public var destinationCalendarIDs: [UUID] { (destinationCalendarID.map { [$0] } ?? []) + moreCalendarIDs }

    /// A group's calendars, in order.
    public var memberCalendarIDs: [UUID] { (sourceCalendarID.map { [$0] } ?? []) + destinationCalendarIDs }

    /// Every direction a sync run writes: source → each destination, or each member → each other member.
    public var legs: [Leg] {
        switch kind {
        case .copy:
            guard let sourceCalendarID else { return [] }
            return destinationCalendarIDs.map { Leg(source: sourceCalendarID, destination: $0) }
        case .group:
            let members = memberCalendarIDs
            return members.flatMap { source in members.filter { $0 != source }.map { Leg(source: source, destination: $0) } }
        }
    }

    /// The directions a run writes when `readOnly` calendars (a group's published calendars) are never written:
    /// every leg into them left out, their legs out of them kept.
    public func legs(readOnly: Set<UUID>) -> [Leg] {
        readOnly.isEmpty ? legs : legs.filter { !readOnly.contains($0.destination) }
    }

    /// Whether a run of the job writes more than one calendar pair (several destinations, or a group).
    public var hasSeveralLegs: Bool { kind == .group || !moreCalendarIDs.isEmpty }

    /// What validation needs to know about the calendars the spec names.
    public struct CalendarFacts: Sendable {
        public var exists: Bool
        public var writable: Bool
        public var removed: Bool
        public var summary: String
        /// The calendar's service, as messages name it.
        public var provider: ProviderKind

        public init(exists: Bool, writable: Bool, removed: Bool, summary: String, provider: ProviderKind = .google) {
            self.exists = exists
            self.writable = writable
            self.removed = removed
            self.summary = summary
            self.provider = provider
        }
    }

    /// Checks every rule and returns the spec normalised (name trimmed, steps completed and ordered) with all
    /// problems at once, each named by its field.
    public func validated(catalog: SyncCatalog = .pinned, calendar: (UUID) -> CalendarFacts?) -> (spec: SyncJobSpec, errors: [FieldError]) {
        var spec = self
        var errors: [FieldError] = []
        spec.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if spec.name.isEmpty {
            errors.append(FieldError(field: "name", message: "give the job a name"))
        } else if spec.name.count > Self.nameLimit {
            errors.append(FieldError(field: "name", message: "must be at most \(Self.nameLimit) characters (it has \(spec.name.count))"))
        }

        errors += kind == .group ? validateMembers(calendar: calendar) : validateCalendars(calendar: calendar)

        let transformers = catalog.validate(self.transformers, kind: .transformer)
        let filters = catalog.validate(self.filters, kind: .filter)
        spec.transformers = transformers.steps
        spec.filters = filters.steps
        errors += transformers.errors + filters.errors
        errors += window.validate()
        errors += cadence.validate(timeZone: timeZone)
        if !Self.updateConcurrencyRange.contains(updateConcurrency) {
            errors.append(FieldError(field: "updateConcurrency",
                                     message: "must be from \(Self.updateConcurrencyRange.lowerBound) to \(Self.updateConcurrencyRange.upperBound)"))
        }
        return (spec, errors)
    }

    /// A copy job: a source that exists, a writable destination, and any further destinations.
    private func validateCalendars(calendar: (UUID) -> CalendarFacts?) -> [FieldError] {
        var errors: [FieldError] = []
        let source = sourceCalendarID.flatMap(calendar)
        let destination = destinationCalendarID.flatMap(calendar)
        if sourceCalendarID == nil || source?.exists != true {
            errors.append(FieldError(field: "source", message: "choose the calendar to copy from"))
        } else if source?.removed == true {
            errors.append(FieldError(field: "source", message: "“\(source!.summary)” no longer exists on \(source!.provider.displayName); choose another calendar"))
        }
        if destinationCalendarID == nil || destination?.exists != true {
            errors.append(FieldError(field: "destination", message: "choose the calendar to copy to"))
        } else if destination?.removed == true {
            errors.append(FieldError(field: "destination", message: "“\(destination!.summary)” no longer exists on \(destination!.provider.displayName); choose another calendar"))
        } else if destination?.provider == .icsFeed {
            errors.append(FieldError(field: "destination", message: Self.feedNotWritable(destination!.summary)))
        } else if destination?.writable == false {
            errors.append(FieldError(field: "destination", message: "its account can only read “\(destination!.summary)”; choose a calendar it can write to"))
        }
        if let sourceCalendarID, sourceCalendarID == destinationCalendarID {
            errors.append(FieldError(field: "destination", message: "must be a different calendar than the source"))
        }
        errors += validateEach(moreCalendarIDs, field: "moreDestinations", seen: Set([sourceCalendarID, destinationCalendarID].compactMap { $0 }),
                               calendar: calendar)
        if 2 + moreCalendarIDs.count > Self.calendarLimit {
            errors.append(FieldError(field: "moreDestinations", message: "a job can have at most \(Self.calendarLimit) calendars, the source and \(Self.calendarLimit - 1) destinations (it has \(2 + moreCalendarIDs.count))"))
        }
        return errors
    }

    /// A group: at least two distinct calendars, each writable (each receives the others' events), except published
    /// calendars (ICS feeds): a feed is a read-only member, whose events block the others and into which nothing is
    /// written (`legs(readOnly:)`); at least one member must be one Syncboard can write to.
    private func validateMembers(calendar: (UUID) -> CalendarFacts?) -> [FieldError] {
        let members = memberCalendarIDs
        guard members.count >= 2 else {
            return [FieldError(field: "members", message: "choose at least two calendars for the group")]
        }
        var errors = validateEach(members, field: "members", seen: [], readOnlyFeeds: true, calendar: calendar)
        let facts = members.compactMap(calendar)
        if facts.count == members.count, facts.allSatisfy({ $0.provider == .icsFeed }) {
            errors.append(FieldError(field: "members", message: "published calendars (ICS feeds) are only read: add at least one calendar Syncboard can write to, which receives their events"))
        }
        if members.count > Self.calendarLimit {
            errors.append(FieldError(field: "members", message: "a group can have at most \(Self.calendarLimit) calendars (it has \(members.count))"))
        }
        return errors
    }

    /// A published calendar (ICS feed) is read, never written (issue 29).
    static func feedNotWritable(_ summary: String) -> String {
        "“\(summary)” is a published calendar (ICS feed): Syncboard can only read it, so it can be a source but never receive events; choose a calendar you can write to"
    }

    /// Each a distinct calendar the user has, still on Google and writable (or, in a group, a published calendar).
    private func validateEach(_ ids: [UUID], field: String, seen: Set<UUID>, readOnlyFeeds: Bool = false,
                              calendar: (UUID) -> CalendarFacts?) -> [FieldError] {
        var errors: [FieldError] = []
        var seen = seen
        for id in ids {
            guard let facts = calendar(id), facts.exists else {
                errors.append(FieldError(field: field, message: "one of the chosen calendars is not one of yours; choose again"))
                continue
            }
            if !seen.insert(id).inserted {
                errors.append(FieldError(field: field, message: kind == .group ? "“\(facts.summary)” is chosen twice; each calendar takes part once"
                                                                                : "“\(facts.summary)” is already the source or a destination"))
            } else if facts.removed {
                errors.append(FieldError(field: field, message: "“\(facts.summary)” no longer exists on \(facts.provider.displayName); choose another calendar"))
            } else if facts.provider == .icsFeed {
                if !readOnlyFeeds { errors.append(FieldError(field: field, message: Self.feedNotWritable(facts.summary))) }
            } else if !facts.writable {
                errors.append(FieldError(field: field, message: "its account can only read “\(facts.summary)”; choose a calendar it can write to"))
            }
        }
        return errors
    }

    /// The fields of the rules only the built-in engine applies (`filters.FreeEvents`, …, in catalogue order, then
    /// `deletionsStick` when chosen): CalendarSync would not see them, so the job must run on the built-in engine.
    public func builtinOnlyFields(catalog: SyncCatalog = .pinned) -> [String] {
        builtinOnlyRules(catalog: catalog).map(\.field)
    }

    /// The parts of the spec only the built-in engine runs, in the order the form shows them.
    public func builtinOnlyRules(catalog: SyncCatalog = .pinned) -> [BuiltinOnlyRule] {
        [SyncCatalog.Kind.transformer, .filter].flatMap { kind in
            let steps = kind == .transformer ? transformers : filters
            return catalog.entries(kind).filter { entry in entry.builtinOnly && steps.contains { $0.name == entry.name } }
                .map { BuiltinOnlyRule.step(kind, name: $0.name) }
        } + (deletionsStick ? [.deletionsStick] : [])
          + (cadence == .realtime ? [.realtimeCadence] : [])  // the CLI cannot sync incrementally
          + (kind == .group ? [.group] : moreCalendarIDs.isEmpty ? [] : [.severalDestinations])  // CalendarSync has one source and one sink
    }

    /// Whether only the built-in engine can run the job as it is defined.
    public var needsBuiltinEngine: Bool { !builtinOnlyFields().isEmpty }

    /// A warning (not an error): another enabled job of the same user copies the other way, B → A. Together they
    /// can bounce events back and forth.
    public static func reverseDirectionWarning(source: UUID?, destination: UUID?, otherEnabledJobs: [(name: String, source: UUID?, destination: UUID?)]) -> String? {
        guard let source, let destination else { return nil }
        guard let opposite = otherEnabledJobs.first(where: { $0.source == destination && $0.destination == source }) else { return nil }
        return "The job “\(opposite.name)” copies in the opposite direction. Both together copy each other's copies back; use filters or a title prefix to tell them apart."
    }
}

/// A part of a job's definition that only the built-in engine runs (the CalendarSync CLI has no such rule).
public enum BuiltinOnlyRule: Hashable, Sendable {
    /// A transformer or filter of the catalogue marked built-in only.
    case step(SyncCatalog.Kind, name: String)
    case deletionsStick
    case realtimeCadence
    case group
    case severalDestinations

    /// The spec's field it is about, as the form and the YAML export name it.
    public var field: String {
        switch self {
        case .step(let kind, let name): "\(kind == .transformer ? "transformers" : "filters").\(name)"
        case .deletionsStick: "deletionsStick"
        case .realtimeCadence: "cadence"
        case .group: "kind"
        case .severalDestinations: "moreDestinations"
        }
    }
}
