import Fluent
import Foundation
import SyncEngines
import SyncboardCore

/// "Show config": the CalendarSync sync.yaml a run of the job would use, with the client secret redacted.
enum JobConfigExport {
    static func redactedYAML(for job: SyncJob, on db: any Database, configuration: AppConfiguration) async throws -> String {
        try await job.$sourceCalendar.load(on: db)
        try await job.$destinationCalendar.load(on: db)
        let config = CalendarSyncConfig(
            spec: job.spec,
            sourceCalendarID: job.sourceCalendar?.providerCalendarID ?? "(calendar no longer linked)",
            destinationCalendarID: job.destinationCalendar?.providerCalendarID ?? "(calendar no longer linked)",
            clientID: configuration.google.clientID ?? "(GOOGLE_CLIENT_ID is not set)",
            clientSecret: "",
            authStoragePath: "./auth-storage.yaml")
        return "# CalendarSync configuration of the Syncboard job “\(job.name)”.\n"
            + "# Syncboard writes this file (and an encrypted auth-storage.yaml) into a private directory for each run.\n"
            + builtinOnlyNote(job.spec)
            + otherServicesNote(try await LinkedCalendar.query(on: db).filter(\.$id ~~ job.spec.memberCalendarIDs).all())
            + (try config.redacted().yaml())
    }

    /// Comment lines naming the job's calendars of other services than Google (Outlook's, published ones): the file
    /// below gives their ids to Google's adapter, which is not how they are reached, so it says that the built-in
    /// engine runs the job; nothing when every calendar is Google's.
    static func otherServicesNote(_ calendars: [LinkedCalendar]) -> String {
        let others = calendars.filter { $0.provider != .google }
        guard !others.isEmpty else { return "" }
        // A name is one comment line, whatever it holds (a line break would start a line of YAML).
        let named = others.map { "“\($0.summary.split(whereSeparator: \.isNewline).joined(separator: " "))” (\($0.provider.displayName))" }
            .joined(separator: ", ")
        return "# Syncboard gives CalendarSync Google calendars only: \(named) \(others.count == 1 ? "is" : "are") reached by Syncboard's\n"
            + "# built-in engine, which runs this job; the file below names \(others.count == 1 ? "its id" : "their ids") as CalendarSync's Google adapter would.\n"
    }

    /// Comment lines naming the job's rules CalendarSync would not see (left out of the file), or nothing.
    static func builtinOnlyNote(_ spec: SyncJobSpec, catalog: SyncCatalog = .pinned) -> String {
        let fields = spec.builtinOnlyFields(catalog: catalog)
        guard !fields.isEmpty else { return "" }
        let names = fields.map { field -> String in
            if field == "deletionsStick" { return "deletions that stick" }
            if field == "cadence" { return "the real-time cadence (incremental runs)" }
            if field == "kind" { return "the sync group (CalendarSync copies one calendar into one other; this file is the first direction)" }
            if field == "moreDestinations" { return "the further destinations (CalendarSync copies into one calendar; this file is the first)" }
            let parts = field.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return field }
            let kind: SyncCatalog.Kind = parts[0] == "transformers" ? .transformer : .filter
            return "\(parts[1]) (\(catalog.entry(kind, named: parts[1])?.label ?? parts[1]))"
        }
        return "# Not in this file, as CalendarSync would not see them: rules only Syncboard's built-in engine applies,\n"
            + "# so Syncboard runs this job with its built-in engine: \(names.joined(separator: ", ")).\n"
    }
}
