import Foundation

/// Everything that defines a sync job, independent of storage: what the form and the API submit and what a run's
/// CalendarSync configuration is generated from.
public struct SyncJobSpec: Sendable, Hashable, Codable {
    public var name: String
    /// Syncboard's id of the source calendar (a discovered calendar of a linked account).
    public var sourceCalendarID: UUID?
    public var destinationCalendarID: UUID?
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

    public init(name: String, sourceCalendarID: UUID?, destinationCalendarID: UUID?, transformers: [ConfiguredStep] = [],
                filters: [ConfiguredStep] = [], window: SyncWindow = .default, cadence: Cadence = .hourly,
                timeZone: String = "UTC", updateConcurrency: Int = 1, deletionsStick: Bool = false) {
        self.name = name
        self.sourceCalendarID = sourceCalendarID
        self.destinationCalendarID = destinationCalendarID
        self.transformers = transformers
        self.filters = filters
        self.window = window
        self.cadence = cadence
        self.timeZone = timeZone
        self.updateConcurrency = updateConcurrency
        self.deletionsStick = deletionsStick
    }

    /// What validation needs to know about the calendars the spec names.
    public struct CalendarFacts: Sendable {
        public var exists: Bool
        public var writable: Bool
        public var removed: Bool
        public var summary: String

        public init(exists: Bool, writable: Bool, removed: Bool, summary: String) {
            self.exists = exists
            self.writable = writable
            self.removed = removed
            self.summary = summary
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

        let source = sourceCalendarID.flatMap(calendar)
        let destination = destinationCalendarID.flatMap(calendar)
        if sourceCalendarID == nil || source?.exists != true {
            errors.append(FieldError(field: "source", message: "choose the calendar to copy from"))
        } else if source?.removed == true {
            errors.append(FieldError(field: "source", message: "“\(source!.summary)” no longer exists on Google; choose another calendar"))
        }
        if destinationCalendarID == nil || destination?.exists != true {
            errors.append(FieldError(field: "destination", message: "choose the calendar to copy to"))
        } else if destination?.removed == true {
            errors.append(FieldError(field: "destination", message: "“\(destination!.summary)” no longer exists on Google; choose another calendar"))
        } else if destination?.writable == false {
            errors.append(FieldError(field: "destination", message: "its account can only read “\(destination!.summary)”; choose a calendar it can write to"))
        }
        if let sourceCalendarID, sourceCalendarID == destinationCalendarID {
            errors.append(FieldError(field: "destination", message: "must be a different calendar than the source"))
        }

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

    /// The fields of the rules only the built-in engine applies (`filters.FreeEvents`, …, in catalogue order, then
    /// `deletionsStick` when chosen): CalendarSync would not see them, so the job must run on the built-in engine.
    public func builtinOnlyFields(catalog: SyncCatalog = .pinned) -> [String] {
        [(SyncCatalog.Kind.transformer, transformers, "transformers"), (.filter, filters, "filters")].flatMap { kind, steps, group in
            catalog.entries(kind).filter { entry in entry.builtinOnly && steps.contains { $0.name == entry.name } }.map { "\(group).\($0.name)" }
        } + (deletionsStick ? ["deletionsStick"] : [])
          + (cadence == .realtime ? ["cadence"] : [])  // the CLI cannot sync incrementally
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
